// Wrong options through the add-on's real entry point (issue 9, item 10: a mistyped time zone
// crashed the start with a stack trace): fuzzed values at every option and damaged options files
// always stop the start with exit code 2 and one log line that names an option, never a stack.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setLogSink } from "../../src/log.js";
import { run } from "../../src/main.js";
import { startHaSim } from "../../src/sim/ha/index.js";
import { readAddonConfig } from "../addon/load-addon-files.js";
import { recordFault } from "./record.js";

// Complete: start-up has nothing to detect; with no Home Assistant given, valid options stop at
// HA_URL, so every run ends in one ConfigError line.
const COMPLETE = {
  timezone: "Europe/London",
  battery: { soc_entity: "sensor.battery_soc", capacity_kwh: 9.5, max_charge_kw: 3.6, max_discharge_kw: 3.6 },
  import_tariff: { source: "octopus", entities: ["event.octopus_current_day_rates"] },
  solar: { source: "solcast", entities: ["sensor.solcast_pv_forecast_forecast_today"] },
  load: { consumption_entity: "sensor.house_consumption_energy" },
  control: { method: "ha_services", profile: "givtcp", entity_prefix: "givtcp_ce1234g567" },
};

function leaves(node: unknown, prefix = ""): string[] {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}
const PATHS = leaves(readAddonConfig().schema);

function withValue(path: string, value: unknown): Record<string, unknown> {
  const options = structuredClone(COMPLETE) as Record<string, unknown>;
  const keys = path.split(".");
  let node = options;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== "object") node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
  return options;
}

let dir = "";
const saved = { ...process.env };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bp-fault-options-"));
  for (const name of ["SUPERVISOR_TOKEN", "HA_URL", "HA_TOKEN"]) delete process.env[name];
});
afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

let fileNo = 0;
async function start(text: string): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, `options-${fileNo++}.json`);
  await writeFile(file, text);
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  try {
    const code = await run(["--options", file, "--data", dir, "--port", "0"]);
    return { code, lines };
  } finally {
    restore();
  }
}

/** The promise: exit 2, one line, an option named, no stack frame. */
function problems(outcome: { code: number; lines: string[] }): string[] {
  const found: string[] = [];
  if (outcome.code !== 2) found.push(`exit code ${outcome.code}`);
  if (outcome.lines.length !== 1) found.push(`${outcome.lines.length} lines: ${outcome.lines.join(" | ")}`);
  const line = outcome.lines.join("\n");
  if (!/option '[^']+'/.test(line)) found.push(`no option named: ${line}`);
  if (/\n|\bat .+:\d+:\d+/.test(line)) found.push(`stack trace: ${line}`);
  return found;
}

describe("wrong options at start", () => {
  it("name the option for a mistyped time zone, where a stack trace was, with Home Assistant there", async () => {
    const sim = await startHaSim({
      token: "t0ken",
      fixtures: ["uk-octopus-solcast"],
      timeZone: "Europe/London",
    });
    process.env.HA_URL = sim.url;
    process.env.HA_TOKEN = "t0ken";
    try {
      const typos = ["Europe/Londn", "Europe/london ", "GMT+25", "Mars/Olympus"];
      let survived = 0;
      for (const timezone of typos) {
        const outcome = await start(JSON.stringify({ ...COMPLETE, timezone }));
        expect(problems(outcome), timezone).toEqual([]);
        expect(outcome.lines[0]).toContain("option 'timezone': is not an IANA time zone");
        survived++;
      }
      recordFault({ area: "config", fault: "mistyped time zone at start", tried: typos.length, survived });
    } finally {
      delete process.env.HA_URL;
      delete process.env.HA_TOKEN;
      await sim.close();
    }
  });

  it("fuzzed values at every option: one line naming an option, exit 2", async () => {
    let tried = 0;
    let survived = 0;
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 2 }), async (path, value) => {
        tried++;
        const found = problems(await start(JSON.stringify(withValue(path, value))));
        if (found.length === 0) survived++;
        else failures.push(`${path} = ${JSON.stringify(value)}: ${found.join("; ")}`);
        return found.length === 0;
      }),
      { numRuns: 300, seed: 20_261_201 },
    );
    recordFault({ area: "config", fault: "fuzzed option values at start", tried, survived });
    expect(failures).toEqual([]);
  });

  it("damaged options files: one line naming the file, exit 2", async () => {
    const damaged = ["", "{ battery: ", "null", "[]", '"text"', "42", "\u0000\u0001", '{"battery": null}'];
    let survived = 0;
    const failures: string[] = [];
    for (const text of damaged) {
      const found = problems(await start(text));
      if (found.length === 0) survived++;
      else failures.push(`${JSON.stringify(text)}: ${found.join("; ")}`);
    }
    recordFault({ area: "config", fault: "damaged options file at start", tried: damaged.length, survived });
    expect(failures).toEqual([]);
  });
});
