// Household load forecast from the recorder's hourly long-term statistics of the consumption
// energy sensor (`recorder/statistics_during_period`, period "hour"; HA ≥ 2023.3 gives `start` in
// epoch ms, `change` = energy in that hour). An EV charger's energy is subtracted hour by hour so
// car charging does not inflate the household load. The forecast for an hour is the median of the
// same local weekday and hour over the history (robust to one odd day); with fewer than two such
// samples, the median of that local hour over all days; otherwise `fallback_kw`.
import { DateTime } from "luxon";
import { z } from "zod";
import type { EnergyPoint } from "../../runtime/ports.js";
import { energyKwh, parsedValue } from "../quantities.js";
import { parseInstant } from "../states.js";
import type { ReadResult } from "./series.js";

const HOUR_MS = 3_600_000;
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface LoadForecastOptions {
  nowMs: number;
  horizonMs: number;
  zone: string;
  fallbackKw: number;
}

export function buildLoadForecast(
  consumption: Map<number, number>,
  ev: Map<number, number> | undefined,
  options: LoadForecastOptions,
): ReadResult<EnergyPoint> {
  const byWeekdayHour = new Map<string, number[]>();
  const byHour = new Map<number, number[]>();
  for (const [startMs, kwh] of consumption) {
    const evKwh = ev?.get(startMs) ?? 0;
    const house = Math.max(0, kwh - evKwh);
    const local = DateTime.fromMillis(startMs, { zone: options.zone });
    const key = `${local.weekday}-${local.hour}`;
    byWeekdayHour.set(key, [...(byWeekdayHour.get(key) ?? []), house]);
    byHour.set(local.hour, [...(byHour.get(local.hour) ?? []), house]);
  }
  const warnings: string[] = [];
  if (consumption.size === 0) warnings.push(`load: no consumption history; using ${options.fallbackKw} kW`);
  const points: EnergyPoint[] = [];
  let fallbackHours = 0;
  const firstMs = Math.floor(options.nowMs / HOUR_MS) * HOUR_MS;
  for (let startMs = firstMs; startMs < options.nowMs + options.horizonMs; startMs += HOUR_MS) {
    const local = DateTime.fromMillis(startMs, { zone: options.zone });
    const same = byWeekdayHour.get(`${local.weekday}-${local.hour}`) ?? [];
    const hourly = byHour.get(local.hour) ?? [];
    let energyKwh: number;
    if (same.length >= 2) energyKwh = median(same);
    else if (hourly.length >= 2) energyKwh = median(hourly);
    else {
      energyKwh = options.fallbackKw;
      fallbackHours += 1;
    }
    points.push({ startMs, endMs: startMs + HOUR_MS, energyKwh });
  }
  if (consumption.size > 0 && fallbackHours > 0) {
    warnings.push(`load: ${fallbackHours} hour(s) without history use ${options.fallbackKw} kW`);
  }
  return { points, warnings };
}
