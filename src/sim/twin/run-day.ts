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
import type { Command } from "../../core/types.js";
import { endpointsFromBaseUrl } from "../../ha/endpoints.js";
import { createLogger, type Logger } from "../../log.js";
import { setDurableWrites } from "../../runtime/atomic-file.js";
import type { StoredPlan } from "../../runtime/ports.js";
import { type HaSim, startHaSim } from "../ha/index.js";
import { type HomeHistory, withPerfectForecasts } from "../home-history.js";
import { type FakeInverter, startFakeInverter } from "../modbus/fake-inverter.js";
import { VirtualClock } from "../virtual-clock.js";
import { quiescence } from "./quiet.js";
import { assertConsecutive } from "./runs.js";
import { seedHomeHistory, type TwinSeed } from "./seed.js";
import { HouseWorld, type SettledSlot } from "./world.js";

const TOKEN = "twin-long-lived-token";

export type TwinSlot = SettledSlot;

export interface TwinOptions {
  /** "addon": the add-on runs the battery; "self-use": nobody does (the inverter's own mode);
   * "dry-run": the add-on runs with `control.method: dry_run`, planning and scoring but never
   * writing, so the inverter stays in its own mode. */
  control?: "addon" | "self-use" | "dry-run";
  log?: Logger;
  /** Called as each slot is settled. */
  onSlot?(slot: TwinSlot): void;
  /** Called once the add-on is up, before the day runs (the demo prints the first plan). */
  onStarted?(addon: Addon): void | Promise<void>;
  /** Serve the plan page (the demo); default none. */
  web?: { host: string; port: number };
  /** Called at the end of the run while the add-on still runs and HA still serves (the demo may
   * keep serving; a test reads the simulator's final states and the add-on's runtime). */
  beforeStop?(addon: Addon, sim: HaSim): Promise<void>;
  /** Options a user could set, on top of what the home history implies (e.g. planner.pv_risk_aversion). */
  options?: { planner?: Record<string, unknown>; schedule?: Record<string, unknown> };
  /** Every day's forecasts are what happened (withPerfectForecasts; in a run, each midnight too). */
  perfectForecasts?: boolean;
}

export interface TwinResult {
  name: string;
  slots: TwinSlot[];
  /** Σ slot costs (import − export + cycle wear). */
  billCost: number;
  /** The bill less the value of the energy the battery gained (FORMAT.md's netCost). */
  netCost: number;
  /** Stored energy at the start (in a run, as the previous day left it) and at the end. */
  startSocKwh: number;
  finalSocKwh: number;
  planVersions: number;
  inverterWrites: number;
  firstPlan?: StoredPlan;
}

/** A run of consecutive days through one add-on: the run as a whole (its net cost credits the
 * stored energy gained over the run at the last day's terminal value) and each day as it went
 * (each day's net cost at its own terminal value, from the SOC the day before left). */
export interface TwinRunResult extends TwinResult {
  days: TwinResult[];
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

/** One day (or whatever the file holds) through the twin. */
export async function runTwinDay(history: HomeHistory, options: TwinOptions = {}): Promise<TwinResult> {
  const { days: _, ...run } = await runTwinDays([history], options);
  return run;
}

/**
 * Consecutive days through one add-on process that never restarts: the battery, the meters and
 * the recorder carry over midnight, and the integrations move on as in a home (see world.ts). The
 * add-on's options are the first day's (a user sets the terminal value once).
 */
export async function runTwinDays(
  histories: readonly HomeHistory[],
  options: TwinOptions = {},
): Promise<TwinRunResult> {
  assertConsecutive(histories);
  const days = options.perfectForecasts ? histories.map(withPerfectForecasts) : [...histories];
  const first = days[0]!;
  const log = options.log ?? createLogger("twin");
  const startMs = Date.parse(first.start);
  const seed = seedHomeHistory(first, days[1]?.solcast ?? first.solcastTomorrow);
  const { battery } = first;
  // A plan per replan goes to a throw-away directory: no need to fsync each one.
  setDurableWrites(false);
  const sim = await startHaSim({ token: TOKEN, states: seed.states, timeZone: first.timezone });
  sim.setEnergyPrefs(seed.energyPrefs);
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
  const world = new HouseWorld(days, inverter, sim, seed, {
    reseedRecorderDaily: options.perfectForecasts === true,
  });
  world.publishMeters();
  const dataDir = await mkdtemp(join(tmpdir(), "battery-planner-twin-"));
  const slots: TwinSlot[] = [];
  let addon: Addon | undefined;
  let firstPlan: StoredPlan | undefined;
  try {
    if ((options.control ?? "addon") !== "self-use") {
      addon = await startTwinAddon(first, seed, sim.url, inverter, clock, dataDir, log, options);
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
    if (addon && options.beforeStop) await options.beforeStop(addon, sim);
    const writes = inverter.writes.length;
    const dayResults = splitDays(days, slots, planVersions, writes);
    const billCost = slots.reduce((sum, s) => sum + s.cost, 0);
    const finalSocKwh = world.socKwh;
    const last = days.at(-1)!;
    return {
      name: days.length === 1 ? first.name : `${first.name} … ${last.name}`,
      slots,
      billCost,
      netCost: billCost - last.terminalValuePerKwh * (finalSocKwh - battery.initialSocKwh),
      startSocKwh: battery.initialSocKwh,
      finalSocKwh,
      planVersions,
      inverterWrites: writes,
      ...(firstPlan ? { firstPlan } : {}),
      days: dayResults,
    };
  } finally {
    await addon?.stop();
    await inverter.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The add-on as a user with this home would configure it, controlling the inverter over Modbus. */
async function startTwinAddon(
  history: HomeHistory,
  seed: TwinSeed,
  haUrl: string,
  inverter: FakeInverter,
  clock: VirtualClock,
  dataDir: string,
  log: Logger,
  options: TwinOptions,
): Promise<Addon> {
  const { battery } = history;
  const reservePct = (battery.minSocKwh / battery.capacityKwh) * 100;
  const dryRun = options.control === "dry-run";
  const config = parseConfig({
    ...seed.options,
    planner: { ...seed.options.planner, ...options.options?.planner },
    schedule: { ...seed.options.schedule, ...options.options?.schedule },
    control: dryRun
      ? { method: "dry_run" }
      : {
          method: "modbus",
          modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh", gap_ms: 0 },
        },
  });
  // The production controller; only its read-back wait is shortened (the simulated
  // inverter applies a write at once, and the wait is real time, not the twin's).
  const controller = dryRun
    ? undefined
    : createModbusController(
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
  return startAddon({
    config,
    endpoints: endpointsFromBaseUrl(haUrl, TOKEN, "twin"),
    dataDir,
    clock,
    web: options.web ? { ...options.web, ingressOnly: false } : false,
    env: {},
    controllers: controller ? { modbus: controller } : {},
    log,
  });
}

/** Each day's slice of the run: its slots, bill and net cost from the SOC the day before left. */
function splitDays(
  days: readonly HomeHistory[],
  slots: readonly TwinSlot[],
  planVersions: number,
  inverterWrites: number,
): TwinResult[] {
  let socKwh = days[0]!.battery.initialSocKwh;
  let from = 0;
  return days.map((day) => {
    const endMs = Date.parse(day.start) + day.slots.length * day.slotMinutes * 60_000;
    let to = from;
    while (to < slots.length && slots[to]!.startMs < endMs) to++;
    const own = slots.slice(from, to);
    from = to;
    const startSocKwh = socKwh;
    const last = own.at(-1);
    socKwh = last ? (last.socPct / 100) * day.battery.capacityKwh : socKwh;
    const billCost = own.reduce((sum, s) => sum + s.cost, 0);
    return {
      name: day.name,
      slots: own,
      billCost,
      netCost: billCost - day.terminalValuePerKwh * (socKwh - startSocKwh),
      startSocKwh,
      finalSocKwh: socKwh,
      // Counted over the whole run: one add-on process, one plan store, one inverter.
      planVersions,
      inverterWrites,
    };
  });
}

export { hindsightCost } from "./runs.js";
