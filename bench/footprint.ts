// Resident memory of the add-on process on its own, as it runs in the image (node dist/main.js with
// the Dockerfile's flags), against an ordinary Home Assistant: the HA simulator holding 5,000 other
// entities (~10 MB of states, recorded payload shapes) that keep changing, a real mosquitto for the
// MQTT publisher, and a simulated Modbus inverter (or HA-service control). The simulators live in
// THIS process; only the add-on is measured. The bench keeps it busy: SOC changes every second, a
// replan event every two seconds, new rates every ten, 50 other entities changing every second.
// Prints median and peak RSS, or JSON with --json.
//
//   npm run build && npx tsx bench/footprint.ts [--seconds 60] [--entities 5000] [--mb 10]
//       [--control modbus|ha_services] [--no-mqtt] [--flags "--max-old-space-size=…"] [--json]
// FOOTPRINT_PRELOAD=/path/to/script.cjs preloads a script into the add-on (e.g. one that logs
// process.memoryUsage()) and prints the add-on's stderr at the end.
//
// The fault suite (test/faults/ha-5000-entities.test.ts) starts the same home through startHome.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { HaEntityState } from "../src/ha/client.js";
import { parseScenario } from "../src/scenario/index.js";
import { type HaSim, type ScenarioSeed, startHaSimForScenario } from "../src/sim/ha/index.js";
import { startFakeInverter } from "../src/sim/modbus/fake-inverter.js";
import { type Mosquitto, startMosquitto } from "../test/fakes/mosquitto.js";

/** Must match addon/Dockerfile's CMD (test/addon/dockerfile.test.ts keeps them equal). The old
 * space was chosen with this bench (5,000 entities, MQTT, Modbus, 60 s): the heap peaks near 20 MB
 * there and a year of Octopus rates in one attribute (2 MB) lifts it to ~28 MB, which killed the
 * add-on at 24 MB. 40 MB leaves that headroom for a median RSS of 77 MB (24 and 32 MB: 76, 48: 79).
 * --optimize-for-size (V8 favours smaller code and objects) took 2-4 MB off the median (81 → 77-80
 * MB in three 40 s runs on a loaded machine) for plans ~20 % slower (576 slots: 22 → 26 ms);
 * --lite-mode would take it to ~70 MB but plans 15 times slower (22 → 330 ms), which is not worth it. */
export const NODE_FLAGS = [
  "--max-semi-space-size=1",
  "--max-old-space-size=40",
  "--v8-pool-size=0",
  "--single-threaded-gc",
  "--optimize-for-size",
];

const ROOT = new URL("../", import.meta.url);
const SCENARIO = "test/fixtures/scenarios/real-agile-20180607-big-20-agile-forecast.json";

/** HA-service control through the generic profile: the entities a mode select integration has. */
export const HA_CONTROL = {
  method: "ha_services",
  profile: "generic",
  entities: {
    mode_select: "select.inverter_work_mode",
    charge_power: "number.inverter_charge_power",
    discharge_power: "number.inverter_discharge_power",
    charge_switch: "switch.inverter_force_charge",
    discharge_switch: "switch.inverter_force_discharge",
  },
} as const;

function controlStates(): HaEntityState[] {
  const now = new Date().toISOString();
  const state = (entity_id: string, value: string, attributes: Record<string, unknown>): HaEntityState => ({
    entity_id,
    state: value,
    attributes,
    last_changed: now,
    last_updated: now,
    context: { id: "01CONTROLSEED0000000000000", parent_id: null, user_id: null },
  });
  const power = { min: 0, max: 10_000, step: 1, unit_of_measurement: "W", mode: "box" };
  return [
    state(HA_CONTROL.entities.mode_select, "Self Use", {
      options: ["Self Use", "Force Charge", "Hold", "Force Discharge"],
    }),
    state(HA_CONTROL.entities.charge_power, "0", power),
    state(HA_CONTROL.entities.discharge_power, "0", power),
    state(HA_CONTROL.entities.charge_switch, "off", {}),
    state(HA_CONTROL.entities.discharge_switch, "off", {}),
  ];
}

export interface HomeOptions {
  /** Entities besides the add-on's own. */
  entities: number;
  /** Their size as get_states JSON. */
  totalBytes: number;
  control: "modbus" | "ha_services";
  mqtt: boolean;
  /** Data directory to reuse (a restart); default: a fresh one. */
  dataDir?: string;
  logLevel?: string;
}

export interface Home {
  sim: HaSim;
  seed: ScenarioSeed;
  broker?: Mosquitto;
  /** Modbus register writes so far (modbus control). */
  inverterWrites(): number;
  optionsPath: string;
  dataDir: string;
  /** One second of the home's life: SOC, a replan event, new rates, other entities changing. */
  tick(n: number): void;
  close(): Promise<void>;
}

export async function startHome(options: HomeOptions): Promise<Home> {
  const raw = JSON.parse(await readFile(new URL(SCENARIO, ROOT), "utf8"));
  // The add-on plans from the real "now", so the scenario's day is moved to today.
  const dayMs = 86_400_000;
  raw.start = new Date(Math.floor(Date.now() / dayMs) * dayMs).toISOString();
  const scenario = parseScenario(raw);
  const token = "footprint-token";
  const { sim, seed } = await startHaSimForScenario(scenario, {
    token,
    crowd: { entities: options.entities, totalBytes: options.totalBytes },
  });
  for (const state of controlStates()) sim.setState(state.entity_id, state.state, state.attributes);
  const inverter =
    options.control === "modbus"
      ? await startFakeInverter({
          profile: "sungrow-sh",
          socPct: 40,
          capacityKwh: scenario.battery.capacityKwh,
          maxChargeW: scenario.battery.maxChargeKw * 1000,
          maxDischargeW: scenario.battery.maxDischargeKw * 1000,
        })
      : undefined;
  const broker = options.mqtt ? await startMosquitto() : undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "bp-footprint-")));
  const optionsPath = join(dataDir, "options.json");
  await writeFile(
    optionsPath,
    JSON.stringify({
      ...seed.options,
      control: inverter
        ? { method: "modbus", modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh" } }
        : HA_CONTROL,
      mqtt: broker ? { mode: "always", host: broker.host, port: broker.port } : { mode: "never" },
      log_level: options.logLevel ?? "warning",
    }),
  );
  const socEntity = seed.options.battery.soc_entity;
  let soc = 40;
  return {
    sim,
    seed,
    ...(broker ? { broker } : {}),
    inverterWrites: () => inverter?.writes.length ?? 0,
    optionsPath,
    dataDir,
    tick(n: number) {
      soc = soc >= 90 ? 20 : soc + 3;
      sim.setState(socEntity, soc.toFixed(1), { unit_of_measurement: "%", device_class: "battery" });
      if (n % 2 === 0) sim.fireEvent("battery_planner_replan", { reason: "footprint bench" });
      if (n % 10 === 0) {
        const nextDay = seed.options.import_tariff.entities?.[1];
        const state = nextDay ? sim.getState(nextDay) : undefined;
        if (state && nextDay) {
          const rates = (state.attributes.rates as { value_inc_vat: number }[]).map((r) => ({
            ...r,
            value_inc_vat: r.value_inc_vat * (1 + (n % 20 === 0 ? 0.1 : -0.1)),
          }));
          sim.setState(nextDay, new Date().toISOString(), { ...state.attributes, rates });
        }
      }
      // The rest of the home never stops changing; none of it may reach the add-on.
      const crowd = sim.crowdEntityIds;
      for (let i = 0; i < Math.min(50, crowd.length); i += 1) {
        const id = crowd[(n * 50 + i) % crowd.length]!;
        const state = sim.getState(id);
        if (state) sim.setState(id, String((n * 7 + i) % 1000), state.attributes);
      }
    },
    async close() {
      await inverter?.close();
      await broker?.stop();
      await sim.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface AddonProcess {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node <flags> dist/main.js` against the home, as the image runs it. */
export function spawnAddon(
  home: Home,
  options: { flags?: readonly string[]; entry?: string; preload?: string } = {},
): AddonProcess {
  const mainJs = fileURLToPath(new URL(options.entry ?? "dist/main.js", ROOT));
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first`);
  const child = spawn(
    process.execPath,
    [
      ...(options.flags ?? NODE_FLAGS),
      ...(options.preload ? ["-r", options.preload] : []),
      mainJs,
      "--options",
      home.optionsPath,
      "--data",
      home.dataDir,
      "--port",
      "0",
    ],
    {
      env: { ...process.env, HA_URL: home.sim.url, HA_TOKEN: home.sim.token, SUPERVISOR_TOKEN: "" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    // Keep the tail only: a long run must not grow the bench's own memory.
    stderr = (stderr + chunk.toString()).slice(-200_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exited };
}

export async function rssKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The highest plan version the add-on has stored: how many plans it made. */
export async function planVersion(dataDir: string): Promise<number> {
  try {
    const raw = JSON.parse(await readFile(join(dataDir, "plan.json"), "utf8")) as { planVersion?: number };
    return raw.planVersion ?? 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "60" },
      entities: { type: "string", default: "5000" },
      mb: { type: "string", default: "10" },
      control: { type: "string", default: "modbus" },
      "no-mqtt": { type: "boolean", default: false },
      flags: { type: "string" },
      "log-level": { type: "string", default: "warning" },
      json: { type: "boolean", default: false },
      // What the image runs; another entry (e.g. an esbuild bundle) can be compared with it.
      entry: { type: "string", default: "dist/main.js" },
    },
  });
  const seconds = Number(values.seconds);
  const control = values.control === "ha_services" ? "ha_services" : "modbus";
  const flags = values.flags ? values.flags.split(/\s+/).filter(Boolean) : NODE_FLAGS;
  const home = await startHome({
    entities: Number(values.entities),
    totalBytes: Number(values.mb) * 1_000_000,
    control,
    mqtt: !values["no-mqtt"],
    logLevel: values["log-level"],
  });
  const addon = spawnAddon(home, {
    flags,
    entry: values.entry,
    ...(process.env.FOOTPRINT_PRELOAD ? { preload: process.env.FOOTPRINT_PRELOAD } : {}),
  });
  const samplesKb: number[] = [];
  const started = Date.now();
  let tick = 0;
  while (
    Date.now() - started < seconds * 1000 &&
    addon.child.exitCode === null &&
    addon.child.signalCode === null
  ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    tick += 1;
    const kb = await rssKb(addon.child.pid!);
    if (kb !== undefined) samplesKb.push(kb);
    if (tick % 4 === 0) home.tick(tick / 4);
  }
  const exited = addon.child.exitCode !== null || addon.child.signalCode !== null;
  const plans = await planVersion(home.dataDir);
  const writes =
    control === "modbus"
      ? home.inverterWrites()
      : home.sim.serviceCalls.filter(
          (c) => c.domain === "select" || c.domain === "number" || c.domain === "switch",
        ).length;
  const statesPulled = home.sim.received.filter((m) => m.type === "get_states").length;
  addon.child.kill("SIGTERM");
  await addon.exited;
  await home.close();
  if (process.env.FOOTPRINT_PRELOAD || values["log-level"] !== "warning")
    process.stderr.write(addon.stderr());
  if (exited || samplesKb.length === 0) {
    process.stderr.write(`the add-on exited early:\n${addon.stderr()}\n`);
    process.exit(1);
  }
  const sorted = [...samplesKb].sort((a, b) => a - b);
  const result = {
    seconds,
    samples: samplesKb.length,
    entry: values.entry,
    nodeFlags: flags.join(" "),
    entities: Number(values.entities),
    control,
    mqtt: !values["no-mqtt"],
    peakRssMb: Math.round(sorted[sorted.length - 1]! / 1024),
    medianRssMb: Math.round(sorted[Math.floor(sorted.length / 2)]! / 1024),
    plans,
    writes,
    statesPulled,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    process.stdout.write(
      `add-on process RSS over ${seconds} s against ${result.entities} other entities, ${control} control, ` +
        `${result.mqtt ? "MQTT" : "REST"} publisher (${result.samples} samples, node ${result.nodeFlags} ` +
        `${result.entry}): median ${result.medianRssMb} MB, peak ${result.peakRssMb} MB; ` +
        `${plans} plans, ${writes} inverter writes, ${statesPulled} get_states\n`,
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
