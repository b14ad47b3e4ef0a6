import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONTROLS, SENSORS } from "../../../src/ha/publish/entities.js";
import { createMqttPublisher, type MqttPlanPublisher } from "../../../src/ha/publish/mqtt-publisher.js";
import { HA_ATTRIBUTE_LIMIT_BYTES } from "../../../src/ha/publish/plan-attribute.js";
import type { OverrideRequest, RuntimeCommands, RuntimeStatus } from "../../../src/runtime/ports.js";
import { FakeClock } from "../../fakes/clock.js";
import { type Mosquitto, startMosquitto } from "../../fakes/mosquitto.js";
import { startTcpProxy } from "../../fakes/tcp-proxy.js";
import { makeStoredPlan } from "./plan-fixture.js";

const START = Date.parse("2025-06-01T00:00:00Z");
const ENTITY_COUNT = SENSORS.length + Object.keys(CONTROLS).length;

class RecordingCommands implements RuntimeCommands {
  calls: [string, unknown][] = [];
  requestReplan(reason: string) {
    this.calls.push(["requestReplan", reason]);
  }
  async createOverride(request: OverrideRequest) {
    this.calls.push(["createOverride", request]);
    return `ov-${this.calls.length}`;
  }
  async cancelOverride(id?: string) {
    this.calls.push(["cancelOverride", id]);
  }
  async setControlEnabled(enabled: boolean) {
    this.calls.push(["setControlEnabled", enabled]);
  }
  async setReservePct(pct: number) {
    this.calls.push(["setReservePct", pct]);
  }
}

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A second MQTT client in the role of Home Assistant. */
async function observer(url: string, filter: string) {
  const client = await connectAsync(url, { clientId: `ha-${Math.random().toString(16).slice(2)}` });
  const messages: Received[] = [];
  client.on("message", (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  const waitFor = async (predicate: (all: Received[]) => boolean, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (predicate(messages)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}; got ${messages.map((m) => m.topic).join(", ")}`);
  };
  return { client, messages, waitFor };
}

const status: RuntimeStatus = {
  state: "ok",
  reason: "plan is current",
  controlEnabled: true,
  updatedAtMs: START,
};

describe("MQTT discovery publisher (real mosquitto)", () => {
  let broker: Mosquitto;
  let publisher: MqttPlanPublisher | undefined;
  let clients: MqttClient[] = [];
  const fired: [string, unknown][] = [];
  const ha = {
    fireEvent: async (type: string, data?: Record<string, unknown>) => {
      fired.push([type, data]);
    },
    callService: async () => ({ context: { id: "x", parent_id: null, user_id: null } }),
  };

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });
  afterEach(async () => {
    await publisher?.close();
    publisher = undefined;
    await Promise.all(clients.map((c) => c.endAsync()));
    clients = [];
  });

  const start = async (
    commands: RuntimeCommands = new RecordingCommands(),
    nodeId = "battery_planner",
    port?: number,
  ) => {
    publisher = await createMqttPublisher({
      broker: { host: broker.host, port: port ?? broker.port },
      reconnectPeriodMs: 100,
      ha,
      commands,
      clock: new FakeClock(START),
      timeZone: "Europe/London",
      currency: "GBP",
      swVersion: "0.1.0",
      nodeId,
      reservePct: 10,
      controlEnabled: true,
    });
    return publisher;
  };

  it("publishes retained discovery configs with unique ids, a device and availability", async () => {
    await start(undefined, "bp_retained");
    const ha = await observer(broker.url, "homeassistant/+/bp_retained/+/config");
    clients.push(ha.client);
    await ha.waitFor((all) => all.length >= ENTITY_COUNT, "all configs");
    expect(ha.messages.every((m) => m.retain)).toBe(true);
    const configs = ha.messages.map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    const uniqueIds = new Set(configs.map((c) => c.unique_id));
    expect(uniqueIds.size).toBe(ENTITY_COUNT);
    for (const config of configs) {
      expect(config.device).toMatchObject({ identifiers: ["bp_retained"], name: "Battery Planner" });
      expect(config.availability).toEqual([
        { topic: "bp_retained/availability", payload_available: "online", payload_not_available: "offline" },
      ]);
    }
    const status = configs.find((c) => c.unique_id === "bp_retained_status")!;
    expect(status.json_attributes_topic).toBe("bp_retained/status/attributes");
    const nextStart = configs.find((c) => c.unique_id === "bp_retained_next_mode_start")!;
    expect(nextStart.device_class).toBe("timestamp");
    const cost = configs.find((c) => c.unique_id === "bp_retained_cost_today")!;
    expect(cost).toMatchObject({ device_class: "monetary", unit_of_measurement: "GBP" });
    const topics = ha.messages.map((m) => m.topic);
    expect(topics).toContain("homeassistant/button/bp_retained/replan/config");
    expect(topics).toContain("homeassistant/select/bp_retained/override_mode/config");
    expect(topics).toContain("homeassistant/number/bp_retained/reserve_soc/config");
    expect(topics).toContain("homeassistant/number/bp_retained/override_duration/config");
    expect(topics).toContain("homeassistant/switch/bp_retained/control_enabled/config");

    const availability = await observer(broker.url, "bp_retained/availability");
    clients.push(availability.client);
    await availability.waitFor((all) => all.some((m) => m.payload === "online" && m.retain), "online");
  });

  it("sends discovery again when HA announces online on homeassistant/status", async () => {
    await start(undefined, "bp_birth");
    const ha = await observer(broker.url, "homeassistant/+/bp_birth/+/config");
    clients.push(ha.client);
    await ha.waitFor((all) => all.length >= ENTITY_COUNT, "initial configs");
    ha.messages.length = 0;
    await ha.client.publishAsync("homeassistant/status", "offline");
    await ha.client.publishAsync("homeassistant/status", "online");
    await ha.waitFor((all) => all.filter((m) => !m.retain).length >= ENTITY_COUNT, "configs after birth");
  });

  it("maps command topics to RuntimeCommands and echoes the controls' state", async () => {
    const commands = new RecordingCommands();
    await start(commands, "bp_cmd");
    const ha = await observer(broker.url, "bp_cmd/+/state");
    clients.push(ha.client);
    await ha.client.publishAsync("bp_cmd/replan/set", "PRESS");
    await ha.client.publishAsync("bp_cmd/override_duration/set", "90");
    await ha.client.publishAsync("bp_cmd/override_mode/set", "charge");
    await ha.client.publishAsync("bp_cmd/reserve_soc/set", "25");
    await ha.client.publishAsync("bp_cmd/reserve_soc/set", "not a number");
    await ha.client.publishAsync("bp_cmd/control_enabled/set", "OFF");
    await ha.client.publishAsync("bp_cmd/override_mode/set", "auto");
    await ha.waitFor(
      () => commands.calls.filter(([name]) => name === "cancelOverride").length >= 1,
      "override cancelled",
    );
    expect(commands.calls).toEqual([
      ["requestReplan", "replan button"],
      ["createOverride", { mode: "charge", durationMinutes: 90 }],
      ["setReservePct", 25],
      ["setControlEnabled", false],
      ["cancelOverride", "ov-2"],
    ]);
    await ha.waitFor(
      (all) =>
        all.some((m) => m.topic === "bp_cmd/override_mode/state" && m.payload === "charge") &&
        all.some((m) => m.topic === "bp_cmd/reserve_soc/state" && m.payload === "25") &&
        all.some((m) => m.topic === "bp_cmd/control_enabled/state" && m.payload === "OFF"),
      "control states",
    );
  });

  it("shows overrides made elsewhere in the manual override select", async () => {
    const pub = await start(undefined, "bp_ovr");
    const ha = await observer(broker.url, "bp_ovr/override_mode/state");
    clients.push(ha.client);
    await pub.publishOverrideEvent?.({ kind: "started", overrideId: "o1", atMs: START, mode: "export" });
    await ha.waitFor((all) => all.at(-1)?.payload === "export", "export shown");
    await pub.publishOverrideEvent?.({ kind: "ended", overrideId: "o1", atMs: START + 1, mode: "export" });
    await ha.waitFor((all) => all.at(-1)?.payload === "auto", "back to auto");
    expect(
      fired.filter(([type]) => type.startsWith("battery_planner_override_")).map(([type]) => type),
    ).toEqual(["battery_planner_override_started", "battery_planner_override_ended"]);
  });

  it("publishes sensor states on change and the plan attribute under 16 KB for 576 slots", async () => {
    const pub = await start(undefined, "bp_state");
    const ha = await observer(broker.url, "bp_state/#");
    clients.push(ha.client);
    const plan = makeStoredPlan({ startMs: START, slotMinutes: 5, count: 576 });
    await pub.publishPlan(plan, status);
    await ha.waitFor((all) => all.some((m) => m.topic === "bp_state/plan/attributes"), "plan attributes");
    // The status goes out last in the same flush.
    await ha.waitFor((all) => all.some((m) => m.topic === "bp_state/status/attributes"), "status attributes");
    const attributes = ha.messages.find((m) => m.topic === "bp_state/plan/attributes")!;
    expect(Buffer.byteLength(attributes.payload)).toBeLessThanOrEqual(HA_ATTRIBUTE_LIMIT_BYTES);
    expect(JSON.parse(attributes.payload).plan.length).toBeGreaterThan(24);
    const value = (topic: string) => ha.messages.filter((m) => m.topic === topic).at(-1)?.payload;
    expect(value("bp_state/current_mode/state")).toBe("self-use");
    expect(value("bp_state/next_mode/state")).toBe("charge");
    expect(value("bp_state/next_mode_start/state")).toBe("2025-06-01T01:00:00.000Z");
    expect(value("bp_state/plan_version/state")).toBe("7");
    expect(value("bp_state/status/state")).toBe("ok");
    // The accrued-saving counter carries its last_reset in its state, for its discovery templates.
    expect(JSON.parse(value("bp_state/saving_accrued/state")!)).toEqual({
      value: 0,
      last_reset: new Date(START).toISOString(),
    });
    expect(JSON.parse(value("bp_state/status/attributes")!)).toMatchObject({ reason: "plan is current" });

    // The same status again sends nothing new.
    const before = ha.messages.length;
    await pub.publishStatus(status);
    await pub.publishStatus({ ...status, state: "degraded", reason: "no rates for tomorrow yet" });
    await ha.waitFor(
      (all) => all.some((m) => m.topic === "bp_state/status/state" && m.payload === "degraded"),
      "degraded",
    );
    const statusMessages = ha.messages.slice(before).filter((m) => m.topic === "bp_state/status/state");
    expect(statusMessages.map((m) => m.payload)).toEqual(["degraded"]);
  });

  it("marks the device offline when it closes", async () => {
    const pub = await start(undefined, "bp_close");
    const ha = await observer(broker.url, "bp_close/availability");
    clients.push(ha.client);
    await ha.waitFor((all) => all.some((m) => m.payload === "online"), "online");
    await pub.close();
    publisher = undefined;
    await ha.waitFor((all) => all.at(-1)?.payload === "offline", "offline");
  });

  it("goes unavailable through its last will when the connection dies, and comes back with discovery", async () => {
    const proxy = await startTcpProxy(broker.port);
    try {
      await start(undefined, "bp_will", proxy.port);
      const ha = await observer(broker.url, "bp_will/availability");
      clients.push(ha.client);
      const configs = await observer(broker.url, "homeassistant/+/bp_will/+/config");
      clients.push(configs.client);
      await ha.waitFor((all) => all.some((m) => m.payload === "online"), "online");
      await configs.waitFor((all) => all.length >= ENTITY_COUNT, "configs");
      configs.messages.length = 0;
      proxy.cut();
      await ha.waitFor((all) => all.at(-1)?.payload === "offline", "the last will");
      await ha.waitFor((all) => all.at(-1)?.payload === "online", "online after reconnect");
      await configs.waitFor((all) => all.length >= ENTITY_COUNT, "discovery after reconnect");
    } finally {
      await publisher?.close();
      publisher = undefined;
      await proxy.close();
    }
  });
});
