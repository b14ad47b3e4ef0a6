// The values of the published sensors, computed from the stored plan and the runtime status. Pure
// (an explicit now and zone), shared by the MQTT and REST publishers so both show the same thing.
import { DateTime } from "luxon";
import type { PlanSlot } from "../../core/types.js";
import type { DayScoreRecord, JobRun, RuntimeStatus, StoredPlan } from "../../runtime/ports.js";
import type { SensorKey } from "./entities.js";
import { buildPlanAttributes } from "./plan-attribute.js";

export interface SensorValue {
  /** null: unknown. */
  state: string | number | null;
  attributes?: Record<string, unknown>;
  /** ISO instant the counter last started from 0 (sensors with `lastReset` only). */
  lastReset?: string;
}

export type SensorValues = Partial<Record<SensorKey, SensorValue>>;

const iso = (ms: number) => new Date(ms).toISOString();
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function statusValues(status: RuntimeStatus): SensorValues {
  const command = status.currentCommand;
  return {
    status: {
      state: status.state,
      attributes: {
        reason: status.reason,
        control_enabled: status.controlEnabled,
        updated_at: iso(status.updatedAtMs),
        ...(command
          ? {
              command_mode: command.mode,
              command_target_soc_pct: command.targetSocPct ?? null,
              command_power_w: command.powerW ?? null,
            }
          : {}),
      },
    },
  };
}

export function planAgeValue(stored: StoredPlan | undefined, nowMs: number): SensorValues {
  if (!stored) return { plan_age: { state: null } };
  return { plan_age: { state: Math.max(0, Math.floor((nowMs - stored.computedAtMs) / 60_000)) } };
}

/** Cost of the plan's slots that overlap [fromMs, toMs) and start before toMs (the current slot
 * counts for today in full: its cost is still to come or already committed). */
function costBetween(stored: StoredPlan, fromMs: number, toMs: number): number | null {
  const slots = stored.plan.slots.filter((s) => s.endMs > fromMs && s.startMs < toMs);
  if (slots.length === 0) return null;
  return round(
    slots.reduce((sum, s) => sum + s.cost, 0),
    2,
  );
}

export function planValues(stored: StoredPlan, nowMs: number, timeZone: string): SensorValues {
  const slots = stored.plan.slots;
  const capacity = stored.capacityKwh > 0 ? stored.capacityKwh : 1;
  const pct = (kwh: number) => round((kwh / capacity) * 100, 1);
  const index = slots.findIndex((s) => s.startMs <= nowMs && nowMs < s.endMs);
  const current = index >= 0 ? slots[index] : undefined;
  const values: SensorValues = {
    plan_version: { state: stored.planVersion },
    saving: { state: round(stored.plan.summary.saving, 2) },
    plan: {
      state: iso(stored.computedAtMs),
      attributes: {
        ...buildPlanAttributes(stored, nowMs),
        reason: stored.reason,
        inputs_read_at: iso(stored.inputsReadAtMs),
        net_cost: round(stored.plan.summary.netCost, 2),
        idle_cost: round(stored.plan.summary.idleCost, 2),
      },
    },
    ...planAgeValue(stored, nowMs),
  };
  if (current && index >= 0) {
    const startKwh = index > 0 ? slots[index - 1]!.socKwh : (stored.initialSocKwh ?? current.socKwh);
    const fraction = (nowMs - current.startMs) / (current.endMs - current.startMs);
    values.current_mode = {
      state: current.mode,
      attributes: {
        slot_start: iso(current.startMs),
        slot_end: iso(current.endMs),
        power_w: current.powerW,
        import_price: current.importPricePerKwh,
        export_price: current.exportPricePerKwh,
      },
    };
    values.import_price = { state: round(current.importPricePerKwh, 4) };
    values.export_price = { state: round(current.exportPricePerKwh, 4) };
    values.target_soc = { state: pct(current.targetSocKwh) };
    values.planned_soc = { state: pct(startKwh + (current.socKwh - startKwh) * fraction) };
    const next = slots.slice(index + 1).find((s) => s.mode !== current.mode);
    values.next_mode = { state: next ? next.mode : null };
    values.next_mode_start = { state: next ? iso(next.startMs) : null };
  } else {
    // The plan does not cover now (expired or not yet started): say so rather than guess.
    values.current_mode = { state: null, attributes: {} };
    values.import_price = { state: null };
    values.export_price = { state: null };
    values.target_soc = { state: null };
    values.planned_soc = { state: null };
    const next = slots.find((s) => s.startMs > nowMs);
    values.next_mode = { state: next ? next.mode : null };
    values.next_mode_start = { state: next ? iso(next.startMs) : null };
  }
  const today = DateTime.fromMillis(nowMs, { zone: timeZone }).startOf("day");
  const tomorrow = today.plus({ days: 1 });
  const after = tomorrow.plus({ days: 1 });
  values.cost_today = { state: costBetween(stored, nowMs, tomorrow.toMillis()) };
  values.cost_tomorrow = { state: costBetween(stored, tomorrow.toMillis(), after.toMillis()) };
  return values;
}

export function jobValues(runs: ReadonlyMap<string, JobRun>): SensorValues {
  const all = [...runs.values()];
  const failing = all.filter((r) => r.outcome === "failed" || r.outcome === "timeout");
  const attributes: Record<string, unknown> = {};
  for (const run of all) {
    attributes[run.job] = {
      outcome: run.outcome,
      planned_at: iso(run.plannedAtMs),
      finished_at: run.finishedAtMs === undefined ? null : iso(run.finishedAtMs),
      attempt: run.attempt,
      ...(run.message ? { message: run.message.slice(0, 200) } : {}),
    };
  }
  return { jobs: { state: failing.length > 0 ? `${failing.length} failing` : "ok", attributes } };
}

/** What the slot would cost with the battery left idle: the house's net load bought, or its PV
 * surplus sold (or curtailed when export is paid negatively). The grid limits are not in a stored
 * plan; a slot planned within them stays within them idle in all but extreme homes. */
function idleSlotCost(slot: PlanSlot): number {
  const netKwh = slot.loadKwh - slot.pvKwh;
  if (netKwh >= 0) return netKwh * slot.importPricePerKwh;
  return slot.exportPricePerKwh >= 0 ? netKwh * slot.exportPricePerKwh : 0;
}

/** The saving the plan expects over [fromMs, toMs): each slot's idle cost minus its planned cost,
 * pro rata for the part of the slot inside the interval. */
export function plannedSavingBetween(stored: StoredPlan, fromMs: number, toMs: number): number {
  let saving = 0;
  for (const slot of stored.plan.slots) {
    const overlapMs = Math.min(slot.endMs, toMs) - Math.max(slot.startMs, fromMs);
    if (overlapMs <= 0 || slot.endMs <= slot.startMs) continue;
    saving += ((idleSlotCost(slot) - slot.cost) * overlapMs) / (slot.endMs - slot.startMs);
  }
  return saving;
}

/** The last scored day. `replayed` says the figures are what the plans would have done (dry run:
 * the battery was not driven), so a dashboard can word it so. */
export function dayScoreValues(record: DayScoreRecord): SensorValues {
  const score = record.score;
  const attributes: Record<string, unknown> = {
    date: record.date,
    day_start: iso(record.startMs),
    day_end: iso(record.endMs),
    replayed: record.replayed,
    slots_scored: record.slotsScored,
    slots_in_day: record.slotsInDay,
    scored_at: iso(record.scoredAtMs),
  };
  if (!score) {
    attributes.reason = record.reason ?? null;
    return {
      day_score: { state: null, attributes },
      day_saving: { state: null, lastReset: iso(record.startMs), attributes },
    };
  }
  Object.assign(attributes, {
    saving: round(score.saving, 2),
    possible_saving: round(score.possibleSaving, 2),
    idle_cost: round(score.idleCost, 2),
    realised_cost: round(score.realisedCost, 2),
    hindsight_cost: round(score.hindsightCost, 2),
    bill_modelled: record.bill ? round(record.bill.modelled, 2) : null,
    bill_metered: record.bill?.metered !== undefined ? round(record.bill.metered, 2) : null,
  });
  return {
    day_score: { state: round(score.share * 100, 1), attributes },
    day_saving: { state: round(score.saving, 2), lastReset: iso(record.startMs), attributes },
  };
}
