import { afterEach, describe, expect, it } from "vitest";
import type { HaStateMap } from "../../src/ha/client.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { HaAuthError, HaCommandError, HaUnreachableError } from "../../src/ha/errors.js";
import { type HaSim, startHaSim } from "../../src/sim/ha/index.js";

const TOKEN = "test-token";
const soc = {
  entity_id: "sensor.battery_soc",
  state: "55",
  attributes: { unit_of_measurement: "%", device_class: "battery" },
  last_changed: "2025-01-01T00:00:00+00:00",
  last_updated: "2025-01-01T00:00:00+00:00",
  context: { id: "01TEST", parent_id: null, user_id: null },
};
const other = { ...soc, entity_id: "sensor.unrelated", state: "1" };

let sim: HaSim;
let conn: HaConnection | undefined;

async function connect(token = TOKEN, base?: string) {
  conn = await connectHa({
    ...endpointsFromBaseUrl(base ?? sim.url, token, "HA_TOKEN"),
    connectAttempts: 1,
    heartbeatMs: 0,
  });
  return conn;
}

function until<T>(check: () => T | undefined, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > 15_000) return reject(new Error(`gave up waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

afterEach(async () => {
  await conn?.close();
  conn = undefined;
  await sim?.close();
});

describe("HA connection against the simulator", () => {
  it("authenticates with a good token and reports HA's version", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc] });
    const c = await connect();
    expect(c.haVersion).toBe("2025.10.1");
    expect((await c.getConfig()).time_zone).toBe("Europe/London");
  });

  it("rejects a bad token with a non-retryable error naming the variable", async () => {
    sim = await startHaSim({ token: TOKEN });
    const error = await connect("wrong").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaAuthError);
    expect((error as HaAuthError).retryable).toBe(false);
    expect((error as Error).message).toContain("HA_TOKEN");
    expect((error as Error).message).not.toContain("wrong");
  });

  it("reports an unreachable HA as retryable", async () => {
    sim = await startHaSim({ token: TOKEN });
    const url = sim.url;
    await sim.close();
    const error = await connect(TOKEN, url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaUnreachableError);
    expect((error as HaUnreachableError).retryable).toBe(true);
    sim = await startHaSim({ token: TOKEN });
  });

  it("works through the Supervisor-style /core base URL", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc] });
    const c = await connect(TOKEN, `${sim.url}/core`);
    const states = await c.getStates();
    expect(states.map((s) => s.entity_id)).toContain("sensor.battery_soc");
  });

  it("subscribes only to the configured entity ids and delivers their changes", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc, other] });
    const c = await connect();
    const seen: HaStateMap[] = [];
    await c.subscribeEntities(["sensor.battery_soc"], (states) => seen.push(states));
    const sub = sim.received.find((m) => m.type === "subscribe_entities");
    expect(sub?.entity_ids).toEqual(["sensor.battery_soc"]);
    await until(() => (seen.length > 0 ? true : undefined), "initial states");
    expect(Object.keys(seen[0] ?? {})).toEqual(["sensor.battery_soc"]);
    sim.setState("sensor.unrelated", "2");
    sim.setState("sensor.battery_soc", "60", { unit_of_measurement: "%" });
    const latest = await until(() => {
      const last = seen.at(-1)?.["sensor.battery_soc"];
      return last?.state === "60" ? last : undefined;
    }, "soc change");
    expect(latest.attributes).toEqual({ unit_of_measurement: "%" });
    expect(seen.every((map) => !("sensor.unrelated" in map))).toBe(true);
  });

  it("reconnects and resubscribes after HA restarts, and tells listeners", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc], restartDownMs: 100 });
    const c = await connect();
    const reasons: string[] = [];
    c.onReconnect((reason) => reasons.push(reason));
    let latest: HaStateMap = {};
    await c.subscribeEntities(["sensor.battery_soc"], (states) => {
      latest = states;
    });
    await sim.restart();
    await until(() => (reasons.includes("reconnected") ? true : undefined), "reconnect");
    await until(() => (reasons.includes("ha_started") ? true : undefined), "homeassistant_started");
    sim.setState("sensor.battery_soc", "70");
    await until(
      () => (latest["sensor.battery_soc"]?.state === "70" ? true : undefined),
      "state after restart",
    );
    const subscribes = sim.received.filter((m) => m.type === "subscribe_entities");
    expect(subscribes.length).toBe(2);
    expect(subscribes[1]?.entity_ids).toEqual(["sensor.battery_soc"]);
  });

  it("recovers from a dropped connection", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc] });
    const c = await connect();
    const events: string[] = [];
    await c.subscribeEvents("battery_planner_test", (event) => events.push(String(event.data.n)));
    sim.dropConnections();
    await until(() => (sim.connectionCount() === 1 && c.connected ? true : undefined), "reconnect");
    await until(
      () => (sim.received.filter((m) => m.type === "subscribe_events").length >= 4 ? true : undefined),
      "resubscribe",
    );
    sim.fireEvent("battery_planner_test", { n: 1 });
    await until(() => (events.includes("1") ? true : undefined), "event after drop");
  });

  it("calls a service with return_response and gets the response", async () => {
    sim = await startHaSim({
      token: TOKEN,
      services: { "tibber.get_prices": (data) => ({ echoed: data.start ?? null }) },
    });
    const c = await connect();
    const result = await c.callService(
      "tibber",
      "get_prices",
      { start: "2025-01-01 00:00:00" },
      undefined,
      true,
    );
    expect(result.response).toEqual({ echoed: "2025-01-01 00:00:00" });
    expect(result.context.id).toBeTruthy();
    expect(sim.serviceCalls.at(-1)?.returnResponse).toBe(true);
  });

  it("rejects an unknown service with HA's not_found code", async () => {
    sim = await startHaSim({ token: TOKEN });
    const c = await connect();
    const error = await c.callService("nope", "missing").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaCommandError);
    expect((error as HaCommandError).code).toBe("not_found");
  });

  it("sets a select through select.select_option and fires events", async () => {
    sim = await startHaSim({
      token: TOKEN,
      states: [{ ...soc, entity_id: "select.mode", state: "Eco", attributes: { options: ["Eco", "Timed"] } }],
    });
    const c = await connect();
    await c.callService("select", "select_option", { option: "Timed" }, { entity_id: "select.mode" });
    expect(sim.getState("select.mode")?.state).toBe("Timed");
    const fired: unknown[] = [];
    sim.registerService("x", "y", () => undefined);
    await c.subscribeEvents("battery_planner_plan_changed", (event) => fired.push(event.data));
    await c.fireEvent("battery_planner_plan_changed", { version: 3 });
    await until(() => (fired.length > 0 ? true : undefined), "fired event");
    expect(fired[0]).toEqual({ version: 3 });
  });
});

describe("HA simulator REST API", () => {
  it("creates and reads states with bearer auth, and refuses a bad token", async () => {
    sim = await startHaSim({ token: TOKEN });
    const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
    const body = JSON.stringify({ state: "ok", attributes: { reason: "fine" } });
    const created = await fetch(`${sim.url}/api/states/sensor.battery_planner_status`, {
      method: "POST",
      headers,
      body,
    });
    expect(created.status).toBe(201);
    const updated = await fetch(`${sim.url}/core/api/states/sensor.battery_planner_status`, {
      method: "POST",
      headers,
      body: JSON.stringify({ state: "degraded" }),
    });
    expect(updated.status).toBe(200);
    const read = (await (
      await fetch(`${sim.url}/api/states/sensor.battery_planner_status`, { headers })
    ).json()) as {
      state: string;
    };
    expect(read.state).toBe("degraded");
    const denied = await fetch(`${sim.url}/api/states`, { headers: { Authorization: "Bearer nope" } });
    expect(denied.status).toBe(401);
  });
});

describe("HA connection heartbeat", () => {
  it("tears down a socket that stops answering pings and reconnects", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc] });
    conn = await connectHa({
      ...endpointsFromBaseUrl(sim.url, TOKEN, "HA_TOKEN"),
      connectAttempts: 1,
      heartbeatMs: 100,
      pongTimeoutMs: 500,
    });
    const reasons: string[] = [];
    conn.onReconnect((reason) => reasons.push(reason));
    sim.hangConnections();
    await until(() => (reasons.includes("reconnected") ? true : undefined), "reconnect");
    expect((await conn.getConfig()).version).toBe("2025.10.1");
  });
});

describe("HA simulator service semantics", () => {
  it("refuses return_response for a service without responses, and requires it where HA does", async () => {
    sim = await startHaSim({ token: TOKEN });
    sim.registerService("nordpool", "get_prices_for_date", () => ({ SE3: [] }), "only");
    const c = await connect();
    const noResponse = await c
      .callService("switch", "turn_on", {}, { entity_id: "switch.x" }, true)
      .catch((e) => e);
    expect((noResponse as HaCommandError).code).toBe("service_validation_error");
    const missingFlag = await c
      .callService("nordpool", "get_prices_for_date", { date: "2025-01-01" })
      .catch((e) => e);
    expect((missingFlag as HaCommandError).code).toBe("service_validation_error");
    const ok = await c.callService(
      "nordpool",
      "get_prices_for_date",
      { date: "2025-01-01" },
      undefined,
      true,
    );
    expect(ok.response).toEqual({ SE3: [] });
  });
});

describe("HA simulator triggers", () => {
  it("delivers a subscribe_trigger state trigger only for the named entity and target state", async () => {
    sim = await startHaSim({ token: TOKEN, states: [soc, other] });
    const c = await connect();
    const seen: unknown[] = [];
    const unsubscribe = await c.subscribeMessage(
      { type: "subscribe_trigger", trigger: { trigger: "state", entity_id: "sensor.battery_soc", to: "90" } },
      (event) => seen.push(event),
    );
    sim.setState("sensor.unrelated", "90");
    sim.setState("sensor.battery_soc", "80");
    sim.setState("sensor.battery_soc", "90");
    await until(() => (seen.length > 0 ? true : undefined), "trigger");
    const trigger = (
      seen[0] as { variables: { trigger: { entity_id: string; to_state: { state: string } } } }
    ).variables.trigger;
    expect(trigger.entity_id).toBe("sensor.battery_soc");
    expect(trigger.to_state.state).toBe("90");
    expect(seen).toHaveLength(1);
    await unsubscribe();
  });
});

describe("HA connection timeouts", () => {
  it("gives up on a server that accepts the websocket but never asks for auth", async () => {
    sim = await startHaSim({ token: TOKEN });
    const { WebSocketServer } = await import("ws");
    const silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => silent.once("listening", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const error = await connectHa({
        ...endpointsFromBaseUrl(`http://127.0.0.1:${port}`, TOKEN, "HA_TOKEN"),
        connectAttempts: 1,
        authTimeoutMs: 200,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HaUnreachableError);
      expect((error as Error).message).toContain("no auth answer");
    } finally {
      for (const client of silent.clients) client.terminate();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
