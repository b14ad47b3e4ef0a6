// First start of a new user's add-on, through the real entry point (src/main.ts) against the HA
// simulator: options as the Supervisor writes them from addon/config.yaml's defaults, with only the
// battery's size and power limits typed. The add-on must find the rate events, the forecast, the
// SOC and the load meter itself, plan with them, and say what it found with the options to paste.
// With the size missing too, it stays up on a setup page instead of stopping.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { setLogSink } from "../../src/log.js";
import { run } from "../../src/main.js";
import { parseScenario } from "../../src/scenario/index.js";
import { type HaSim, startHaSimForScenario } from "../../src/sim/ha/index.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const CONFIG_YAML = new URL("../../addon/config.yaml", import.meta.url);
const STATUS = "sensor.battery_planner_status";
const TOKEN = "setup-token";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The scenario's day moved to today, so its rates cover the real clock the entry point runs on. */
async function startHomeToday(): Promise<HaSim> {
  const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
  const today = DateTime.now().setZone(scenario.timezone).startOf("day").toUTC().toISO()!;
  const { sim, seed } = await startHaSimForScenario({ ...scenario, start: today }, { token: TOKEN });
  cleanups.push(() => sim.close());
  expect(seed.options.import_tariff).toBeDefined();
  return sim;
}

/** addon/config.yaml's `options:` as the Supervisor hands them over, with what the user typed. */
async function supervisorOptions(typed: Record<string, unknown>): Promise<Record<string, unknown>> {
  const defaults = (parse(await readFile(CONFIG_YAML, "utf8")) as { options: Record<string, unknown> })
    .options;
  const battery = { ...(defaults.battery as Record<string, unknown>) };
  // What a new user has not filled in: required options without a value are absent or null.
  for (const key of ["soc_entity", "capacity_kwh", "max_charge_kw", "max_discharge_kw"]) delete battery[key];
  return { ...defaults, battery: { ...battery, ...typed }, mqtt: { mode: "never" } };
}

async function startEntryPoint(sim: HaSim, options: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), "bp-setup-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "options.json");
  await writeFile(file, JSON.stringify(options));
  const lines: string[] = [];
  cleanups.push(setLogSink((line) => lines.push(line)));
  const saved = { ...process.env };
  cleanups.push(() => {
    process.env = saved;
  });
  delete process.env.SUPERVISOR_TOKEN;
  process.env.HA_URL = sim.url;
  process.env.HA_TOKEN = TOKEN;
  const exit = run(["--options", file, "--data", dir, "--port", "0"]);
  return { exit, lines };
}

describe("first start with auto-detection", () => {
  it("plans with nothing typed but the battery's size and power limits", async () => {
    const sim = await startHomeToday();
    const { exit, lines } = await startEntryPoint(
      sim,
      await supervisorOptions({ capacity_kwh: 9.5, max_charge_kw: 3.6, max_discharge_kw: 3.6 }),
    );
    const status = await waitFor(() => sim.getState(STATUS), "the status sensor");
    expect(["ok", "degraded"]).toContain(status.state);
    const log = lines.join("\n");
    expect(log).toContain("setup: found Octopus Energy import rates");
    expect(log).toContain("setup: found Solcast PV forecast");
    expect(log).toMatch(/setup: using detected values for .*battery\.soc_entity/);
    // The options to paste pin exactly what was detected.
    const pasted = parse(
      log.slice(log.indexOf("Edit in YAML):") + "Edit in YAML):".length).split(/\n\d{4}-\d\d-\d\dT/)[0]!,
    );
    expect(pasted.battery.soc_entity).toBe("sensor.battery_soc");
    expect(pasted.import_tariff.entities[0]).toMatch(
      /^event\.octopus_energy_electricity_.*_current_day_rates$/,
    );
    expect(pasted.load.consumption_entity).toBe("sensor.house_consumption_energy");
    // It subscribed to the detected entities, and planned: the plan covers now.
    expect(JSON.stringify(sim.received)).toContain("sensor.battery_soc");
    const planned = await waitFor(
      () => /plan v\d+/.test(String(sim.getState(STATUS)?.attributes.reason)) && sim.getState(STATUS),
      "a plan",
    );
    expect(planned.state).toBe("ok");
    process.emit("SIGTERM");
    expect(await exit).toBe(0);
  }, 120_000);

  it("stays up with a setup page naming what is still to set when the size is missing", async () => {
    const sim = await startHomeToday();
    const { exit, lines } = await startEntryPoint(sim, await supervisorOptions({}));
    const portLine = await waitFor(
      () => lines.find((l) => l.includes("setup page on port")),
      "the setup page",
    );
    const port = Number(/setup page on port (\d+)/.exec(portLine)![1]);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ state: "error" });
    const { setup } = (await (await fetch(`http://127.0.0.1:${port}/api/setup`)).json()) as {
      setup: { lines: string[]; missing: string[]; yaml: string };
    };
    expect(setup.missing).toEqual(
      expect.arrayContaining(["battery.capacity_kwh", "battery.max_charge_kw", "battery.max_discharge_kw"]),
    );
    expect(setup.lines.join("\n")).toContain("Octopus Energy import rates");
    expect(parse(setup.yaml).battery.soc_entity).toBe("sensor.battery_soc");
    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { reason: string };
    expect(status.reason).toContain("battery.capacity_kwh");
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toContain('id="setup-card"');
    expect(lines.join("\n")).toContain("option 'battery.capacity_kwh'");
    process.emit("SIGTERM");
    expect(await exit).toBe(0);
  }, 120_000);
});
