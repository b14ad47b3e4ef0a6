// The closed loop through the real runtime: for every slot, step the clock to its start, run
// planOnce (forced: the loop replans every slot) and executeOnce against the simulated inverter,
// then let the slot happen with the actual load and PV. Reports the realised flows per slot.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../config/load.js";
import { slotCost } from "../core/physics.js";
import type { PlanSlot } from "../core/types.js";
import { createLogger, type Logger } from "../log.js";
import type { PlanPublisher } from "../runtime/ports.js";
import { createRuntime } from "../runtime/runtime.js";
import { parseScenario, type Scenario, scenarioToProblem } from "../scenario/index.js";
import type { ClosedLoopResult } from "./closed-loop.js";
import { ScenarioInputs, SimulatedInverter, SteppingClock } from "./simulated-home.js";

const quietPublisher: PlanPublisher = {
  publishPlan: async () => undefined,
  publishStatus: async () => undefined,
};

export function scenarioConfig(scenario: Scenario) {
  const b = scenario.battery;
  const hours = (scenario.slots.length * scenario.slotMinutes) / 60;
  // The battery is the scenario's own (validated by its format, which allows what no person's
  // options would, e.g. 0 kW): set after the options' typo-catching ranges.
  const battery = {
    soc_entity: "sensor.simulated_soc",
    capacity_kwh: b.capacityKwh,
    reserve_pct: (b.minSocKwh / b.capacityKwh) * 100,
    max_charge_kw: Math.max(b.maxChargeKw, 1e-6),
    max_discharge_kw: Math.max(b.maxDischargeKw, 1e-6),
    charge_efficiency: b.chargeEfficiency,
    discharge_efficiency: b.dischargeEfficiency,
    cycle_cost_per_kwh: b.cycleCostPerKwh,
  };
  const config = parseConfig({
    timezone: scenario.timezone,
    battery: {
      ...battery,
      capacity_kwh: 10,
      max_charge_kw: 1,
      max_discharge_kw: 1,
      charge_efficiency: 1,
      discharge_efficiency: 1,
    },
    grid: { max_import_kw: 1, max_export_kw: 1 },
    import_tariff: { source: "fixed", default_price: 0 },
    control: { method: "modbus", enabled: true, modbus: { host: "127.0.0.1" } },
    planner: {
      slot_minutes: scenario.slotMinutes,
      horizon_hours: Math.min(72, Math.max(6, Math.ceil(hours))),
      terminal_value_per_kwh: scenario.terminalValuePerKwh,
    },
  });
  return {
    ...config,
    battery: { ...config.battery, ...battery },
    grid: { max_import_kw: scenario.grid.maxImportKw, max_export_kw: scenario.grid.maxExportKw },
  };
}

export async function simulateScenario(
  raw: unknown,
  options: { correctForecasts?: boolean; log?: Logger } = {},
): Promise<ClosedLoopResult & { name: string }> {
  const scenario = parseScenario(raw);
  const problem = scenarioToProblem(scenario);
  const actuals = scenario.slots.map((s) => ({
    loadKwh: s.actualLoadKwh ?? s.loadKwh,
    pvKwh: s.actualPvKwh ?? s.pvKwh,
  }));
  const inverter = new SimulatedInverter(problem.initialSocKwh, problem.battery, problem.grid);
  const clock = new SteppingClock(problem.slots[0]?.startMs ?? 0);
  const dataDir = await mkdtemp(join(tmpdir(), "battery-planner-simulate-"));
  try {
    const runtime = await createRuntime({
      inputs: new ScenarioInputs(problem, actuals, inverter, options.correctForecasts ?? true),
      publisher: quietPublisher,
      controllers: { modbus: inverter },
      dataDir,
      clock,
      config: scenarioConfig(scenario),
      log: options.log ?? createLogger("simulate"),
    });
    const realised: PlanSlot[] = [];
    let replans = 0;
    for (const [i, slot] of problem.slots.entries()) {
      clock.now = slot.startMs;
      const planned = await runtime.planOnce({ reason: "slot", force: true });
      if (planned.ok) replans++;
      await runtime.executeOnce({ refetchInverter: true });
      const actual = actuals[i]!;
      const command = inverter.command;
      const outcome = inverter.runSlot(slot, actual);
      const settle = {
        ...actual,
        importPricePerKwh: slot.importPricePerKwh,
        exportPricePerKwh: slot.exportPricePerKwh,
      };
      const powerW =
        command.mode === "charge"
          ? (command.powerW ?? 0)
          : command.mode === "export"
            ? -(command.powerW ?? 0)
            : 0;
      realised.push({
        startMs: slot.startMs,
        endMs: slot.endMs,
        mode: command.mode,
        targetSocKwh:
          command.targetSocPct === undefined
            ? outcome.socKwh
            : (command.targetSocPct / 100) * problem.battery.capacityKwh,
        powerW,
        chargeKwh: outcome.chargeKwh,
        dischargeKwh: outcome.dischargeKwh,
        importKwh: outcome.importKwh,
        exportKwh: outcome.exportKwh,
        curtailedKwh: outcome.curtailedKwh,
        socKwh: outcome.socKwh,
        cost: slotCost(settle, outcome, outcome.dischargeKwh, problem.battery.cycleCostPerKwh),
        importPricePerKwh: slot.importPricePerKwh,
        exportPricePerKwh: slot.exportPricePerKwh,
        loadKwh: actual.loadKwh,
        pvKwh: actual.pvKwh,
      });
    }
    const finalSocKwh = inverter.socKwh;
    const netCost =
      realised.reduce((sum, s) => sum + s.cost, 0) -
      problem.terminalValuePerKwh * (finalSocKwh - problem.initialSocKwh);
    return { name: scenario.name, slots: realised, netCost, finalSocKwh, replans };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
