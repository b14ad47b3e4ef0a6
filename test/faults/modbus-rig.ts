// The add-on through its composition root (options → the real Modbus controller, its link state
// and reconnect wiring) on the wall clock, against the HA simulator and a simulated Sungrow over
// Modbus TCP on loopback. The fault cases break the inverter, mend it, and time the recovery.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Addon, startAddon } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { setLogSink } from "../../src/log.js";
import { parseScenario } from "../../src/scenario/index.js";
import { type HaSim, startHaSimForScenario } from "../../src/sim/ha/index.js";
import { type FakeInverter, startFakeInverter } from "../../src/sim/modbus/fake-inverter.js";
import { timeUntil } from "./record.js";
import { sungrowMode } from "./stop-rig.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const TOKEN = "modbus-fault-token";
/** The Modbus request timeout the rig configures (control.modbus.timeout_ms). */
export const REQUEST_TIMEOUT_MS = 500;

export interface ModbusRig {
  sim: HaSim;
  inverter: FakeInverter;
  addon: Addon;
  lines: string[];
  close(): Promise<void>;
}

export async function startModbusRig(): Promise<ModbusRig> {
  const lines: string[] = [];
  const restoreLog = setLogSink((line) => lines.push(line));
  const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
  const { sim, seed } = await startHaSimForScenario(scenario, { token: TOKEN });
  const inverter = await startFakeInverter({ profile: "sungrow-sh", socPct: 60, capacityKwh: 9.5 });
  const dataDir = await mkdtemp(join(tmpdir(), "bp-modbus-fault-"));
  const config = parseConfig({
    ...seed.options,
    control: {
      method: "modbus",
      modbus: {
        host: inverter.host,
        port: inverter.port,
        profile: "sungrow-sh",
        timeout_ms: REQUEST_TIMEOUT_MS,
      },
    },
    mqtt: { mode: "never" },
  });
  const addon = await startAddon({
    config,
    endpoints: endpointsFromBaseUrl(sim.url, TOKEN, "HA_TOKEN"),
    dataDir,
    web: false,
    env: {},
  });
  return {
    sim,
    inverter,
    addon,
    lines,
    close: async () => {
      await addon.stop();
      await inverter.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
      restoreLog();
    },
  };
}

/** Waits until the inverter's setpoints say `mode`; returns how long that took from `fromMs`. */
export function untilMode(rig: ModbusRig, mode: string, fromMs: number, timeoutMs = 40_000): Promise<number> {
  return timeUntil(() => sungrowMode(rig.inverter) === mode, timeoutMs, fromMs);
}

/** Waits until the add-on says, after log line `fromLine`, that it will try again. */
export function untilRetrying(rig: ModbusRig, fromLine: number, timeoutMs = 30_000): Promise<number> {
  return timeUntil(() => rig.lines.slice(fromLine).some((l) => l.includes("will try again")), timeoutMs);
}

/** Link faults: the controller probes at most 15 s apart, then one apply (src/runtime/README.md). */
export const LINK_BOUND_MS = 20_000;
/** Refused or ignored writes: the next retry is at most 60 s away, then one apply. */
export const RETRY_BOUND_MS = 65_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
