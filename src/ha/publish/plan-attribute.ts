// The plan as a list a chart card can draw (apexcharts-card data_generator, plotly…), sized for
// HA's recorder: since HA 2023.3 a state whose attributes encode to more than 16384 bytes of JSON
// is stored without any attributes (home-assistant/core#87105). A 48 h plan at 5-minute slots is
// 576 entries, far over that, so the list is coarsened (consecutive slots of the same mode merged
// into buckets) until the whole attribute object fits a budget below the limit.
import type { Mode, PlanSlot } from "../../core/types.js";
import type { StoredPlan } from "../../runtime/ports.js";

/** HA recorder's limit for one state's attributes (JSON bytes). */
export const HA_ATTRIBUTE_LIMIT_BYTES = 16_384;
/** Ours: the limit minus room for what HA adds (friendly_name, icon, unit, device_class…). */
export const PLAN_ATTRIBUTE_BUDGET_BYTES = 14_000;

export interface PlanEntry {
  /** ISO instant (UTC) the entry starts. */
  start: string;
  mode: Mode;
  /** Planned state of charge at `start`, % of capacity. */
  socPct: number;
  /** Time-weighted mean over the entry, currency per kWh. */
  importPrice: number;
  exportPrice: number;
  /** Forecast household load and PV over the entry, kWh (what the plan was made from). */
  loadKwh: number;
  pvKwh: number;
  /** Battery AC power asked of the inverter (+ charge, − discharge); omitted when 0. */
  powerW?: number;
  /** Where a charge/export stops, % of capacity; only for charge/export. */
  targetSocPct?: number;
}

export interface PlanAttributes {
  [key: string]: unknown;
  plan: PlanEntry[];
  plan_version: number;
  /** Minutes each entry covers at most (merged slots); the slot length when nothing was merged. */
  resolution_minutes: number;
  slot_minutes: number;
  /** End of the last entry, so a chart can close the final step. */
  plan_end: string | null;
  /** The list was cut short because even the coarsest resolution did not fit. */
  truncated: boolean;
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Bytes the object takes as JSON, as HA's recorder measures it (UTF-8). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

function socAtStartKwh(stored: StoredPlan, slots: readonly PlanSlot[], index: number): number {
  if (index > 0) return slots[index - 1]!.socKwh;
  const first = slots[0]!;
  // Where the plan began is only known for the plan's own first slot; later (the first slots have
  // passed) the previous slot's end is.
  const all = stored.plan.slots;
  const at = all.indexOf(first);
  if (at > 0) return all[at - 1]!.socKwh;
  return stored.initialSocKwh ?? first.socKwh;
}

/** Groups consecutive slots of the same mode within aligned buckets of `resolutionMs`. */
function buildEntries(stored: StoredPlan, slots: readonly PlanSlot[], resolutionMs: number): PlanEntry[] {
  const capacity = stored.capacityKwh > 0 ? stored.capacityKwh : 1;
  const entries: PlanEntry[] = [];
  let i = 0;
  while (i < slots.length) {
    const first = slots[i]!;
    const bucket = Math.floor(first.startMs / resolutionMs);
    let j = i + 1;
    while (
      j < slots.length &&
      slots[j]!.mode === first.mode &&
      Math.floor(slots[j]!.startMs / resolutionMs) === bucket &&
      slots[j]!.startMs === slots[j - 1]!.endMs
    ) {
      j++;
    }
    let durationMs = 0;
    let importWeighted = 0;
    let exportWeighted = 0;
    let powerWeighted = 0;
    let loadKwh = 0;
    let pvKwh = 0;
    for (let k = i; k < j; k++) {
      const s = slots[k]!;
      const d = s.endMs - s.startMs;
      durationMs += d;
      loadKwh += s.loadKwh;
      pvKwh += s.pvKwh;
      importWeighted += s.importPricePerKwh * d;
      exportWeighted += s.exportPricePerKwh * d;
      powerWeighted += s.powerW * d;
    }
    const last = slots[j - 1]!;
    const entry: PlanEntry = {
      start: new Date(first.startMs).toISOString().replace(".000Z", "Z"),
      mode: first.mode,
      socPct: round((socAtStartKwh(stored, slots, i) / capacity) * 100, 1),
      importPrice: round(importWeighted / durationMs, 4),
      exportPrice: round(exportWeighted / durationMs, 4),
      loadKwh: round(loadKwh, 3),
      pvKwh: round(pvKwh, 3),
    };
    const powerW = Math.round(powerWeighted / durationMs);
    if (powerW !== 0) entry.powerW = powerW;
    if (first.mode === "charge" || first.mode === "export") {
      entry.targetSocPct = round((last.targetSocKwh / capacity) * 100, 1);
    }
    entries.push(entry);
    i = j;
  }
  return entries;
}

/** The grid's slot length. Not the first slot's: a plan made mid-slot starts with the rest of
 * that slot (4 of 30 minutes, say); every other slot is whole, so the longest is the grid's. */
function slotMinutesOf(slots: readonly PlanSlot[]): number {
  let longestMs = 0;
  for (const s of slots) longestMs = Math.max(longestMs, s.endMs - s.startMs);
  return Math.round(longestMs / 60_000);
}

/**
 * The plan as attributes, never larger than `budgetBytes` of JSON. Coarsens first (merging same-mode
 * slots into 15, 30, 60, 120 and 240-minute buckets: mode changes stay exact because buckets never
 * merge different modes), and only when that is not enough drops entries from the far end.
 */
export function buildPlanAttributes(
  stored: StoredPlan,
  fromMs: number,
  budgetBytes = PLAN_ATTRIBUTE_BUDGET_BYTES,
): PlanAttributes {
  const slots = stored.plan.slots.filter((s) => s.endMs > fromMs);
  const slotMinutes = slotMinutesOf(stored.plan.slots);
  const planEnd = slots.length > 0 ? new Date(slots[slots.length - 1]!.endMs).toISOString() : null;
  const resolutions = [slotMinutes, 15, 30, 60, 120, 240].filter(
    (m, idx, all) => m >= slotMinutes && all.indexOf(m) === idx,
  );
  const make = (plan: PlanEntry[], resolution: number, truncated: boolean): PlanAttributes => ({
    plan,
    plan_version: stored.planVersion,
    resolution_minutes: resolution,
    slot_minutes: slotMinutes,
    plan_end: planEnd,
    truncated,
  });
  let attributes = make([], slotMinutes, false);
  for (const minutes of resolutions) {
    attributes = make(buildEntries(stored, slots, Math.max(1, minutes) * 60_000), minutes, false);
    if (jsonBytes(attributes) <= budgetBytes) return attributes;
  }
  // Even the coarsest list is too big (a very long horizon): keep the near future.
  const entries = attributes.plan;
  let keep = entries.length;
  while (
    keep > 0 &&
    jsonBytes(make(entries.slice(0, keep), attributes.resolution_minutes, true)) > budgetBytes
  ) {
    keep = Math.floor(keep * 0.9);
  }
  return make(entries.slice(0, keep), attributes.resolution_minutes, true);
}
