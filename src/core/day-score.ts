// How well a finished day went, in hindsight: what the home paid against what it would have paid
// with the battery idle, and against the best any plan could have done had it known the day's
// actual load and PV (the optimiser on the actuals). The share is the measure of a day:
// (idle − realised) / (idle − optimum); a day with nothing to gain scores 1.
//
// The add-on scores its own days from what HA measured (src/runtime/day-scoring.ts): the load and
// PV meters' statistics, the SOC it sampled, the prices it read. Two ways to cost the day:
// - measured (the battery was driven): the battery's flow in each slot is what its SOC did, and the
//   grid settles it against the day's load and PV on the net meter, as docs/scenario-format.md;
// - replayed (dry_run: nobody drove the battery): the commands the add-on would have sent are run
//   through the mode model (core/modes.ts) from the day's first SOC, so the figure is what the
//   plans would have saved, not what the inverter did on its own.
// Both cost the battery with the same model the hindsight optimum uses, so the share compares like
// with like; neither needs a grid meter.
import { executeMode, type ModeCommand } from "./modes.js";
import { optimise } from "./optimiser.js";
import { idleCost, settleSlot, slotCost, slotHours } from "./physics.js";
import type { BatterySpec, GridSpec, PlanProblem, SlotInput } from "./types.js";

export interface DayScore {
  /** The day's cost with the battery idle, in the home's currency. */
  idleCost: number;
  /** The hindsight optimum's net cost (stored energy gained valued at the terminal value). */
  hindsightCost: number;
  /** What the day cost (measured) or would have cost (replayed), net of stored energy gained. */
  realisedCost: number;
  /** idle − realised: what the battery saved (negative: it cost money). */
  saving: number;
  /** idle − hindsight: the most any plan could have saved. */
  possibleSaving: number;
  /** saving / possibleSaving, 1 when nothing could be saved. */
  share: number;
}

/** `actuals` is the day as it happened: its slots' loadKwh/pvKwh are the measured energies. */
export function scoreDay(actuals: PlanProblem, realisedNetCost: number): DayScore {
  const idle = idleCost(actuals);
  const hindsight = optimise(actuals).summary.netCost;
  const possible = idle - hindsight;
  const saving = idle - realisedNetCost;
  return {
    idleCost: idle,
    hindsightCost: hindsight,
    realisedCost: realisedNetCost,
    saving,
    possibleSaving: possible,
    share: possible > 1e-9 ? saving / possible : 1,
  };
}

/** A command in force from `fromMs` until the next one (or the slot's end). */
export interface CommandSpan {
  fromMs: number;
  command: ModeCommand;
}

/** One slot of a finished day: the prices in force and what the meters and the SOC said. Its
 * loadKwh and pvKwh are the measured energies (EV excluded where configured), not forecasts. */
export interface FinishedSlot extends SlotInput {
  /** Stored energy measured at the slot's start and end (the measured costing). */
  socStartKwh?: number;
  socEndKwh?: number;
  /** The add-on's commands during the slot, in time order (the replayed costing). */
  commands?: readonly CommandSpan[];
  /** What the grid meters measured, where HA's Energy dashboard names them (the bill check). */
  gridImportKwh?: number;
  gridExportKwh?: number;
}

export interface FinishedDay {
  slots: readonly FinishedSlot[];
  battery: BatterySpec;
  grid: GridSpec;
  /** Stored energy measured at the day's start. */
  initialSocKwh: number;
  terminalValuePerKwh: number;
}

/** The day as the hindsight optimum sees it. */
export function actualsProblem(day: FinishedDay): PlanProblem {
  return {
    slots: day.slots.map((s) => ({
      startMs: s.startMs,
      endMs: s.endMs,
      importPricePerKwh: s.importPricePerKwh,
      exportPricePerKwh: s.exportPricePerKwh,
      loadKwh: s.loadKwh,
      pvKwh: s.pvKwh,
    })),
    battery: day.battery,
    grid: day.grid,
    initialSocKwh: Math.min(day.battery.capacityKwh, Math.max(0, day.initialSocKwh)),
    terminalValuePerKwh: day.terminalValuePerKwh,
  };
}

/** A day's cost in parts: what the supplier bills, the battery's wear, the energy it gained. */
export interface DayCosting {
  billCost: number;
  wearCost: number;
  storedGainKwh: number;
  /** bill + wear − terminal value × stored gain: FORMAT.md's netCost. */
  netCost: number;
}

/**
 * The day's cost from the measured SOC: a slot whose stored energy rose charged that much
 * through the charge efficiency, one whose energy fell delivered it through the discharge
 * efficiency; the rest came from or went to the grid. Every slot needs both SOC readings.
 */
export function measuredCosting(day: FinishedDay): DayCosting {
  const { battery, grid } = day;
  let billCost = 0;
  let wearCost = 0;
  let lastSocKwh = day.initialSocKwh;
  for (const slot of day.slots) {
    if (slot.socStartKwh === undefined || slot.socEndKwh === undefined)
      throw new RangeError(`slot at ${new Date(slot.startMs).toISOString()} has no measured SOC`);
    const storedKwh = slot.socEndKwh - slot.socStartKwh;
    const chargeKwh = storedKwh > 0 ? storedKwh / battery.chargeEfficiency : 0;
    const dischargeKwh = storedKwh < 0 ? -storedKwh * battery.dischargeEfficiency : 0;
    const flows = settleSlot(slot, chargeKwh, dischargeKwh, grid, slotHours(slot));
    billCost += slotCost(slot, flows, 0, 0);
    wearCost += dischargeKwh * battery.cycleCostPerKwh;
    lastSocKwh = slot.socEndKwh;
  }
  const storedGainKwh = lastSocKwh - day.initialSocKwh;
  return {
    billCost,
    wearCost,
    storedGainKwh,
    netCost: billCost + wearCost - day.terminalValuePerKwh * storedGainKwh,
  };
}

export function measuredNetCost(day: FinishedDay): number {
  return measuredCosting(day).netCost;
}

/** What the grid meters say the day cost at its rates; undefined unless every slot has both. */
export function meteredBillCost(day: FinishedDay): number | undefined {
  let cost = 0;
  for (const slot of day.slots) {
    if (slot.gridImportKwh === undefined || slot.gridExportKwh === undefined) return undefined;
    cost += slot.gridImportKwh * slot.importPricePerKwh - slot.gridExportKwh * slot.exportPricePerKwh;
  }
  return cost;
}

/**
 * What the day would have cost had the inverter done what the add-on asked: each span of a slot
 * runs its command against that span's share of the measured load and PV, from the day's first
 * SOC. A slot without commands is self-use (what the battery does when nobody drives it).
 */
export function replayedNetCost(day: FinishedDay): number {
  const { battery, grid } = day;
  let socKwh = Math.min(battery.capacityKwh, Math.max(0, day.initialSocKwh));
  let cost = 0;
  for (const slot of day.slots) {
    const pieces = spanPieces(slot, slot.commands ?? []);
    const slotMs = slot.endMs - slot.startMs;
    for (const piece of pieces) {
      const fraction = (piece.endMs - piece.startMs) / slotMs;
      const part = {
        loadKwh: slot.loadKwh * fraction,
        pvKwh: slot.pvKwh * fraction,
        exportPricePerKwh: slot.exportPricePerKwh,
        importPricePerKwh: slot.importPricePerKwh,
      };
      const outcome = executeMode(piece.command, part, socKwh, battery, grid, slotHours(piece));
      cost += slotCost(part, outcome, outcome.dischargeKwh, battery.cycleCostPerKwh);
      socKwh = outcome.socKwh;
    }
  }
  return cost - day.terminalValuePerKwh * (socKwh - day.initialSocKwh);
}

const SELF_USE: ModeCommand = { mode: "self-use" };

/** The slot cut where its command changes; before the first span (and with none) self-use. */
function spanPieces(
  slot: FinishedSlot,
  spans: readonly CommandSpan[],
): { startMs: number; endMs: number; command: ModeCommand }[] {
  const inside = spans.filter((s) => s.fromMs < slot.endMs);
  // The span in force at the slot's start is the last one that began at or before it.
  let current = SELF_USE;
  const later: CommandSpan[] = [];
  for (const span of inside) {
    if (span.fromMs <= slot.startMs) current = span.command;
    else later.push(span);
  }
  const pieces: { startMs: number; endMs: number; command: ModeCommand }[] = [];
  let fromMs = slot.startMs;
  for (const span of later) {
    if (span.fromMs > fromMs) pieces.push({ startMs: fromMs, endMs: span.fromMs, command: current });
    current = span.command;
    fromMs = Math.max(fromMs, span.fromMs);
  }
  pieces.push({ startMs: fromMs, endMs: slot.endMs, command: current });
  return pieces;
}
