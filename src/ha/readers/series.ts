// Shared shaping of reader output: UTC [startMs, endMs) points, sorted, de-duplicated, with gaps
// reported in words. Readers never invent values for gaps; the planner decides what to do.
import { DateTime } from "luxon";
import { createLogger } from "../../log.js";
import type { EnergyPoint, RatePoint } from "../../runtime/ports.js";
import type { Parsed } from "../quantities.js";

export interface ReadResult<T> {
  points: T[];
  warnings: string[];
}

interface Interval {
  startMs: number;
  endMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The instants worth reading: the day before now (the slot under way and yesterday's context)
 * to three days ahead (the longest horizon). Anything outside is never parsed. */
export interface ReadWindow {
  fromMs: number;
  toMs: number;
}

export function planningWindow(nowMs: number): ReadWindow {
  return { fromMs: nowMs - DAY_MS, toMs: nowMs + 3 * DAY_MS };
}

/** More list entries than a year of 5-minute prices are not looked at, whatever the window. */
export const MAX_LIST_ENTRIES = 120_000;
/** A list longer than this (three days of 5-minute prices is 864) is worth one line in the log. */
export const LARGE_LIST_ENTRIES = 2_000;

// Date.parse reads a start without an offset in the process's zone; the real one is within ±14 h.
const ZONE_SLACK_MS = 14 * HOUR_MS;
const log = createLogger("ha:readers");
const logged = new Map<string, string>();

/** Logs `message` once for `key` until a different message for it comes (a replan every few
 * minutes must not repeat the same line). */
export function logOnce(key: string, message: string): void {
  if (logged.get(key) === message) return;
  if (logged.size > 200) logged.clear();
  logged.set(key, message);
  log.warn(message);
}

/** The entries of a list attribute worth parsing: at most MAX_LIST_ENTRIES, and with a window only
 * those whose start (read cheaply with Date.parse, before any schema) falls inside it; an entry
 * whose start Date.parse cannot read is kept for the real parser to judge. A large list is clipped
 * with one log line and a warning, never parsed element by element in full. */
export function clipEntries(
  source: string,
  entries: readonly unknown[],
  startOf: (entry: unknown) => unknown,
  window: ReadWindow | undefined,
): { entries: unknown[]; warnings: string[] } {
  const scanned = entries.length > MAX_LIST_ENTRIES ? entries.slice(0, MAX_LIST_ENTRIES) : entries;
  const kept = window
    ? scanned.filter((entry) => {
        const start = startOf(entry);
        const ms =
          typeof start === "string" ? Date.parse(start) : typeof start === "number" ? start : Number.NaN;
        return Number.isNaN(ms) || (ms >= window.fromMs - ZONE_SLACK_MS && ms < window.toMs + ZONE_SLACK_MS);
      })
    : [...scanned];
  if (entries.length <= LARGE_LIST_ENTRIES) return { entries: kept, warnings: [] };
  const message =
    `${source}: ${entries.length} entries, read only the ${kept.length} in the planning window` +
    (entries.length > MAX_LIST_ENTRIES ? ` of the first ${MAX_LIST_ENTRIES}` : "");
  logOnce(source, message);
  return { entries: kept, warnings: [message] };
}

/** The value under `key` of an entry that is an object (for clipEntries' startOf). */
export function field(key: string): (entry: unknown) => unknown {
  return (entry) =>
    entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>)[key] : undefined;
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

/** Which of two different prices for the same slot to keep. For import the higher one is the safe
 * side (charging then looks no cheaper than it may be); for export the lower one (exporting looks
 * no better than it may be). */
export type RatePreference = "higher" | "lower";

/** Sorts rates by start; of two points with the same start and end the same price is kept once,
 * different prices keep the `prefer` one and are named in a warning. Points with the same start
 * but different ends keep the later-listed one, as normaliseSeries does. */
export function normaliseRates(
  points: RatePoint[],
  source: string,
  prefer: RatePreference = "higher",
  zone = "UTC",
): ReadResult<RatePoint> {
  const byStart = new Map<number, RatePoint>();
  const conflicts: string[] = [];
  for (const point of points) {
    if (!(point.endMs > point.startMs)) continue;
    const seen = byStart.get(point.startMs);
    if (seen && seen.endMs === point.endMs && seen.pricePerKwh !== point.pricePerKwh) {
      const keep = (prefer === "higher") === point.pricePerKwh > seen.pricePerKwh ? point : seen;
      if (conflicts.length < 3) {
        conflicts.push(
          `${formatInstant(point.startMs, zone)} ${seen.pricePerKwh} vs ${point.pricePerKwh}, kept ${keep.pricePerKwh}`,
        );
      } else conflicts.push("");
      byStart.set(point.startMs, keep);
      continue;
    }
    byStart.set(point.startMs, point);
  }
  const sorted = [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
  if (conflicts.length === 0) return { points: sorted, warnings: [] };
  const named = conflicts.filter((c) => c !== "");
  const more = conflicts.length - named.length;
  const message =
    `${source}: ${conflicts.length} slot(s) with two different prices (${named.join("; ")}` +
    `${more > 0 ? `; ${more} more` : ""}); the ${prefer} price is used`;
  logOnce(`${source}:conflicts`, message);
  return { points: sorted, warnings: [message] };
}

export function ratePoint(startMs: number, endMs: number, pricePerKwh: number): RatePoint {
  return { startMs, endMs, pricePerKwh };
}

/** The entries of one list that were not used: how many, the first reason, and the first value
 * that was well-formed but implausible (which condemns the whole series: see plausibility.ts). */
export class Rejections {
  count = 0;
  firstReason: string | undefined;
  implausible: string | undefined;

  /** The value when parsed, else records why and gives undefined. */
  take(parsed: Parsed): number | undefined {
    if (parsed.ok) return parsed.value;
    this.reject(parsed.reason, parsed.implausible === true);
    return undefined;
  }

  reject(reason: string, implausible = false): void {
    this.count += 1;
    this.firstReason ??= reason;
    if (implausible) this.implausible ??= reason;
  }

  /** "<source>: ignored 3 malformed rate(s) (first: …)", or nothing. */
  warnings(source: string, what: string): string[] {
    if (this.count === 0) return [];
    return [`${source}: ignored ${this.count} malformed ${what}(s) (first: ${this.firstReason})`];
  }
}
