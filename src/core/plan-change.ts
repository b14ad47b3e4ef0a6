// Whether a new plan changes what the battery will be told to do: the one rule behind
// `battery_planner_plan_changed` (the runtime asks it, the HA event repeats it). A recompute that
// keeps every mode, or that only drops past slots, is not a change; automations listen for
// actions, not for arithmetic.
import type { Mode } from "./types.js";

export interface ModeSlot {
  startMs: number;
  endMs: number;
  mode: Mode;
}

/** The mode in force at `atMs`, or undefined outside the slots (sorted, as plans are). */
function modeAt(slots: readonly ModeSlot[], atMs: number): Mode | undefined {
  let lo = 0;
  let hi = slots.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = slots[mid]!;
    if (atMs < s.startMs) hi = mid - 1;
    else if (atMs >= s.endMs) lo = mid + 1;
    else return s.mode;
  }
  return undefined;
}

/**
 * True when the new plan's modes differ from the previous plan's:
 * - there was no previous plan and the new one has slots;
 * - a new slot starts at an instant the previous plan covered, in a different mode (the grids may
 *   differ: a partial first slot, 5- or 30-minute slots);
 * - a new slot starts where the previous plan had nothing (tomorrow's rates arrived, the horizon
 *   moved on) and is not self-use: a new charge, hold or export is an action to announce, while
 *   more self-use is what the inverter does anyway.
 */
export function modesChanged(previous: readonly ModeSlot[] | undefined, next: readonly ModeSlot[]): boolean {
  if (!previous) return next.length > 0;
  for (const slot of next) {
    const old = modeAt(previous, slot.startMs);
    if (old === undefined ? slot.mode !== "self-use" : old !== slot.mode) return true;
  }
  return false;
}
