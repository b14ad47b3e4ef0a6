// The add-on as a new user sets it up (Octopus rate events, a Solcast forecast, a SOC sensor,
// GivTCP entities), started through the composition root against the HA simulator over real
// loopback sockets. Time is a fake clock so slot boundaries come when the test says.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { type Addon, startAddon } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { bindingFromOptions } from "../../src/control/ha-services/index.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { setLogSink } from "../../src/log.js";
import { parseScenario } from "../../src/scenario/index.js";
import { type HaSim, startHaSimForScenario } from "../../src/sim/ha/index.js";
import { seedStates } from "../control/ha-services/sim-setup.js";
import { FakeClock } from "../fakes/clock.js";
import { startMosquitto } from "../fakes/mosquitto.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const STATUS = "sensor.battery_planner_status";

interface Rig {
  sim: HaSim;
  addon: Addon;
  clock: FakeClock;
  config: Config;
  dataDir: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function startRig(extra: Record<string, unknown> = {}): Promise<Rig> {
  const restoreLog = setLogSink(() => undefined);
  cleanups.push(async () => restoreLog());
  const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
  const token = "e2e-token";
  const { sim, seed } = await startHaSimForScenario(scenario, { token });
  cleanups.push(() => sim.close());
  const config = parseConfig({
    ...seed.options,
    control: { method: "ha_services", profile: "givtcp", entity_prefix: "givtcp_ce1234" },
    mqtt: { mode: "never" },
    ...extra,
  });
  for (const state of seedStates(bindingFromOptions(config.control))) {
    if (!sim.getState(state.entity_id)) sim.setState(state.entity_id, state.state, state.attributes);
  }
  const clock = new FakeClock(seed.startMs + 60_000);
  const dataDir = await mkdtemp(join(tmpdir(), "bp-e2e-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const addon = await startAddon({
    config,
    endpoints: endpointsFromBaseUrl(sim.url, token, "HA_TOKEN"),
    dataDir,
    clock,
    web: false,
    env: {},
  });
  cleanups.push(() => addon.stop());
  return { sim, addon, clock, config, dataDir };
}

describe("the add-on against a Home Assistant with Octopus, Solcast and GivTCP", () => {
  it("publishes a plan and its status entities as soon as it starts", async () => {
    const { sim, addon } = await startRig();
    const plan = addon.runtime.latestPlan();
    expect(plan?.plan.slots.length).toBeGreaterThan(40);
    const status = await waitFor(() => sim.getState(STATUS), "the status sensor");
    expect(["ok", "degraded"]).toContain(status.state);
    expect(sim.getState("sensor.battery_planner_current_mode")?.state).toBe(plan?.plan.slots[0]?.mode);
  });

  it("replans when new rates arrive and not when the same rates are announced again", async () => {
    const { sim, addon, clock, config } = await startRig();
    const before = addon.runtime.latestPlan()!;
    const nextDay = config.import_tariff.entities[1]!;
    const old = sim.getState(nextDay)!;
    // The same rates again (HA re-announces them on every poll): no replan.
    sim.setState(nextDay, old.state, { ...old.attributes });
    await clock.advance(60_000);
    await addon.scheduler.whenIdle();
    expect(addon.runtime.latestPlan()!.planVersion).toBe(before.planVersion);

    const rates = (old.attributes.rates as { start: string; end: string; value_inc_vat: number }[]).map(
      (r) => ({
        ...r,
        value_inc_vat: r.value_inc_vat * 3,
      }),
    );
    sim.setState(nextDay, new Date(clock.nowMs()).toISOString(), { ...old.attributes, rates });
    await clock.advance(config.schedule.debounce_seconds * 1000 + 1000);
    await addon.scheduler.whenIdle();
    const after = await waitFor(
      () =>
        addon.runtime.latestPlan()!.planVersion > before.planVersion ? addon.runtime.latestPlan() : undefined,
      "a replan",
    );
    expect(after.reason).toMatch(/rates/);
  });

  it("calls the inverter's services at slot boundaries", async () => {
    const { sim, addon, clock } = await startRig();
    const callsAtStart = sim.serviceCalls.length;
    const plan = addon.runtime.latestPlan()!;
    const boundary = plan.plan.slots.find(
      (s) => s.startMs > clock.nowMs() && s.mode !== plan.plan.slots[0]!.mode,
    );
    expect(boundary, "the plan changes mode somewhere").toBeDefined();
    await clock.advanceTo(boundary!.startMs + 1000);
    await addon.scheduler.whenIdle();
    const calls = sim.serviceCalls.slice(callsAtStart);
    expect(calls.some((c) => c.domain === "select" || c.domain === "number" || c.domain === "switch")).toBe(
      true,
    );
    expect(addon.runtime.status().currentCommand?.mode).toBe(
      addon.runtime
        .latestPlan()!
        .plan.slots.find((s) => s.startMs <= clock.nowMs() && clock.nowMs() < s.endMs)?.mode,
    );
  });

  it("survives Home Assistant restarting and the connection dropping, entities and plan intact", async () => {
    const { sim, addon, clock } = await startRig();
    const version = addon.runtime.latestPlan()!.planVersion;
    await waitFor(() => sim.getState(STATUS), "the status sensor");

    await sim.restart();
    await waitFor(() => addon.ha.connected, "reconnect after restart");
    // REST-made entities vanish when HA restarts; the add-on must write them again.
    await waitFor(() => sim.getState(STATUS), "the status sensor after the restart");

    sim.dropConnections();
    await waitFor(() => !addon.ha.connected || undefined, "the drop to be seen", 2000).catch(() => undefined);
    await waitFor(() => addon.ha.connected, "reconnect after a drop");

    expect(addon.runtime.latestPlan()!.planVersion).toBeGreaterThanOrEqual(version);
    await clock.advance(30 * 60_000);
    await addon.scheduler.whenIdle();
    expect(addon.runtime.latestPlan()!.planVersion).toBeGreaterThan(version);
    expect(sim.getState(STATUS)).toBeDefined();
  });

  it("names a configured entity that Home Assistant does not have, in the status", async () => {
    const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
    const { addon, sim } = await startRig({
      battery: {
        soc_entity: "sensor.battery_soc",
        power_entity: "sensor.battery_power_typo",
        capacity_kwh: scenario.battery.capacityKwh,
        max_charge_kw: scenario.battery.maxChargeKw,
        max_discharge_kw: scenario.battery.maxDischargeKw,
      },
    });
    expect(addon.runtime.status().reason).toContain("sensor.battery_power_typo");
    const status = await waitFor(() => sim.getState(STATUS), "the status sensor");
    expect(JSON.stringify(status.attributes)).toContain("sensor.battery_power_typo");
  });

  it("creates its entities through MQTT discovery when a broker is configured", async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const { addon } = await startRig({
      mqtt: { mode: "always", host: "127.0.0.1", port: broker.port },
    });
    expect(addon.runtime.latestPlan()).toBeDefined();
    // What Home Assistant would see: retained discovery configs and a retained plan state.
    const client = await connectAsync(broker.url, { clientId: "e2e-ha" });
    cleanups.push(() => client.endAsync());
    const seen = new Map<string, string>();
    client.on("message", (topic, payload) => seen.set(topic, payload.toString()));
    await client.subscribeAsync("homeassistant/#", { qos: 1 });
    await client.subscribeAsync("battery_planner/#", { qos: 1 });
    const statusConfig = await waitFor(
      () =>
        [...seen.entries()].find(
          ([topic]) =>
            topic.startsWith("homeassistant/") && topic.endsWith("/config") && topic.includes("status"),
        ),
      "the status sensor's discovery config",
    );
    const config = JSON.parse(statusConfig[1]) as { unique_id?: string; state_topic?: string };
    expect(config.unique_id).toBeTruthy();
    const stateTopic = config.state_topic!;
    const state = await waitFor(() => seen.get(stateTopic), `a state on ${stateTopic}`);
    expect(state.length).toBeGreaterThan(0);
  });
});
