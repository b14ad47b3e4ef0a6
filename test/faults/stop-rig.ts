// A real add-on process (`node src/main.ts` through tsx, as the image runs dist/main.js) against the
// HA simulator behind a proxy that can stop answering, controlling a simulated Sungrow over Modbus
// TCP. Used by the stop fault cases: SIGTERM while something never answers.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../../src/config/load.js";
import { bindingFromOptions } from "../../src/control/ha-services/index.js";
import type { Mode } from "../../src/core/types.js";
import { parseScenario } from "../../src/scenario/index.js";
import { type HaSim, startHaSimForScenario } from "../../src/sim/ha/index.js";
import { type FakeInverter, startFakeInverter } from "../../src/sim/modbus/fake-inverter.js";
import { seedStates } from "../control/ha-services/sim-setup.js";
import { type HangingHttpProxy, startHangingHttpProxy } from "../fakes/hanging-http-proxy.js";
import { timeUntil } from "./record.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const TOKEN = "stop-token";

export interface AddonProcess {
  sim: HaSim;
  inverter: FakeInverter;
  proxy: HangingHttpProxy;
  child: ChildProcess;
  lines: string[];
  /** Resolves with the exit code when the process has exited. */
  exited: Promise<number | null>;
  close(): Promise<void>;
}

/** Starts the add-on process and waits until it says it runs: over Modbus, or through GivTCP's entities. */
export async function startAddonProcess(control: "modbus" | "givtcp" = "modbus"): Promise<AddonProcess> {
  const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
  const { sim, seed } = await startHaSimForScenario(scenario, { token: TOKEN });
  const inverter = await startFakeInverter({ profile: "sungrow-sh", socPct: 60, capacityKwh: 9.5 });
  const proxy = await startHangingHttpProxy(sim.port);
  const dir = await mkdtemp(join(tmpdir(), "bp-stop-"));
  const optionsFile = join(dir, "options.json");
  const options = {
    ...seed.options,
    control:
      control === "modbus"
        ? {
            method: "modbus",
            modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh", timeout_ms: 1000 },
          }
        : { method: "ha_services", profile: "givtcp", entity_prefix: "givtcp_ce1234" },
    mqtt: { mode: "never" },
  };
  if (control === "givtcp") {
    for (const state of seedStates(bindingFromOptions(parseConfig(options).control))) {
      if (!sim.getState(state.entity_id)) sim.setState(state.entity_id, state.state, state.attributes);
    }
  }
  await writeFile(optionsFile, JSON.stringify(options));
  const env: Record<string, string | undefined> = { ...process.env, HA_URL: proxy.url, HA_TOKEN: TOKEN };
  delete env.SUPERVISOR_TOKEN;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "--options", optionsFile, "--data", join(dir), "--port", "0"],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    await proxy.close();
    await inverter.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await timeUntil(() => {
      if (child.exitCode !== null) throw new Error(`the add-on exited: ${lines.join("\n")}`);
      return lines.some((l) => l.includes("running; plan page"));
    }, 45_000);
  } catch (error) {
    await close();
    throw error;
  }
  return { sim, inverter, proxy, child, lines, exited, close };
}

/** What the Sungrow's setpoints tell its battery to do now (its ems_mode and command registers). */
export function sungrowMode(inverter: FakeInverter): Mode {
  if (inverter.holding("ems_mode") !== 2) return "self-use";
  const command = inverter.holding("charge_command");
  return command === 0xaa ? "charge" : command === 0xbb ? "export" : "hold";
}

/** GivTCP's mode select, as the simulated integration shows it. */
export const GIVTCP_MODE = "select.givtcp_ce1234_mode";

/** Asks the running add-on for an export through HA's event bus and waits until the inverter does it. */
export async function forceExport(
  addon: AddonProcess,
  control: "modbus" | "givtcp" = "modbus",
): Promise<void> {
  addon.sim.fireEvent("battery_planner_override", { mode: "export", duration_minutes: 60, power_w: 2000 });
  await timeUntil(
    () =>
      control === "modbus"
        ? sungrowMode(addon.inverter) === "export"
        : addon.sim.getState(GIVTCP_MODE)?.state === "Timed Export",
    20_000,
  );
}

/** SIGTERM now; how long until the inverter is back in self-use (if it is) and the process is gone. */
export async function sigterm(
  addon: AddonProcess,
  boundMs: number,
): Promise<{ restoredMs: number | undefined; exitMs: number; code: number | null }> {
  const startMs = Date.now();
  let restoredMs: number | undefined;
  const watch = setInterval(() => {
    if (restoredMs === undefined && sungrowMode(addon.inverter) === "self-use")
      restoredMs = Date.now() - startMs;
  }, 20);
  addon.child.kill("SIGTERM");
  const code = await Promise.race([
    addon.exited,
    new Promise<"late">((resolve) => setTimeout(() => resolve("late"), boundMs + 10_000)),
  ]);
  clearInterval(watch);
  if (restoredMs === undefined && sungrowMode(addon.inverter) === "self-use")
    restoredMs = Date.now() - startMs;
  if (code === "late") throw new Error(`still running ${boundMs + 10_000} ms after SIGTERM`);
  return { restoredMs, exitMs: Date.now() - startMs, code };
}
