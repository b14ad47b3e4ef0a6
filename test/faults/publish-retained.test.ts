// The MQTT publisher's own retained state under faults (issue 9), with a real mosquitto: whatever
// a broker holds as our override duration (fuzzed, as a damaged or foreign retained message) the
// controls come up with a valid one, and after Home Assistant restarts (its birth message) the
// controls are sent again as they are in force, not as the options were.
import fc from "fast-check";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMqttPublisher, type MqttPlanPublisher } from "../../src/ha/publish/mqtt-publisher.js";
import { setLogSink } from "../../src/log.js";
import type { OverrideRequest, RuntimeCommands } from "../../src/runtime/ports.js";
import { FakeClock } from "../fakes/clock.js";
import { type Mosquitto, startMosquitto } from "../fakes/mosquitto.js";
import { recordFault, timeUntil } from "./record.js";

class Overrides implements RuntimeCommands {
  requests: OverrideRequest[] = [];
  requestReplan() {}
  async createOverride(request: OverrideRequest) {
    this.requests.push(request);
    return `ov-${this.requests.length}`;
  }
  async cancelOverride() {}
  async setControlEnabled() {}
  async setReservePct() {}
}

let broker: Mosquitto;
let ha: MqttClient;
const seen = new Map<string, string>();

beforeAll(async () => {
  setLogSink(() => undefined);
  broker = await startMosquitto();
  ha = await connectAsync(broker.url, { clientId: "fault-ha" });
  ha.on("message", (topic, payload) => seen.set(topic, payload.toString()));
  await ha.subscribeAsync("#", { qos: 1 });
});

afterAll(async () => {
  await ha?.endAsync();
  await broker?.stop();
});

async function publisher(
  nodeId: string,
  commands: RuntimeCommands = new Overrides(),
): Promise<MqttPlanPublisher> {
  return createMqttPublisher({
    broker: { host: "127.0.0.1", port: broker.port },
    ha: { fireEvent: async () => undefined, callService: async () => undefined } as never,
    commands,
    clock: new FakeClock(Date.parse("2025-06-01T00:00:00Z")),
    timeZone: "UTC",
    currency: "GBP",
    swVersion: "fault",
    nodeId,
    reservePct: 10,
    controlEnabled: true,
  });
}

describe("the publisher's retained state", () => {
  it("comes up with a valid override duration whatever the broker retained", async () => {
    let run = 0;
    let survived = 0;
    const retained = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer({ min: -100, max: 5000 }).map(String),
      fc.constantFrom("90", "1440", "1441", "4", "0x5A", "1e2", "90.5", " 90", "", "NaN", "null"),
    );
    await fc.assert(
      fc.asyncProperty(retained, async (payload) => {
        const nodeId = `bp_fuzz_${run++}`;
        const topic = `${nodeId}/override_duration/state`;
        await ha.publishAsync(topic, payload, { retain: true, qos: 1 });
        const commands = new Overrides();
        const pub = await publisher(nodeId, commands);
        try {
          await ha.publishAsync(`${nodeId}/override_mode/set`, "charge");
          await timeUntil(() => commands.requests.length > 0, 5_000);
          const valid = /^\d{1,4}$/.test(payload) && Number(payload) >= 5 && Number(payload) <= 1440;
          const expected = valid ? Number(payload) : 60;
          expect(commands.requests[0]?.durationMinutes).toBe(expected);
          await timeUntil(() => seen.get(topic) === String(expected), 5_000).catch(() => undefined);
          expect(seen.get(topic)).toBe(String(expected));
          survived++;
        } finally {
          await pub.close();
          await ha.publishAsync(topic, "", { retain: true, qos: 1 });
        }
      }),
      { numRuns: 25, seed: 9 },
    );
    recordFault({ area: "publish", fault: "fuzzed retained override duration", tried: run, survived });
  });

  it("sends the controls again as they are in force when Home Assistant restarts", async () => {
    const pub = await publisher("bp_birth_fault");
    try {
      let reservePct = 30;
      await pub.followSettings({ reservePct: () => reservePct, controlEnabled: () => false });
      reservePct = 35;
      await pub.publishStatus({ state: "ok", reason: "ok", controlEnabled: false, updatedAtMs: 0 });
      // HA restarts: its birth message asks for everything again.
      seen.delete("bp_birth_fault/reserve_soc/state");
      const startedMs = Date.now();
      await ha.publishAsync("homeassistant/status", "online");
      const recoveryMs = await timeUntil(
        () => seen.get("bp_birth_fault/reserve_soc/state") !== undefined,
        5_000,
        startedMs,
      );
      expect(seen.get("bp_birth_fault/reserve_soc/state")).toBe("35");
      expect(seen.get("bp_birth_fault/control_enabled/state")).toBe("OFF");
      recordFault({
        area: "publish",
        fault: "HA restart: controls resent in force",
        tried: 1,
        survived: 1,
        recoveryMs,
      });
    } finally {
      await pub.close();
    }
  });
});
