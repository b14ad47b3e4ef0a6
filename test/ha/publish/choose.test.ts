import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { ConfigError } from "../../../src/errors.js";
import type { HaClient } from "../../../src/ha/client.js";
import { choosePublisher, supervisorMqtt } from "../../../src/ha/publish/choose.js";
import type { MqttPlanPublisher } from "../../../src/ha/publish/mqtt-publisher.js";
import type { RestPlanPublisher } from "../../../src/ha/publish/rest-publisher.js";
import type { RuntimeCommands } from "../../../src/runtime/ports.js";
import { FakeClock } from "../../fakes/clock.js";
import { type Mosquitto, startMosquitto } from "../../fakes/mosquitto.js";

const commands: RuntimeCommands = {
  requestReplan: () => undefined,
  createOverride: async () => "id",
  cancelOverride: async () => undefined,
  setControlEnabled: async () => undefined,
  setReservePct: async () => undefined,
};

// Only what the publishers touch; the REST one is never asked to write here.
const ha = {
  restUrl: "http://127.0.0.1:9/api",
  token: "t",
  onReconnect: () => () => undefined,
  fireEvent: async () => undefined,
  callService: async () => ({ context: { id: "x", parent_id: null, user_id: null } }),
} as unknown as HaClient;

const config = (mqtt: Record<string, unknown>) =>
  configSchema.parse({
    battery: { soc_entity: "sensor.soc", capacity_kwh: 10, max_charge_kw: 3, max_discharge_kw: 3 },
    import_tariff: { source: "fixed", default_price: 0.2 },
    mqtt,
  });

/** The Supervisor's services API on loopback, answering GET /services/mqtt. */
async function fakeSupervisor(answer: { status: number; body: unknown }) {
  const seen: { url?: string; auth?: string }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", auth: req.headers.authorization ?? "" });
    res.writeHead(answer.status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("choosing the publisher", () => {
  let broker: Mosquitto;
  let chosen: MqttPlanPublisher | RestPlanPublisher | undefined;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });
  afterEach(async () => {
    await chosen?.close();
    chosen = undefined;
    for (const close of closers.splice(0)) await close();
  });

  const choose = (mqtt: Record<string, unknown>, env: Record<string, string> = {}, supervisorUrl?: string) =>
    choosePublisher({
      config: config(mqtt),
      ha,
      commands,
      clock: new FakeClock(0),
      timeZone: "UTC",
      currency: "EUR",
      swVersion: "0.1.0",
      env,
      ...(supervisorUrl ? { supervisorUrl } : {}),
    });

  it("uses MQTT with the broker the Supervisor's services API offers", async () => {
    const supervisor = await fakeSupervisor({
      status: 200,
      body: { result: "ok", data: { host: "127.0.0.1", port: broker.port, ssl: false, protocol: "3.1.1" } },
    });
    closers.push(supervisor.close);
    chosen = await choose({ mode: "auto" }, { SUPERVISOR_TOKEN: "sup-token" }, supervisor.url);
    expect(chosen.kind).toBe("mqtt");
    expect(supervisor.seen).toEqual([{ url: "/services/mqtt", auth: "Bearer sup-token" }]);
  });

  it("uses MQTT with a broker from the options", async () => {
    chosen = await choose({ mode: "always", host: "127.0.0.1", port: broker.port });
    expect(chosen.kind).toBe("mqtt");
  });

  it("falls back to REST without a Supervisor MQTT service", async () => {
    const supervisor = await fakeSupervisor({
      status: 400,
      body: { result: "error", message: "No mqtt service" },
    });
    closers.push(supervisor.close);
    chosen = await choose({ mode: "auto" }, { SUPERVISOR_TOKEN: "sup-token" }, supervisor.url);
    expect(chosen.kind).toBe("rest");
  });

  it("falls back to REST when MQTT is off, even with a broker", async () => {
    chosen = await choose({ mode: "never", host: "127.0.0.1", port: broker.port });
    expect(chosen.kind).toBe("rest");
  });

  it("falls back to REST in auto mode when the broker does not answer", async () => {
    const supervisor = await fakeSupervisor({ status: 200, body: {} });
    const deadPort = Number(new URL(supervisor.url).port);
    await supervisor.close();
    chosen = await choose({ mode: "auto", host: "127.0.0.1", port: deadPort });
    expect(chosen.kind).toBe("rest");
  });

  it("stops with an error naming the option when mode is always and there is no broker", async () => {
    await expect(choose({ mode: "always" })).rejects.toBeInstanceOf(ConfigError);
    await expect(choose({ mode: "always" })).rejects.toThrow(/mqtt\.host/);
  });

  it("ignores a malformed services answer", async () => {
    const supervisor = await fakeSupervisor({ status: 200, body: { result: "ok", data: { host: "" } } });
    closers.push(supervisor.close);
    expect(await supervisorMqtt({ SUPERVISOR_TOKEN: "x" }, undefined, supervisor.url)).toBeUndefined();
    expect(await supervisorMqtt({}, undefined, supervisor.url)).toBeUndefined();
  });
});
