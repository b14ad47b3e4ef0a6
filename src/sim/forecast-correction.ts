// In-day forecast correction: once a few slots have passed, the ratio of what happened to what
// was forecast says whether today runs heavy or light. The remaining forecast is scaled by that
// ratio, fading back to the raw forecast over a few hours (the error of the next hour resembles
// the last hour's; tomorrow evening's does not). Only actuals of slots already over are used.

export interface CorrectionOptions {
  /** How many past slots the ratio is measured over. */
  lookbackSlots: number;
  /** Hours over which the correction fades out (e-folding time). */
  fadeHours: number;
  /** Below this much forecast energy over the lookback, the ratio says nothing (night PV). */
  minForecastKwh: number;
  minRatio: number;
  maxRatio: number;
}

export const LOAD_CORRECTION: CorrectionOptions = {
  lookbackSlots: 4,
  fadeHours: 3,
  minForecastKwh: 0.2,
  minRatio: 0.3,
  maxRatio: 3,
};

export const PV_CORRECTION: CorrectionOptions = {
  lookbackSlots: 3,
  fadeHours: 2,
  minForecastKwh: 0.3,
  minRatio: 0.1,
  maxRatio: 3,
};

interface Sample {
  forecastKwh: number;
  actualKwh: number;
}

/**
 * Multiplier per future slot (index 0 = the next slot to run) given the past slots' forecasts
 * and actuals, oldest first; each future slot is `hours[i]` hours after now.
 */
export function correctionFactors(
  past: readonly Sample[],
  hoursAhead: readonly number[],
  options: CorrectionOptions,
): number[] {
  const recent = past.slice(-options.lookbackSlots);
  const forecastKwh = recent.reduce((sum, s) => sum + s.forecastKwh, 0);
  const actualKwh = recent.reduce((sum, s) => sum + s.actualKwh, 0);
  if (recent.length === 0 || forecastKwh < options.minForecastKwh) return hoursAhead.map(() => 1);
  const ratio = Math.min(options.maxRatio, Math.max(options.minRatio, actualKwh / forecastKwh));
  return hoursAhead.map((h) => 1 + (ratio - 1) * Math.exp(-h / options.fadeHours));
}
