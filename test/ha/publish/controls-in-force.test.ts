// The MQTT controls show the values in force, also after a restart: the add-on composed by
// startAddon against the HA simulator and a real mosquitto, restarted on the same data directory
// with a fresh broker (what HA sees then is only what the new process publishes).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { type Addon, startAddon } from "../../../src/app.js";
import { parseConfig } from "../../../src/config/load.js";
import { endpointsFromBaseUrl } from "../../../src/ha/endpoints.js";
import { setLogSink } from "../../../src/log.js";
import { parseScenario } from "../../../src/scenario/index.js";
import { type HaSim, startHaSimForScenario } from "../../../src/sim/ha/index.js";
import { FakeClock } from "../../fakes/clock.js";
import { type Mosquitto, startMosquitto } from "../../fakes/mosquitto.js";

const SCENARIO = new URL("../../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const TOKEN = "controls-token";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A client in the role of HA: every retained state under battery_planner/. */
async function watch(broker: Mosquitto) {
  const client = await connectAsync(broker.url, { clientId: `ha-${Math.random().toString(16).slice(2)}` });
  cleanups.push(() => client.endAsync());
  const seen = new Map<string, string>();
  client.on("message", (topic, payload) => seen.set(topic, payload.toString()));
  await client.subscribeAsync("battery_planner/#", { qos: 1 });
  return { client, seen };
}

async function start(
  sim: HaSim,
  seedOptions: Record<string, unknown>,
  dataDir: string,
  startMs: number,
  existing?: Mosquitto,
) {
  const broker = existing ?? (await startMosquitto());
  if (!existing) cleanups.push(() => broker.stop());
  const config = parseConfig({
    ...seedOptions,
    battery: { ...(seedOptions.battery as object), reserve_pct: 10 },
    control: { method: "dry_run" },
    mqtt: { mode: "always", host: "127.0.0.1", port: broker.port },
  });
  const addon: Addon = await startAddon({
    config,
    endpoints: endpointsFromBaseUrl(sim.url, TOKEN, "HA_TOKEN"),
    dataDir,
    clock: new FakeClock(startMs),
    web: false,
    env: {},
  });
  return { broker, addon };
}

describe("the MQTT controls", () => {
  it("show the reserve and control switch in force after a restart, not the options", async () => {
    const restoreLog = setLogSink(() => undefined);
    cleanups.push(async () => restoreLog());
    const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
    const { sim, seed } = await startHaSimForScenario(scenario, { token: TOKEN });
    cleanups.push(() => sim.close());
    const dataDir = await mkdtemp(join(tmpdir(), "bp-controls-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const options = seed.options as Record<string, unknown>;

    // First run: HA moves the reserve number to 30 % and turns control off.
    const first = await start(sim, options, dataDir, seed.startMs + 60_000);
    const ha = await watch(first.broker);
    await waitFor(() => ha.seen.get("battery_planner/reserve_soc/state"), "the reserve number's state");
    await ha.client.publishAsync("battery_planner/reserve_soc/set", "30");
    await ha.client.publishAsync("battery_planner/control_enabled/set", "OFF");
    await waitFor(
      () => (first.addon.runtime.reservePct() === 30 ? true : undefined),
      "the runtime to take the reserve",
    );
    await waitFor(
      () => (first.addon.runtime.status().controlEnabled === false ? true : undefined),
      "the runtime to turn control off",
    );
    await first.addon.stop();

    // Second run on the same data directory, the options still saying 10 % and control on.
    const second = await start(sim, options, dataDir, seed.startMs + 120_000);
    cleanups.push(() => second.addon.stop());
    const after = await watch(second.broker);
    await waitFor(() => after.seen.get("battery_planner/plan/state"), "the plan after the restart");
    expect(second.addon.runtime.reservePct()).toBe(30);
    expect(after.seen.get("battery_planner/reserve_soc/state")).toBe("30");
    expect(after.seen.get("battery_planner/control_enabled/state")).toBe("OFF");
  });

  it("keep the override duration set from HA across a restart of the add-on (the broker keeps it)", async () => {
    const restoreLog = setLogSink(() => undefined);
    cleanups.push(async () => restoreLog());
    const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
    const { sim, seed } = await startHaSimForScenario(scenario, { token: TOKEN });
    cleanups.push(() => sim.close());
    const dataDir = await mkdtemp(join(tmpdir(), "bp-duration-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const options = seed.options as Record<string, unknown>;

    const first = await start(sim, options, dataDir, seed.startMs + 60_000);
    const ha = await watch(first.broker);
    await ha.client.publishAsync("battery_planner/override_duration/set", "90");
    await waitFor(
      () => (ha.seen.get("battery_planner/override_duration/state") === "90" ? true : undefined),
      "the duration number to show 90",
    );
    await first.addon.stop();

    // The add-on restarts; the Mosquitto add-on (and what it retains) stays.
    const second = await start(sim, options, dataDir, seed.startMs + 120_000, first.broker);
    cleanups.push(() => second.addon.stop());
    const states: string[] = [];
    ha.client.on("message", (topic, payload) => {
      if (topic === "battery_planner/override_duration/state") states.push(payload.toString());
    });
    await ha.client.publishAsync("battery_planner/override_mode/set", "charge");
    const override = await waitFor(() => second.addon.runtime.overrides()[0], "the override from the select");
    expect(override.durationMinutes).toBe(90);
    expect(states.filter((v) => v !== "90")).toEqual([]);
  });
});
