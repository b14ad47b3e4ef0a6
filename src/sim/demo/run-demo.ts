// The demo: the add-on, exactly as users run it (startAddon), against the bundled Home Assistant
// simulator serving a real Agile day with a Solcast forecast, and a simulated Sungrow inverter over
// Modbus TCP whose battery moves with what it is told and with what the house really used. Time
// is accelerated; the simulated home settles each slot against the day's actual load and PV.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Addon, startAddon } from "../../app.js";
import { parseConfig } from "../../config/load.js";
import { createModbusController } from "../../control/modbus/index.js";
import { settleSlot } from "../../core/physics.js";
import type { Command } from "../../core/types.js";
import { endpointsFromBaseUrl } from "../../ha/endpoints.js";
import { createLogger, setLogLevel } from "../../log.js";
import { systemClock } from "../../runtime/ports.js";
import type { Scenario } from "../../scenario/index.js";
import { readScenarioFile } from "../../scenario/read-file.js";
import { startHaSimForScenario } from "../ha/index.js";
import { startFakeInverter } from "../modbus/fake-inverter.js";
import { createDemoClock } from "./demo-clock.js";
import {
  EXECUTED_HEADER,
  type ExecutedSlot,
  formatBill,
  formatExecutedSlot,
  formatStoredPlan,
} from "./report.js";

export const DEFAULT_DEMO_SCENARIO = new URL(
  "../../../test/fixtures/scenarios/real-agile-20180607-big-20-agile-forecast.json",
  import.meta.url,
);

export interface DemoOptions {
  scenarioPath?: string;
  /** Simulated seconds per real second. */
  speed: number;
  /** Simulated hours to run. */
  hours: number;
  /** Keep serving the plan page after the simulated period. */
  serve: boolean;
  port: number;
  print: (line: string) => void;
  /** Show the add-on's own log (info level) on stderr. */
  verbose?: boolean;
}

export interface DemoResult {
  rows: ExecutedSlot[];
  bill: number;
  idleBill: number;
  planVersions: number;
  pageUrl: string | undefined;
}

const STEP_SIM_MS = 5 * 60_000;
const TOKEN = "demo-long-lived-token";

function commandText(command: Command | undefined): string {
  if (!command) return "-";
  const parts: string[] = [command.mode];
  // Only charge and export stop at a target; hold and self-use carry one for PV charging.
  if (command.mode === "charge" || command.mode === "export") {
    if (command.powerW !== undefined) parts.push(`${Math.round(command.powerW)} W`);
    if (command.targetSocPct !== undefined) parts.push(`to ${command.targetSocPct.toFixed(0)}%`);
  }
  return parts.join(" ");
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const print = options.print;
  setLogLevel(options.verbose ? "info" : "warning");
  const scenario: Scenario = await readScenarioFile(options.scenarioPath ?? DEFAULT_DEMO_SCENARIO);
  const slotMs = scenario.slotMinutes * 60_000;
  const { sim, seed } = await startHaSimForScenario(scenario, { token: TOKEN });
  const { battery } = scenario;
  const inverter = await startFakeInverter({
    profile: "sungrow-sh",
    socPct: (battery.initialSocKwh / battery.capacityKwh) * 100,
    capacityKwh: battery.capacityKwh,
    maxChargeW: battery.maxChargeKw * 1000,
    maxDischargeW: battery.maxDischargeKw * 1000,
    reservePct: (battery.minSocKwh / battery.capacityKwh) * 100,
  });
  const config = parseConfig({
    ...seed.options,
    battery: {
      ...seed.options.battery,
      reserve_pct: (battery.minSocKwh / battery.capacityKwh) * 100,
      charge_efficiency: battery.chargeEfficiency,
      discharge_efficiency: battery.dischargeEfficiency,
      cycle_cost_per_kwh: battery.cycleCostPerKwh,
    },
    grid: { max_import_kw: scenario.grid.maxImportKw, max_export_kw: scenario.grid.maxExportKw },
    control: {
      method: "modbus",
      modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh", unit_id: inverter.unitId },
    },
    mqtt: { mode: "never" },
    planner: { slot_minutes: scenario.slotMinutes, horizon_hours: 48 },
    log_level: "warning",
  });
  // Settle waits are real time; at demo speed a second would be a quarter of a slot.
  const controller = createModbusController({
    profile: "sungrow-sh",
    host: inverter.host,
    port: inverter.port,
    unit_id: inverter.unitId,
    settle_ms: 20,
    limits: {
      maxChargeW: battery.maxChargeKw * 1000,
      maxDischargeW: battery.maxDischargeKw * 1000,
      maxImportW: scenario.grid.maxImportKw * 1000,
      maxExportW: scenario.grid.maxExportKw * 1000,
      reservePct: config.battery.reserve_pct,
    },
  });
  const clock = createDemoClock(systemClock, options.speed, seed.startMs);
  const dataDir = await mkdtemp(join(tmpdir(), "battery-planner-demo-"));
  let addon: Addon | undefined;
  try {
    addon = await startAddon({
      config,
      endpoints: endpointsFromBaseUrl(sim.url, TOKEN, "demo"),
      dataDir,
      clock,
      web: { host: "127.0.0.1", port: options.port, ingressOnly: false },
      env: {},
      controllers: { modbus: controller },
      log: createLogger("demo"),
    });
    clock.start();
    const zone = addon.timeZone;
    const currency = (await addon.ha.getConfig()).currency ?? "GBP";
    print(
      `Home Assistant simulator: ${sim.url}   simulated inverter: modbus://${inverter.host}:${inverter.port}`,
    );
    print(`Plan page: ${addon.web?.url ?? "(none)"}`);
    const first = addon.runtime.latestPlan();
    if (first) print(formatStoredPlan(first, zone));
    else print(`No plan yet: ${addon.runtime.status().reason}`);
    print("");
    print("Executed, slot by slot (settled against what the house really used):");
    print(EXECUTED_HEADER);

    const rows = await runPhysics(addon, scenario, options, (row) => print(formatExecutedSlot(row, zone)), {
      stepInverter: (hours, loadKw, pvKw) => inverter.step(hours, loadKw, pvKw),
      publishSoc: (socPct) =>
        void sim.setState(config.battery.soc_entity, socPct.toFixed(1), {
          unit_of_measurement: "%",
          device_class: "battery",
          state_class: "measurement",
        }),
      slotMs,
    });
    const bill = rows.reduce((s, r) => s + r.cost, 0);
    const idleBill = rows.reduce((s, r) => s + r.idleCost, 0);
    const planVersions = addon.runtime.latestPlan()?.planVersion ?? 0;
    print("");
    print(formatBill(rows, currency));
    const startSocPct = (battery.initialSocKwh / battery.capacityKwh) * 100;
    print(
      `Battery: ${startSocPct.toFixed(0)}% at the start, ${(rows.at(-1)?.socPct ?? startSocPct).toFixed(0)}% at the end (the bill does not count the energy left in it)`,
    );
    print(`Plans made: ${planVersions}; inverter writes: ${inverter.writes.length}`);
    const pageUrl = addon.web?.url;
    if (options.serve && pageUrl) {
      addon.scheduler.stop();
      clock.freeze();
      print(`Serving the plan page at ${pageUrl} until Ctrl-C`);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
    return { rows, bill, idleBill, planVersions, pageUrl };
  } finally {
    await addon?.stop();
    await inverter.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface PhysicsDeps {
  stepInverter(
    hours: number,
    loadKw: number,
    pvKw: number,
  ): { batteryW: number; gridW: number; socPct: number; mode: string };
  publishSoc(socPct: number): void;
  slotMs: number;
}

/** Moves the simulated house along the accelerated clock, one settled slot at a time. */
function runPhysics(
  addon: Addon,
  scenario: Scenario,
  options: DemoOptions,
  onSlot: (row: ExecutedSlot) => void,
  deps: PhysicsDeps,
): Promise<ExecutedSlot[]> {
  const startMs = Date.parse(scenario.start);
  const endMs = startMs + Math.min(options.hours * 3_600_000, scenario.slots.length * deps.slotMs);
  const h = deps.slotMs / 3_600_000;
  const rows: ExecutedSlot[] = [];
  let simulatedUntilMs = startMs;
  let current: ExecutedSlot | undefined;

  const openSlot = (index: number): ExecutedSlot => {
    const slot = scenario.slots[index]!;
    const load = slot.actualLoadKwh ?? slot.loadKwh;
    const pv = slot.actualPvKwh ?? slot.pvKwh;
    const idle = settleSlot(
      { loadKwh: load, pvKwh: pv, exportPricePerKwh: slot.exportPrice },
      0,
      0,
      scenario.grid,
      h,
    );
    return {
      startMs: startMs + index * deps.slotMs,
      command: "-",
      inverterMode: "-",
      socPct: 0,
      batteryKwh: 0,
      importKwh: 0,
      exportKwh: 0,
      importPricePerKwh: slot.importPrice,
      exportPricePerKwh: slot.exportPrice,
      cost: 0,
      idleCost: idle.importKwh * slot.importPrice - idle.exportKwh * slot.exportPrice,
    };
  };

  const advanceTo = (targetMs: number) => {
    while (simulatedUntilMs < targetMs && simulatedUntilMs < endMs) {
      const index = Math.floor((simulatedUntilMs - startMs) / deps.slotMs);
      current ??= openSlot(index);
      const slotEndMs = startMs + (index + 1) * deps.slotMs;
      const pieceEndMs = Math.min(targetMs, slotEndMs, endMs);
      const hours = (pieceEndMs - simulatedUntilMs) / 3_600_000;
      const slot = scenario.slots[index]!;
      const loadKw = (slot.actualLoadKwh ?? slot.loadKwh) / h;
      const pvKw = (slot.actualPvKwh ?? slot.pvKwh) / h;
      const flows = deps.stepInverter(hours, loadKw, pvKw);
      current.importKwh += (Math.max(0, flows.gridW) * hours) / 1000;
      current.exportKwh += (Math.max(0, -flows.gridW) * hours) / 1000;
      current.batteryKwh += (flows.batteryW * hours) / 1000;
      current.socPct = flows.socPct;
      current.inverterMode = flows.mode;
      current.command = commandText(addon.runtime.status().currentCommand);
      deps.publishSoc(flows.socPct);
      simulatedUntilMs = pieceEndMs;
      if (pieceEndMs === slotEndMs || pieceEndMs === endMs) {
        current.cost =
          current.importKwh * current.importPricePerKwh - current.exportKwh * current.exportPricePerKwh;
        rows.push(current);
        onSlot(current);
        current = undefined;
      }
    }
  };

  return new Promise((resolve) => {
    const timer = setInterval(() => {
      advanceTo(Math.min(addon.runtime.clock.nowMs(), endMs));
      if (simulatedUntilMs >= endMs) {
        clearInterval(timer);
        resolve(rows);
      }
    }, STEP_SIM_MS / options.speed);
  });
}
