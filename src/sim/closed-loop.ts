// The closed loop, pure: replan at every slot from the forecasts (corrected by the actuals of the
// slots already over, never by future ones), execute the current slot's command in inverter
// modes against the actual load and PV, settle, and carry the measured SOC into the next replan.
// `battery-planner simulate` and the backtest benchmark run this; the runtime does the same steps
// through its ports.
import { commandForSlot } from "../core/decide.js";
import { executeMode, type ModeCommand } from "../core/modes.js";
import { optimise } from "../core/optimiser.js";
import { slotCost, slotHours } from "../core/physics.js";
import type { Mode, Plan, PlanProblem, PlanSlot, SlotInput } from "../core/types.js";
import { correctionFactors, LOAD_CORRECTION, PV_CORRECTION } from "./forecast-correction.js";

export interface SlotActual {
  loadKwh: number;
  pvKwh: number;
}

export interface ClosedLoopOptions {
  /** Scale the remaining forecast by the recent forecast error. Default true. */
  correctForecasts?: boolean;
  /** Execute every slot in self-use, ignoring the plan (the "self-use only" baseline). */
  selfUseOnly?: boolean;
  /** Changes the command before it is executed (to compare execution policies). */
  adjustCommand?: (command: ModeCommand, planned: PlanSlot) => ModeCommand;
  /** Plan function; the core optimiser unless a test injects another. */
  plan?: (problem: PlanProblem) => Plan;
}

export interface ClosedLoopResult {
  slots: PlanSlot[];
  netCost: number;
  finalSocKwh: number;
  replans: number;
}

export function runClosedLoop(
  problem: PlanProblem,
  actuals: readonly SlotActual[],
  options: ClosedLoopOptions = {},
): ClosedLoopResult {
  const plan = options.plan ?? optimise;
  const correct = options.correctForecasts ?? true;
  const { battery, grid } = problem;
  let socKwh = problem.initialSocKwh;
  let previous: Map<number, Mode> | undefined;
  const realised: PlanSlot[] = [];
  let replans = 0;

  problem.slots.forEach((slot, i) => {
    const actual = actuals[i] ?? { loadKwh: slot.loadKwh, pvKwh: slot.pvKwh };
    let command: ModeCommand = { mode: "self-use" };
    if (!options.selfUseOnly) {
      const remaining = correct ? correctedSlots(problem.slots, actuals, i) : problem.slots.slice(i);
      const sub: PlanProblem = { ...problem, slots: remaining, initialSocKwh: socKwh };
      if (previous) sub.previous = { modesByStartMs: previous };
      const next = plan(sub);
      replans++;
      previous = new Map(next.slots.map((s) => [s.startMs, s.mode]));
      const first = next.slots[0];
      if (first) {
        const cmd = commandForSlot(
          first,
          slot.startMs,
          (socKwh / battery.capacityKwh) * 100,
          battery.capacityKwh,
          battery,
        );
        command = { mode: cmd.mode };
        if (cmd.targetSocPct !== undefined)
          command.targetSocKwh = (cmd.targetSocPct / 100) * battery.capacityKwh;
        if (cmd.powerW !== undefined) command.powerW = cmd.powerW;
        if (options.adjustCommand) command = options.adjustCommand(command, first);
      }
    }
    const settle = {
      loadKwh: actual.loadKwh,
      pvKwh: actual.pvKwh,
      exportPricePerKwh: slot.exportPricePerKwh,
    };
    const outcome = executeMode(command, settle, socKwh, battery, grid, slotHours(slot));
    const cost = slotCost(
      { ...settle, importPricePerKwh: slot.importPricePerKwh },
      outcome,
      outcome.dischargeKwh,
      battery.cycleCostPerKwh,
    );
    const powerW = command.mode === "charge" || command.mode === "export" ? (command.powerW ?? 0) : 0;
    realised.push({
      startMs: slot.startMs,
      endMs: slot.endMs,
      mode: command.mode,
      targetSocKwh: command.targetSocKwh ?? outcome.socKwh,
      powerW: command.mode === "export" ? -Math.abs(powerW) : powerW,
      chargeKwh: outcome.chargeKwh,
      dischargeKwh: outcome.dischargeKwh,
      importKwh: outcome.importKwh,
      exportKwh: outcome.exportKwh,
      curtailedKwh: outcome.curtailedKwh,
      socKwh: outcome.socKwh,
      cost,
      importPricePerKwh: slot.importPricePerKwh,
      exportPricePerKwh: slot.exportPricePerKwh,
      loadKwh: actual.loadKwh,
      pvKwh: actual.pvKwh,
    });
    socKwh = outcome.socKwh;
  });

  const slotsCost = realised.reduce((sum, s) => sum + s.cost, 0);
  const netCost = slotsCost - problem.terminalValuePerKwh * (socKwh - problem.initialSocKwh);
  return { slots: realised, netCost, finalSocKwh: socKwh, replans };
}

/** Slots from `index` on, with load and PV scaled by the error seen in the slots before it. */
export function correctedSlots(
  slots: readonly SlotInput[],
  actuals: readonly SlotActual[],
  index: number,
): SlotInput[] {
  const past = slots.slice(0, index);
  const now = slots[index]?.startMs ?? 0;
  const rest = slots.slice(index);
  const hours = rest.map((s) => (s.startMs - now) / 3_600_000);
  const loadFactors = correctionFactors(
    past.map((s, i) => ({ forecastKwh: s.loadKwh, actualKwh: actuals[i]?.loadKwh ?? s.loadKwh })),
    hours,
    LOAD_CORRECTION,
  );
  const pvFactors = correctionFactors(
    past.map((s, i) => ({ forecastKwh: s.pvKwh, actualKwh: actuals[i]?.pvKwh ?? s.pvKwh })),
    hours,
    PV_CORRECTION,
  );
  return rest.map((s, i) => ({ ...s, loadKwh: s.loadKwh * loadFactors[i]!, pvKwh: s.pvKwh * pvFactors[i]! }));
}

/** The same problem with the forecasts replaced by what happened: perfect foresight. */
export function withActuals(problem: PlanProblem, actuals: readonly SlotActual[]): PlanProblem {
  return {
    ...problem,
    slots: problem.slots.map((s, i) => ({
      ...s,
      loadKwh: actuals[i]?.loadKwh ?? s.loadKwh,
      pvKwh: actuals[i]?.pvKwh ?? s.pvKwh,
    })),
  };
}
