// From a scenario file to the core's PlanProblem, and from the core's Plan to the plan shape of
// docs/scenario-format.md ("A plan, as the planner's JSON output gives it").
import { optimise } from "../core/optimiser.js";
import type { Mode, Plan, PlanProblem, PlanSummary, SlotInput } from "../core/types.js";
import { parseScenario, type Scenario } from "./schema.js";

export function scenarioToProblem(scenario: Scenario): PlanProblem {
  const startMs = Date.parse(scenario.start);
  const slotMs = scenario.slotMinutes * 60_000;
  const slots = scenario.slots.map((s, i): SlotInput => {
    const slot: SlotInput = {
      startMs: startMs + i * slotMs,
      endMs: startMs + (i + 1) * slotMs,
      importPricePerKwh: s.importPrice,
      exportPricePerKwh: s.exportPrice,
      loadKwh: s.loadKwh,
      pvKwh: s.pvKwh,
    };
    if (s.pvP10Kwh !== undefined) slot.pvP10Kwh = s.pvP10Kwh;
    if (s.pvP90Kwh !== undefined) slot.pvP90Kwh = s.pvP90Kwh;
    return slot;
  });
  const { initialSocKwh, ...battery } = scenario.battery;
  return {
    slots,
    battery,
    grid: { maxImportKw: scenario.grid.maxImportKw, maxExportKw: scenario.grid.maxExportKw },
    initialSocKwh,
    terminalValuePerKwh: scenario.terminalValuePerKwh,
  };
}

export interface ScenarioPlanSlot {
  start: string;
  mode: Mode;
  chargeKwh: number;
  dischargeKwh: number;
  importKwh: number;
  exportKwh: number;
  curtailedKwh: number;
  socKwh: number;
  targetSocKwh: number;
  powerW: number;
  cost: number;
}

export interface ScenarioPlan {
  name: string;
  slots: ScenarioPlanSlot[];
  netCost: number;
  summary: PlanSummary;
}

export function planToScenarioPlan(name: string, plan: Plan): ScenarioPlan {
  return {
    name,
    slots: plan.slots.map((s) => ({
      start: new Date(s.startMs).toISOString(),
      mode: s.mode,
      chargeKwh: s.chargeKwh,
      dischargeKwh: s.dischargeKwh,
      importKwh: s.importKwh,
      exportKwh: s.exportKwh,
      curtailedKwh: s.curtailedKwh,
      socKwh: s.socKwh,
      targetSocKwh: s.targetSocKwh,
      powerW: s.powerW,
      cost: s.cost,
    })),
    netCost: plan.summary.netCost,
    summary: plan.summary,
  };
}

/** Plans a scenario (parsed or raw JSON) and returns the plan in the docs/scenario-format.md shape. */
export function planScenario(scenario: Scenario | unknown): ScenarioPlan {
  const parsed = parseScenario(scenario);
  return planToScenarioPlan(parsed.name, optimise(scenarioToProblem(parsed)));
}
