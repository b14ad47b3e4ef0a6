// Resident memory of the add-on process on its own, as it runs in the image (node dist/main.js with
// the Dockerfile's flags), against the HA simulator and a simulated Modbus inverter that live in
// THIS process. The bench keeps it busy: SOC changes every second, a replan event every two
// seconds, new rates every ten. Prints peak and median RSS, or JSON with --json.
//
//   npm run build && npx tsx bench/footprint.ts [--seconds 60] [--json] [--entry dist/main.js]
// FOOTPRINT_PRELOAD=/path/to/script.cjs preloads a script into the add-on (e.g. one that logs
// process.memoryUsage()) and prints the add-on's stderr at the end.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseScenario } from "../src/scenario/index.js";
import { startHaSimForScenario } from "../src/sim/ha/index.js";
import { startFakeInverter } from "../src/sim/modbus/fake-inverter.js";

/** Must match addon/Dockerfile's CMD. */
export const NODE_FLAGS = [
  "--max-semi-space-size=1",
  "--max-old-space-size=24",
  "--v8-pool-size=0",
  "--single-threaded-gc",
];

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    json: { type: "boolean", default: false },
    // What the image runs; another entry (e.g. an esbuild bundle) can be compared with it.
    entry: { type: "string", default: "dist/main.js" },
  },
});
const seconds = Number(values.seconds);
const root = new URL("../", import.meta.url);
const mainJs = new URL(values.entry, root);
if (!existsSync(mainJs)) throw new Error(`${values.entry} is missing: run \`npm run build\` first`);

const raw = JSON.parse(
  await readFile(
    new URL("test/fixtures/scenarios/real-agile-20180607-big-20-agile-forecast.json", root),
    "utf8",
  ),
);
// The add-on plans from the real "now", so the scenario's day is moved to today.
const dayMs = 86_400_000;
raw.start = new Date(Math.floor(Date.now() / dayMs) * dayMs).toISOString();
const scenario = parseScenario(raw);
const token = "footprint-token";
const { sim, seed } = await startHaSimForScenario(scenario, { token });
const inverter = await startFakeInverter({
  profile: "sungrow-sh",
  socPct: 40,
  capacityKwh: scenario.battery.capacityKwh,
  maxChargeW: scenario.battery.maxChargeKw * 1000,
  maxDischargeW: scenario.battery.maxDischargeKw * 1000,
});
const dir = await mkdtemp(join(tmpdir(), "bp-footprint-"));
const optionsPath = join(dir, "options.json");
await writeFile(
  optionsPath,
  JSON.stringify({
    ...seed.options,
    control: {
      method: "modbus",
      modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh" },
    },
    mqtt: { mode: "never" },
    log_level: "warning",
  }),
);

const child = spawn(
  process.execPath,
  [
    ...NODE_FLAGS,
    ...(process.env.FOOTPRINT_PRELOAD ? ["-r", process.env.FOOTPRINT_PRELOAD] : []),
    mainJs.pathname,
    "--options",
    optionsPath,
    "--data",
    dir,
    "--port",
    "0",
  ],
  {
    env: { ...process.env, HA_URL: sim.url, HA_TOKEN: token, SUPERVISOR_TOKEN: "" },
    stdio: ["ignore", "ignore", "pipe"],
  },
);
let stderr = "";
child.stderr.on("data", (chunk: Buffer) => {
  stderr += chunk.toString();
});

async function rssKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const samplesKb: number[] = [];
const started = Date.now();
let tick = 0;
let soc = 40;
while (Date.now() - started < seconds * 1000 && child.exitCode === null) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  tick += 1;
  const kb = await rssKb(child.pid!);
  if (kb !== undefined) samplesKb.push(kb);
  if (tick % 4 === 0) {
    soc = soc >= 90 ? 20 : soc + 3;
    sim.setState(seed.options.battery.soc_entity, soc.toFixed(1), {
      unit_of_measurement: "%",
      device_class: "battery",
    });
  }
  if (tick % 8 === 0) sim.fireEvent("battery_planner_replan", { reason: "footprint bench" });
  if (tick % 40 === 0) {
    const nextDay = seed.options.import_tariff.entities?.[1];
    const state = nextDay ? sim.getState(nextDay) : undefined;
    if (state && nextDay) {
      const rates = (state.attributes.rates as { value_inc_vat: number }[]).map((r) => ({
        ...r,
        value_inc_vat: r.value_inc_vat * (1 + (tick % 80 === 0 ? 0.1 : -0.1)),
      }));
      sim.setState(nextDay, new Date().toISOString(), { ...state.attributes, rates });
    }
  }
}
const exitedEarly = child.exitCode !== null;
child.kill("SIGTERM");
await new Promise((resolve) => child.once("exit", resolve));
await inverter.close();
await sim.close();
await rm(dir, { recursive: true, force: true });
if (process.env.FOOTPRINT_PRELOAD) process.stderr.write(stderr);
if (exitedEarly || samplesKb.length === 0) {
  process.stderr.write(`the add-on exited early:\n${stderr}\n`);
  process.exit(1);
}

const sorted = [...samplesKb].sort((a, b) => a - b);
const result = {
  seconds,
  samples: samplesKb.length,
  entry: values.entry,
  nodeFlags: NODE_FLAGS.join(" "),
  peakRssMb: Math.round(sorted[sorted.length - 1]! / 1024),
  medianRssMb: Math.round(sorted[Math.floor(sorted.length / 2)]! / 1024),
  planWrites: inverter.writes.length,
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else
  process.stdout.write(
    `add-on process RSS over ${seconds} s (${result.samples} samples, node ${result.nodeFlags} ${result.entry}): peak ${result.peakRssMb} MB, median ${result.medianRssMb} MB\n`,
  );
