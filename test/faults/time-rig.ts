// The add-on as it runs in a home, for the fault cases on time, dates and files: the HA simulator
// serving a real Agile day (shifted to today when the add-on runs on the real clock) with GivTCP
// entities to control, and the add-on either in this process on an injected clock, or as a child
// process (`node src/main.ts` with the add-on's flags) whose event loop we can watch from outside.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { type Addon, startAddon } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { bindingFromOptions } from "../../src/control/ha-services/index.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { setLogSink } from "../../src/log.js";
import type { Clock } from "../../src/runtime/ports.js";
import { parseScenario } from "../../src/scenario/index.js";
import { type HaSim, startHaSimForScenario } from "../../src/sim/ha/index.js";
import { seedStates } from "../control/ha-services/sim-setup.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
export const TOKEN = "faults-token";
export const PREFIX = "givtcp_ce1234";
export const MODE_ENTITY = `select.${PREFIX}_mode`;

export interface HomeOptions {
  /** Where the scenario's first local day starts; default: its own date (2025-01-14). */
  startMs?: number;
  /** Extra add-on options. */
  options?: Record<string, unknown>;
}

export interface Home {
  sim: HaSim;
  config: Config;
  /** The raw options, as /data/options.json would hold them. */
  options: Record<string, unknown>;
  /** The first slot of the scenario. */
  startMs: number;
}

/** The start of the local day (Europe/London) holding `ms`. */
export function localMidnight(ms: number, zone = "Europe/London"): number {
  return DateTime.fromMillis(ms, { zone }).startOf("day").toMillis();
}

export async function startHome(home: HomeOptions = {}): Promise<Home> {
  const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
  if (home.startMs !== undefined) scenario.start = new Date(home.startMs).toISOString();
  const { sim, seed } = await startHaSimForScenario(scenario, { token: TOKEN });
  const options = {
    ...seed.options,
    control: { method: "ha_services", profile: "givtcp", entity_prefix: PREFIX },
    mqtt: { mode: "never" },
    ...home.options,
  } as Record<string, unknown>;
  const config = parseConfig(options);
  for (const state of seedStates(bindingFromOptions(config.control))) {
    if (!sim.getState(state.entity_id)) sim.setState(state.entity_id, state.state, state.attributes);
  }
  return { sim, config, options, startMs: seed.startMs };
}

export function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "bp-faults-"));
}

/** The add-on in this process, on `clock`; its log lines are collected, not printed. */
export async function startAddonIn(
  home: Home,
  dataDir: string,
  clock: Clock,
): Promise<{ addon: Addon; lines: string[]; stop(): Promise<void> }> {
  const lines: string[] = [];
  const restoreLog = setLogSink((line) => lines.push(line));
  try {
    const addon = await startAddon({
      config: home.config,
      endpoints: endpointsFromBaseUrl(home.sim.url, TOKEN, "HA_TOKEN"),
      dataDir,
      clock,
      web: false,
      env: {},
    });
    return {
      addon,
      lines,
      async stop() {
        await addon.stop();
        restoreLog();
      },
    };
  } catch (error) {
    restoreLog();
    throw error;
  }
}

export interface ChildAddon {
  child: ChildProcess;
  port: number;
  lines: string[];
  /** GET a path of the add-on's web server; rejects after `timeoutMs`. */
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: unknown }>;
  /** SIGTERM, then the exit code and how long it took (SIGKILL after `timeoutMs`). */
  terminate(timeoutMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }>;
}

/** The add-on as its image starts it (`node … main.js --options --data --port`), on the real clock. */
export async function spawnAddon(home: Home, dataDir: string): Promise<ChildAddon> {
  const optionsFile = join(dataDir, "options.json");
  await writeFile(optionsFile, JSON.stringify(home.options));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "--options", optionsFile, "--data", dataDir, "--port", "0"],
    {
      env: { ...process.env, HA_URL: home.sim.url, HA_TOKEN: TOKEN, SUPERVISOR_TOKEN: undefined },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: string[] = [];
  let onLine: (() => void) | undefined;
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    onLine?.();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the add-on did not start:\n${lines.join("\n")}`)),
      30_000,
    );
    onLine = () => {
      const found = lines.map((l) => /running; plan page on port (\d+)/.exec(l)).find(Boolean);
      if (!found) return;
      clearTimeout(timer);
      onLine = undefined;
      resolve(Number(found[1]));
    };
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the add-on exited with ${code}:\n${lines.join("\n")}`));
    });
  });
  const get = async (path: string, timeoutMs = 5_000) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.json() };
  };
  const terminate = (timeoutMs = 20_000) =>
    new Promise<{ code: number | null; signal: string | null; ms: number }>((resolve) => {
      const startedMs = Date.now();
      if (child.exitCode !== null) return resolve({ code: child.exitCode, signal: null, ms: 0 });
      const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("exit", (code, signal) => {
        clearTimeout(killer);
        resolve({ code, signal, ms: Date.now() - startedMs });
      });
      child.kill("SIGTERM");
    });
  return { child, port, lines, get, terminate };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
