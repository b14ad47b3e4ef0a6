// The digital twin: the add-on's own composition (startAddon: HA inputs, readers, the load
// forecaster, publisher, scheduler, executor, the Modbus controller) against the HA simulator and a
// simulated inverter over Modbus TCP that replay a home-history day, on a virtual clock. Only the
// world is simulated. After every timer (and every world step) the twin waits until the add-on is
// quiet — HA's events delivered, plans and writes finished — before time moves on, so the same
// day always gives the same result, in seconds.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Addon, startAddon } from "../../app.js";
import { parseConfig } from "../../config/load.js";
import { createModbusController } from "../../control/modbus/controller.js";
import { optimise } from "../../core/optimiser.js";
import type { Command } from "../../core/types.js";
import { endpointsFromBaseUrl } from "../../ha/endpoints.js";
import { createLogger, type Logger } from "../../log.js";
import { setDurableWrites } from "../../runtime/atomic-file.js";
import type { StoredPlan } from "../../runtime/ports.js";
import { type HaSim, startHaSim } from "../ha/index.js";
import { type HomeHistory, hindsightProblem } from "../home-history.js";
import { startFakeInverter } from "../modbus/fake-inverter.js";
import { VirtualClock } from "../virtual-clock.js";
import { seedHomeHistory } from "./seed.js";
import { HouseWorld, type SettledSlot } from "./world.js";

const TOKEN = "twin-long-lived-token";

export type TwinSlot = SettledSlot;

export interface TwinOptions {
  /** "addon": the add-on runs the battery; "self-use": nobody does (the inverter's own mode). */
  control?: "addon" | "self-use";
  log?: Logger;
  /** Called as each slot is settled. */
  onSlot?(slot: TwinSlot): void;
  /** Called once the add-on is up, before the day runs (the demo prints the first plan). */
  onStarted?(addon: Addon): void | Promise<void>;
  /** Serve the plan page (the demo); default none. */
  web?: { host: string; port: number };
  /** Called at the end of the day while the add-on still runs (the demo may keep serving). */
  beforeStop?(addon: Addon): Promise<void>;
  /** Options a user could set, on top of what the home history implies (e.g. planner.pv_risk_aversion). */
  options?: { planner?: Record<string, unknown>; schedule?: Record<string, unknown> };
}

export interface TwinResult {
  name: string;
  slots: TwinSlot[];
  /** Σ slot costs (import − export + cycle wear). */
  billCost: number;
  /** The bill less the value of the energy the battery gained (FORMAT.md's netCost). */
  netCost: number;
  finalSocKwh: number;
  planVersions: number;
  inverterWrites: number;
  firstPlan?: StoredPlan;
}

export function commandText(command: Command | undefined): string {
  if (!command) return "-";
  const parts: string[] = [command.mode];
  // Only charge and export stop at a target; hold and self-use carry one for PV charging.
  if (command.mode === "charge" || command.mode === "export") {
    if (command.powerW !== undefined) parts.push(`${Math.round(command.powerW)} W`);
    if (command.targetSocPct !== undefined) parts.push(`to ${command.targetSocPct.toFixed(0)}%`);
  }
  return parts.join(" ");
}

export async function runTwinDay(history: HomeHistory, options: TwinOptions = {}): Promise<TwinResult> {
  const log = options.log ?? createLogger("twin");
  const startMs = Date.parse(history.start);
  const seed = seedHomeHistory(history);
  const { battery } = history;
  // A plan per replan goes to a throw-away directory: no need to fsync each one.
  setDurableWrites(false);
  const sim = await startHaSim({ token: TOKEN, states: seed.states, timeZone: history.timezone });
  sim.setStatistics(seed.options.load!.consumption_entity!, seed.statistics);
  const reservePct = (battery.minSocKwh / battery.capacityKwh) * 100;
  const inverter = await startFakeInverter({
    profile: "sungrow-sh",
    socPct: (battery.initialSocKwh / battery.capacityKwh) * 100,
    capacityKwh: battery.capacityKwh,
    maxChargeW: battery.maxChargeKw * 1000,
    maxDischargeW: battery.maxDischargeKw * 1000,
    reservePct,
    chargeEfficiency: battery.chargeEfficiency,
    dischargeEfficiency: battery.dischargeEfficiency,
  });
  const clock = new VirtualClock(startMs);
  const world = new HouseWorld(history, inverter, sim, seed);
  const dataDir = await mkdtemp(join(tmpdir(), "battery-planner-twin-"));
  const slots: TwinSlot[] = [];
  let addon: Addon | undefined;
  let firstPlan: StoredPlan | undefined;
  try {
    if ((options.control ?? "addon") === "addon") {
      const config = parseConfig({
        ...seed.options,
        planner: { ...seed.options.planner, ...options.options?.planner },
        schedule: { ...seed.options.schedule, ...options.options?.schedule },
        control: {
          method: "modbus",
          modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh", gap_ms: 0 },
        },
      });
      // The production controller; only its read-back wait is shortened (the simulated
      // inverter applies a write at once, and the wait is real time, not the twin's).
      const controller = createModbusController(
        {
          profile: "sungrow-sh",
          host: inverter.host,
          port: inverter.port,
          unit_id: inverter.unitId,
          gap_ms: 0,
          settle_ms: 0,
          limits: {
            maxChargeW: battery.maxChargeKw * 1000,
            maxDischargeW: battery.maxDischargeKw * 1000,
            maxImportW: history.grid.maxImportKw * 1000,
            maxExportW: history.grid.maxExportKw * 1000,
            reservePct,
          },
        },
        { clock },
      );
      addon = await startAddon({
        config,
        endpoints: endpointsFromBaseUrl(sim.url, TOKEN, "twin"),
        dataDir,
        clock,
        web: options.web ? { ...options.web, ingressOnly: false } : false,
        env: {},
        controllers: { modbus: controller },
        log,
      });
      firstPlan = addon.runtime.latestPlan();
      await options.onStarted?.(addon);
    }
    const quiet = quiescence(addon, sim, inverter, clock);
    await quiet();
    let settled = 0;
    const collect = () => {
      for (; settled < world.slots.length; settled++) {
        const slot = world.slots[settled]!;
        slots.push(slot);
        options.onSlot?.(slot);
      }
    };
    while (clock.nowMs() < world.endMs) {
      const nowMs = clock.nowMs();
      const nextMs = Math.min(clock.nextDueMs() ?? Number.POSITIVE_INFINITY, world.nextStepMs(nowMs));
      if (nextMs > nowMs) {
        // The physics of [now, next) happen with the setpoints as they are, before any timer at next.
        const changed = world.runUntil(nextMs, commandText(addon?.runtime.status().currentCommand));
        clock.moveTo(nextMs);
        collect();
        if (changed) await quiet();
      }
      while (clock.fireNext()) await quiet();
    }
    collect();
    const planVersions = addon?.runtime.latestPlan()?.planVersion ?? 0;
    if (addon && options.beforeStop) await options.beforeStop(addon);
    const billCost = slots.reduce((sum, s) => sum + s.cost, 0);
    const finalSocKwh = world.socKwh;
    return {
      name: history.name,
      slots,
      billCost,
      netCost: billCost - history.terminalValuePerKwh * (finalSocKwh - battery.initialSocKwh),
      finalSocKwh,
      planVersions,
      inverterWrites: inverter.writes.length,
      ...(firstPlan ? { firstPlan } : {}),
    };
  } finally {
    await addon?.stop();
    await inverter.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The hindsight optimum of the day (perfect foresight, the pure optimiser). */
export function hindsightCost(history: HomeHistory): number {
  return optimise(hindsightProblem(history)).summary.netCost;
}

/**
 * Resolves once the add-on has nothing left to do at this instant: events HA sent have arrived
 * (a get_config round trip on the same socket comes back after them), triggered plans and writes
 * are done, and two rounds in a row armed no timer and sent nothing.
 */
function quiescence(
  addon: Addon | undefined,
  sim: HaSim,
  inverter: { writes: unknown[] },
  clock: VirtualClock,
): () => Promise<void> {
  let probes = 0;
  const signature = () =>
    `${clock.signature()}|${sim.received.length - probes}|${sim.serviceCalls.length}|${inverter.writes.length}`;
  return async () => {
    if (!addon) return;
    let before = "";
    for (let round = 0; round < 50; round++) {
      probes++;
      await addon.ha.getConfig();
      await turns(3);
      await Promise.all([addon.scheduler.whenIdle(), addon.runtime.whenIdle(), addon.jobs.whenIdle()]);
      await turns(2);
      const now = signature();
      if (now === before) return;
      before = now;
    }
  };
}

async function turns(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
