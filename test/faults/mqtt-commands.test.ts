// MQTT commands under faults, with a real mosquitto (issue 9, item 7): a retained command is
// never replayed, neither when the add-on subscribes nor after a broker restart, and fuzzed
// command payloads change nothing unless they are strictly valid.
import fc from "fast-check";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMqttPublisher, type MqttPlanPublisher } from "../../src/ha/publish/mqtt-publisher.js";
import { setLogSink } from "../../src/log.js";
import type { OverrideRequest, RuntimeCommands } from "../../src/runtime/ports.js";
import { FakeClock } from "../fakes/clock.js";
import { type Mosquitto, startMosquitto } from "../fakes/mosquitto.js";
import { startTcpProxy, type TcpProxy } from "../fakes/tcp-proxy.js";
import { recordFault, timeUntil } from "./record.js";

class Recording implements RuntimeCommands {
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

const NODE = "bp_fault";
const RETAINED: [string, string][] = [
  [`${NODE}/override_mode/set`, "export"],
  [`${NODE}/reserve_soc/set`, "0"],
  [`${NODE}/control_enabled/set`, "OFF"],
  [`${NODE}/replan/set`, "PRESS"],
];

async function retain(url: string): Promise<void> {
  const ha = await connectAsync(url, { clientId: `ha-seed-${Math.random().toString(16).slice(2)}` });
  for (const [topic, payload] of RETAINED) await ha.publishAsync(topic, payload, { retain: true, qos: 1 });
  await ha.endAsync();
}

let restoreLog: () => void;
const lines: string[] = [];
beforeAll(() => {
  restoreLog = setLogSink((line) => lines.push(line));
});
afterAll(() => restoreLog());

describe("retained MQTT commands", () => {
  const brokers: Mosquitto[] = [];
  let publisher: MqttPlanPublisher | undefined;
  let relay: TcpProxy | undefined;
  afterEach(async () => {
    await publisher?.close();
    await relay?.close();
    for (const b of brokers.splice(0)) await b.stop();
  });

  it("are never obeyed, at subscription or after a broker restart", async () => {
    const first = await startMosquitto();
    brokers.push(first);
    await retain(first.url);
    relay = await startTcpProxy(first.port);
    const commands = new Recording();
    publisher = await createMqttPublisher({
      broker: { host: "127.0.0.1", port: relay.port },
      reconnectPeriodMs: 100,
      ha: {
        fireEvent: async () => undefined,
        callService: async () => ({ context: { id: "", parent_id: null, user_id: null } }),
      },
      commands,
      clock: new FakeClock(Date.parse("2026-01-15T12:00:00Z")),
      timeZone: "Europe/London",
      currency: "GBP",
      swVersion: "0.1.0",
      nodeId: NODE,
      reservePct: 10,
      controlEnabled: true,
    });
    const seen = () => lines.filter((l) => l.includes("retained message")).length;
    await timeUntil(() => seen() >= RETAINED.length, 10_000);
    expect(commands.calls).toEqual([]);

    // The broker restarts with its retained messages (persistence), the add-on reconnects.
    const before = seen();
    await first.stop();
    brokers.length = 0;
    const second = await startMosquitto();
    brokers.push(second);
    await retain(second.url);
    const restartedAtMs = Date.now();
    relay.retarget(second.port);
    const recoveryMs = await timeUntil(() => seen() >= before + RETAINED.length, 15_000, restartedAtMs);
    expect(commands.calls).toEqual([]);

    // A command sent now is obeyed: the add-on is listening, it just does not replay.
    const ha: MqttClient = await connectAsync(second.url, { clientId: "ha-live" });
    await ha.publishAsync(`${NODE}/override_mode/set`, "charge", { qos: 1 });
    await timeUntil(() => commands.calls.length > 0, 10_000);
    await ha.endAsync();
    expect(commands.calls).toEqual([["createOverride", { mode: "charge", durationMinutes: 60 }]]);
    recordFault({
      area: "mqtt",
      fault: "broker restart with retained commands (export, reserve 0, control OFF, replan)",
      tried: 2 * RETAINED.length,
      survived: 2 * RETAINED.length,
      recoveryMs,
    });
  });
});

describe("fuzzed MQTT command payloads", () => {
  let broker: Mosquitto;
  let publisher: MqttPlanPublisher | undefined;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await publisher?.close();
    await broker?.stop();
  });

  it("change nothing unless strictly valid", async () => {
    const commands = new Recording();
    publisher = await createMqttPublisher({
      broker: { host: broker.host, port: broker.port },
      reconnectPeriodMs: 100,
      ha: {
        fireEvent: async () => undefined,
        callService: async () => ({ context: { id: "", parent_id: null, user_id: null } }),
      },
      commands,
      clock: new FakeClock(Date.parse("2026-01-15T12:00:00Z")),
      timeZone: "Europe/London",
      currency: "GBP",
      swVersion: "0.1.0",
      nodeId: "bp_fuzz",
      reservePct: 10,
      controlEnabled: true,
    });
    const payload = fc.oneof(
      fc.constantFrom(
        "",
        " ",
        "\t\n",
        "0x32",
        "0b1",
        "NaN",
        "Infinity",
        "1e2",
        "-0",
        "50%",
        "٥٠",
        "ON",
        "on",
        "charge",
        "auto",
      ),
      fc.double().map(String),
      fc.integer({ min: -50, max: 2000 }).map(String),
      fc.string({ maxLength: 20 }),
      fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
    );
    const payloads = fc.sample(payload, { numRuns: 200, seed: 20261201 });
    const ha = await connectAsync(broker.url, { clientId: "ha-fuzz" });
    const keys = ["reserve_soc", "override_duration", "control_enabled", "override_mode"] as const;
    for (const [i, p] of payloads.entries())
      await ha.publishAsync(`bp_fuzz/${keys[i % keys.length]}/set`, p, { qos: 1 });
    // A sentinel that must arrive last (commands are handled in order).
    await ha.publishAsync("bp_fuzz/reserve_soc/set", "42.5", { qos: 1 });
    await timeUntil(() => commands.calls.some(([name, v]) => name === "setReservePct" && v === 42.5), 15_000);
    await ha.endAsync();

    // What a strict reading of each payload allows, worked out independently of the handler.
    const decimal = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?$/;
    const sentTo = (key: (typeof keys)[number]) =>
      payloads.filter((_, i) => keys[i % keys.length] === key).map((p) => p.trim());
    const reserves = sentTo("reserve_soc")
      .filter((t) => decimal.test(t) && Number(t) >= 0 && Number(t) <= 100)
      .map((t) => Number(t))
      .concat(42.5);
    const switches = sentTo("control_enabled")
      .filter((t) => t.toUpperCase() === "ON" || t.toUpperCase() === "OFF")
      .map((t) => t.toUpperCase() === "ON");
    const modes = sentTo("override_mode").filter((t) => ["self-use", "charge", "hold", "export"].includes(t));
    const called = (name: string) => commands.calls.filter(([n]) => n === name).map(([, v]) => v);
    expect(called("setReservePct")).toEqual(reserves);
    expect(called("setControlEnabled")).toEqual(switches);
    const overrides = called("createOverride") as OverrideRequest[];
    expect(overrides.map((o) => o.mode)).toEqual(modes);
    for (const o of overrides)
      expect(Number.isInteger(o.durationMinutes) && o.durationMinutes >= 5).toBe(true);
    recordFault({
      area: "mqtt",
      fault: "fuzzed command payloads (strict parse)",
      tried: payloads.length,
      survived: payloads.length,
    });
  });
});
