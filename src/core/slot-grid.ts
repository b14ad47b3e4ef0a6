// The planning horizon as UTC slots, and the resampling of rate and energy series onto them.
// Slots are aligned to multiples of the slot length since the epoch: for every zone whose offset
// is a whole number of slot lengths (all of them at 15/30/60 min but a handful of :45 zones) that
// is also the local wall-clock boundary, and a 23- or 25-hour local day needs no special case.
// The first slot starts at `now` when now falls inside a slot, so a plan made at 10:07 covers
// 10:07–10:30 with a third of the slot's energy rather than pretending the slot is whole.

import { BatteryPlannerError } from "../errors.js";

/**
 * Far more slots than any valid configuration makes (72 h of 5-minute slots is 864): the grid's
 * loop stops here whatever it is given, so a slot length of 0 or NaN cannot spin for ever.
 */
export const MAX_GRID_SLOTS = 7 * 24 * 12;

/** A slot grid cannot be built from these arguments (a zero, negative or NaN length, a vast horizon). */
export class SlotGridError extends BatteryPlannerError {
  override name = "SlotGridError";
}

export interface GridSlot {
  startMs: number;
  endMs: number;
}

export interface SlotGridOptions {
  nowMs: number;
  slotMinutes: number;
  horizonHours: number;
}

export function slotBoundaryAtOrBefore(ms: number, slotMinutes: number): number {
  const slotMs = slotMinutes * 60_000;
  return Math.floor(ms / slotMs) * slotMs;
}

export function nextSlotBoundary(ms: number, slotMinutes: number): number {
  return slotBoundaryAtOrBefore(ms, slotMinutes) + slotMinutes * 60_000;
}

/** Slots from now to `horizonHours` after the start of the current slot. */
export function buildSlotGrid({ nowMs, slotMinutes, horizonHours }: SlotGridOptions): GridSlot[] {
  const slotMs = slotMinutes * 60_000;
  if (!Number.isFinite(nowMs)) throw new SlotGridError(`slot grid: now (${nowMs}) is not an instant`);
  if (!Number.isFinite(slotMs) || slotMs <= 0)
    throw new SlotGridError(`slot grid: a slot length of ${slotMinutes} minutes is not positive`);
  if (!Number.isFinite(horizonHours) || horizonHours < 0)
    throw new SlotGridError(`slot grid: a horizon of ${horizonHours} hours is not a length of time`);
  if ((horizonHours * 3_600_000) / slotMs > MAX_GRID_SLOTS)
    throw new SlotGridError(
      `slot grid: ${horizonHours} h of ${slotMinutes}-minute slots is more than ${MAX_GRID_SLOTS} slots`,
    );
  const first = slotBoundaryAtOrBefore(nowMs, slotMinutes);
  const end = first + horizonHours * 3_600_000;
  const slots: GridSlot[] = [];
  // The checks above bound the count; the cap bounds the loop even so (a slot length so small
  // next to `now` that `start += slotMs` does not move it).
  for (let start = first; start < end; start += slotMs) {
    if (slots.length >= MAX_GRID_SLOTS)
      throw new SlotGridError(`slot grid: more than ${MAX_GRID_SLOTS} slots`);
    slots.push({ startMs: start === first ? nowMs : start, endMs: start + slotMs });
  }
  return slots;
}

/** A value per slot; undefined where the source says nothing about the slot. */
export interface Resampled {
  values: (number | undefined)[];
  /** Indexes of slots the source does not cover completely. */
  gaps: number[];
}

interface Interval {
  startMs: number;
  endMs: number;
}

const FULL_COVERAGE = 0.999;

function overlapMs(a: Interval, b: Interval): number {
  return Math.max(0, Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs));
}

function resample<P extends Interval>(
  points: readonly P[],
  grid: readonly GridSlot[],
  pointValue: (point: P) => number,
  combine: "average" | "energy",
): Resampled {
  const sorted = points
    .filter((p) => p.endMs > p.startMs && Number.isFinite(pointValue(p)))
    .sort((a, b) => a.startMs - b.startMs);
  const values: (number | undefined)[] = [];
  const gaps: number[] = [];
  let from = 0;
  grid.forEach((slot, index) => {
    const slotMs = slot.endMs - slot.startMs;
    while (from < sorted.length && sorted[from]!.endMs <= slot.startMs) from++;
    let coveredMs = 0;
    let weighted = 0;
    for (let i = from; i < sorted.length && sorted[i]!.startMs < slot.endMs; i++) {
      const point = sorted[i]!;
      const ms = overlapMs(point, slot);
      if (ms === 0) continue;
      coveredMs += ms;
      // Energy is spread evenly over its interval; a price holds over its whole interval.
      weighted +=
        combine === "energy"
          ? (pointValue(point) * ms) / (point.endMs - point.startMs)
          : pointValue(point) * ms;
    }
    if (Math.min(coveredMs, slotMs) < slotMs * FULL_COVERAGE) gaps.push(index);
    if (coveredMs === 0) {
      values.push(undefined);
      return;
    }
    // Dividing by the raw coverage scales a partly covered slot up to the whole slot, and
    // averages points that overlap each other (an upstream bug) instead of counting them twice.
    values.push(combine === "energy" ? (weighted * slotMs) / coveredMs : weighted / coveredMs);
  });
  return { values, gaps };
}

/** Time-weighted average price per slot (a price covering part of a slot counts for that part). */
export function resampleRates(
  points: readonly { startMs: number; endMs: number; pricePerKwh: number }[],
  grid: readonly GridSlot[],
): Resampled {
  return resample(points, grid, (p) => p.pricePerKwh, "average");
}

/**
 * Energy per slot, spread evenly over each point's interval. A slot covered only in part is
 * scaled up to the whole slot (and reported as a gap), so a half-hourly forecast that starts at
 * 10:15 still gives 10:00–10:30 a sensible value.
 */
export function resampleEnergy<P extends { startMs: number; endMs: number }>(
  points: readonly P[],
  grid: readonly GridSlot[],
  energyOf: (point: P) => number,
): Resampled {
  return resample(points, grid, energyOf, "energy");
}
