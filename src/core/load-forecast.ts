// The household load forecast, pure: from hourly consumption history (what HA's recorder keeps
// as long-term statistics) to an hourly forecast over the horizon. For each future hour it takes
// the history at the same local hour of day, weighted by age (a half-life: yesterday says more
// than a month ago), optionally blended with the same weekday's profile. The defaults are what
// measured best on the tuning days of the twin benchmark (src/sim/README.md, bench/tune.ts): the
// 55th percentile over every day with a 2-day half-life realised 78.6 % of the hindsight saving
// against 77.5 % for the median with a 3-day half-life chosen before (a default changes only for
// more than 1 point); leaning a little high costs less than running short at the evening peak, a
// quantile is robust to one odd day, and the recent days follow the weather and the season.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface LoadForecastParams {
  /** Share of the same-weekday profile in the blend (0: every day alike, 1: weekday only). */
  weekdayWeight: number;
  /** Age at which a day counts half (days); Infinity: all days alike. */
  halfLifeDays: number;
  /** How the samples of one hour are summarised. */
  statistic: "mean" | "median";
  /** For "median": the weighted quantile taken instead of 0.5 (above 0.5 leans high: running
   * short of stored energy at the evening peak costs more than a little left over). */
  quantile?: number;
}

export const DEFAULT_LOAD_FORECAST: LoadForecastParams = {
  weekdayWeight: 0,
  halfLifeDays: 2,
  statistic: "median",
  quantile: 0.55,
};

export interface HourlyLoadForecastOptions {
  nowMs: number;
  horizonMs: number;
  /** The home's local hour (0–23) and ISO weekday (1–7) of an instant: profiles are local. */
  localTime(ms: number): { hour: number; weekday: number };
  fallbackKw: number;
  params?: LoadForecastParams;
}

export interface HourlyLoadForecast {
  points: { startMs: number; endMs: number; energyKwh: number }[];
  /** Hours for which no history existed at that hour of day (forecast = fallbackKw). */
  fallbackHours: number;
}

interface Sample {
  kwh: number;
  weight: number;
}

function weighted(samples: readonly Sample[], params: LoadForecastParams): number {
  const total = samples.reduce((sum, s) => sum + s.weight, 0);
  if (params.statistic === "mean") return samples.reduce((sum, s) => sum + s.kwh * s.weight, 0) / total;
  const sorted = [...samples].sort((a, b) => a.kwh - b.kwh);
  const q = params.quantile ?? 0.5;
  let seen = 0;
  for (const s of sorted) {
    seen += s.weight;
    if (seen >= total * q) return s.kwh;
  }
  return sorted.at(-1)!.kwh;
}

/** Hourly forecast from `history` (hour start in epoch ms → kWh in that hour, history only). */
export function forecastHourlyLoad(
  history: ReadonlyMap<number, number>,
  options: HourlyLoadForecastOptions,
): HourlyLoadForecast {
  const params = options.params ?? DEFAULT_LOAD_FORECAST;
  const byHour = new Map<number, (Sample & { weekday: number })[]>();
  for (const [startMs, kwh] of history) {
    if (startMs >= options.nowMs) continue;
    const local = options.localTime(startMs);
    const ageDays = (options.nowMs - startMs) / DAY_MS;
    const weight = Number.isFinite(params.halfLifeDays) ? 0.5 ** (ageDays / params.halfLifeDays) : 1;
    const list = byHour.get(local.hour) ?? [];
    list.push({ kwh, weight, weekday: local.weekday });
    byHour.set(local.hour, list);
  }
  const points: HourlyLoadForecast["points"] = [];
  let fallbackHours = 0;
  const firstMs = Math.floor(options.nowMs / HOUR_MS) * HOUR_MS;
  for (let startMs = firstMs; startMs < options.nowMs + options.horizonMs; startMs += HOUR_MS) {
    const local = options.localTime(startMs);
    const all = byHour.get(local.hour) ?? [];
    let energyKwh: number;
    if (all.length === 0) {
      energyKwh = options.fallbackKw;
      fallbackHours += 1;
    } else {
      const everyDay = weighted(all, params);
      const same = all.filter((s) => s.weekday === local.weekday);
      energyKwh =
        same.length >= 2
          ? params.weekdayWeight * weighted(same, params) + (1 - params.weekdayWeight) * everyDay
          : everyDay;
    }
    points.push({ startMs, endMs: startMs + HOUR_MS, energyKwh });
  }
  return { points, fallbackHours };
}

/** The baseline the forecaster is judged against: what the same hour measured a week earlier. */
export function sameSlotLastWeek(
  history: ReadonlyMap<number, number>,
  startMs: number,
  fallbackKwh: number,
): number {
  return history.get(startMs - 7 * DAY_MS) ?? fallbackKwh;
}
