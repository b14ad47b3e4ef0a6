// Household load forecast from the recorder's hourly long-term statistics of the consumption
// energy sensor (`recorder/statistics_during_period`, period "hour"; HA ≥ 2023.3 gives `start` in
// epoch ms, `change` = energy in that hour). An EV charger's energy is subtracted hour by hour so
// car charging does not inflate the household load. The forecast itself is core/load-forecast.ts
// (by local hour, weekday-blended, recency-weighted); an hour of day with no history: `fallback_kw`.
import { DateTime } from "luxon";
import { z } from "zod";
import { forecastHourlyLoad } from "../../core/load-forecast.js";
import type { EnergyPoint } from "../../runtime/ports.js";
import { energyKwh, parsedValue } from "../quantities.js";
import { parseInstant } from "../states.js";
import type { ReadResult } from "./series.js";

const statRow = z.object({ start: z.union([z.number(), z.string()]) }).passthrough();

/** Hourly energy (kWh) by hour-start from statistics rows: `change`, else differences of `sum`.
 * A negative or absurd change (meter reset, unit slip) is missing. */
export function hourlyEnergy(rows: unknown, maxKwhPerHour = 100): Map<number, number> {
  const out = new Map<number, number>();
  if (!Array.isArray(rows)) return out;
  let previousSum: number | undefined;
  for (const raw of rows) {
    const parsed = statRow.safeParse(raw);
    if (!parsed.success) continue;
    const startMs = parseInstant(parsed.data.start);
    // The statistics are asked for in kWh (units: {energy: "kWh"}).
    const sum = parsedValue(energyKwh(parsed.data.sum, "kWh"));
    let change = parsedValue(energyKwh(parsed.data.change, "kWh"));
    if (change === undefined && sum !== undefined && previousSum !== undefined) change = sum - previousSum;
    if (sum !== undefined) previousSum = sum;
    if (startMs === undefined || change === undefined) continue;
    if (change < 0 || change > maxKwhPerHour) continue;
    out.set(startMs, change);
  }
  return out;
}

export interface LoadForecastOptions {
  nowMs: number;
  horizonMs: number;
  zone: string;
  fallbackKw: number;
}

// The forecast runs on every read of the inputs over the same few hundred history hours; luxon's
// zone conversion is the costly part, and an hour's local time never changes.
const localTimes = new Map<string, { hour: number; weekday: number }>();
function localHourOf(ms: number, zone: string): { hour: number; weekday: number } {
  const key = `${zone}|${ms}`;
  let local = localTimes.get(key);
  if (!local) {
    if (localTimes.size > 20_000) localTimes.clear();
    const dt = DateTime.fromMillis(ms, { zone });
    local = { hour: dt.hour, weekday: dt.weekday };
    localTimes.set(key, local);
  }
  return local;
}

/** The house's own load (EV charging taken out) forecast by the core's forecaster. */
export function buildLoadForecast(
  consumption: Map<number, number>,
  ev: Map<number, number> | undefined,
  options: LoadForecastOptions,
): ReadResult<EnergyPoint> {
  const house = new Map<number, number>();
  for (const [startMs, kwh] of consumption) house.set(startMs, Math.max(0, kwh - (ev?.get(startMs) ?? 0)));
  const { points, fallbackHours } = forecastHourlyLoad(house, {
    nowMs: options.nowMs,
    horizonMs: options.horizonMs,
    fallbackKw: options.fallbackKw,
    localTime: (ms) => localHourOf(ms, options.zone),
  });
  const warnings: string[] = [];
  if (consumption.size === 0) warnings.push(`load: no consumption history; using ${options.fallbackKw} kW`);
  else if (fallbackHours > 0) {
    warnings.push(`load: ${fallbackHours} hour(s) without history use ${options.fallbackKw} kW`);
  }
  return { points, warnings };
}
