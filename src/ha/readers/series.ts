// Shared shaping of reader output: UTC [startMs, endMs) points, sorted, de-duplicated, with gaps
// reported in words. Readers never invent values for gaps; the planner decides what to do.
import { DateTime } from "luxon";
import type { EnergyPoint, RatePoint } from "../../runtime/ports.js";

export interface ReadResult<T> {
  points: T[];
  warnings: string[];
}

interface Interval {
  startMs: number;
  endMs: number;
}

/** Sorts by start and keeps the later-listed of two points with the same start. */
export function normaliseSeries<T extends Interval>(points: T[]): T[] {
  const byStart = new Map<number, T>();
  for (const point of points) {
    if (!(point.endMs > point.startMs)) continue;
    byStart.set(point.startMs, point);
  }
  return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
}

export function formatInstant(ms: number, zone = "UTC"): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("ccc dd LLL HH:mm");
}

/** Words for the holes between consecutive points, and for the uncovered part of [fromMs, toMs). */
export function describeGaps(
  points: Interval[],
  fromMs: number,
  toMs: number,
  what: string,
  zone = "UTC",
): string[] {
  const warnings: string[] = [];
  let coveredTo = fromMs;
  for (const point of points) {
    if (point.endMs <= fromMs || point.startMs >= toMs) continue;
    if (point.startMs > coveredTo) {
      warnings.push(
        `${what}: no data ${formatInstant(coveredTo, zone)}–${formatInstant(point.startMs, zone)}`,
      );
    }
    coveredTo = Math.max(coveredTo, point.endMs);
  }
  if (coveredTo < toMs && points.length > 0) {
    warnings.push(`${what}: data ends ${formatInstant(coveredTo, zone)}, before the horizon ends`);
  }
  return warnings;
}

/** Clips to the points overlapping [fromMs, toMs). */
export function within<T extends Interval>(points: T[], fromMs: number, toMs: number): T[] {
  return points.filter((p) => p.endMs > fromMs && p.startMs < toMs);
}

/** Sums energy series that may have different intervals (several PV arrays, 15- and 60-minute
 * sources): splits at every boundary and spreads each point's energy evenly over its interval. */
export function sumEnergySeries(series: EnergyPoint[][]): EnergyPoint[] {
  const nonEmpty = series.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return normaliseSeries(nonEmpty[0] ?? []);
  const bounds = new Set<number>();
  for (const s of nonEmpty) for (const p of s) bounds.add(p.startMs).add(p.endMs);
  const edges = [...bounds].sort((a, b) => a - b);
  const out: EnergyPoint[] = [];
  for (let i = 0; i + 1 < edges.length; i += 1) {
    const startMs = edges[i] as number;
    const endMs = edges[i + 1] as number;
    let energy = 0;
    let p10: number | undefined;
    let p90: number | undefined;
    let covered = false;
    let allP10 = true;
    let allP90 = true;
    for (const s of nonEmpty) {
      const point = s.find((p) => p.startMs <= startMs && p.endMs >= endMs);
      if (!point) continue;
      covered = true;
      const share = (endMs - startMs) / (point.endMs - point.startMs);
      energy += point.energyKwh * share;
      if (point.p10Kwh === undefined) allP10 = false;
      else p10 = (p10 ?? 0) + point.p10Kwh * share;
      if (point.p90Kwh === undefined) allP90 = false;
      else p90 = (p90 ?? 0) + point.p90Kwh * share;
    }
    if (!covered) continue;
    const point: EnergyPoint = { startMs, endMs, energyKwh: energy };
    if (allP10 && p10 !== undefined) point.p10Kwh = p10;
    if (allP90 && p90 !== undefined) point.p90Kwh = p90;
    out.push(point);
  }
  return out;
}

export function ratePoint(startMs: number, endMs: number, pricePerKwh: number): RatePoint {
  return { startMs, endMs, pricePerKwh };
}
