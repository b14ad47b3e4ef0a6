import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { ConfigInput } from "../../src/config/schema.js";
import { InputError } from "../../src/errors.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import {
  createHaInputs,
  type HaInputs,
  inputEntityIds,
  missingEntityMessage,
  watchedEntityIds,
} from "../../src/ha/inputs.js";
import { type HaSim, startHaSim } from "../../src/sim/ha/index.js";

const TOKEN = "inputs-token";
const HOUR_MS = 3_600_000;
const IMPORT = "event.octopus_energy_electricity_19l3456789_1900012345678";
const EXPORT = "event.octopus_energy_electricity_19l3456789_1900098765432_export";
const NOW = Date.parse("2020-03-28T12:10:00Z");

const options: ConfigInput = {
  battery: {
    soc_entity: "sensor.givtcp_ce2146g123_soc",
    power_entity: "sensor.givtcp_ce2146g123_battery_power",
    capacity_kwh: 9.5,
    max_charge_kw: 3.6,
    max_discharge_kw: 3.6,
  },
  import_tariff: { source: "octopus", entities: [`${IMPORT}_current_day_rates`, `${IMPORT}_next_day_rates`] },
  export_tariff: { source: "octopus", entities: [`${EXPORT}_current_day_rates`, `${EXPORT}_next_day_rates`] },
  solar: {
    source: "solcast",
    entities: ["today", "tomorrow", "day_3"].map((d) => `sensor.solcast_pv_forecast_forecast_${d}`),
  },
  load: { consumption_entity: "sensor.house_consumption_energy", history_days: 14 },
  planner: { horizon_hours: 36 },
};

let sim: HaSim;
let conn: HaConnection | undefined;
let inputs: HaInputs | undefined;

async function setUp(config = parseConfig(options)) {
  sim = await startHaSim({ token: TOKEN, fixtures: ["uk-octopus-solcast"], timeZone: "Europe/London" });
  const rows = [];
  let sum = 5000;
  for (let start = NOW - 15 * 24 * HOUR_MS; start < NOW; start += HOUR_MS) {
    sum += 0.6;
    rows.push({ start: Math.floor(start / HOUR_MS) * HOUR_MS, sum });
  }
  sim.setStatistics("sensor.house_consumption_energy", rows);
  conn = await connectHa({
    ...endpointsFromBaseUrl(sim.url, TOKEN, "HA_TOKEN"),
    connectAttempts: 1,
    heartbeatMs: 0,
  });
  inputs = createHaInputs(conn, config);
  return inputs;
}

afterEach(async () => {
  await inputs?.close();
  await conn?.close();
  await sim?.close();
  inputs = undefined;
  conn = undefined;
});

describe("createHaInputs against the simulator (Octopus + Solcast + SOC)", () => {
  it("returns a coherent snapshot", async () => {
    const snapshot = await (await setUp()).readInputs(NOW);
    const horizonEnd = NOW + 36 * HOUR_MS;
    expect(snapshot.readAtMs).toBe(NOW);
    expect(snapshot.battery).toEqual({ socPct: 62, powerW: -1250, readAtMs: NOW });
    // Import: from the half-hour under way to the end of the 29th (local), contiguous.
    expect(snapshot.importRates[0]?.startMs).toBe(Date.parse("2020-03-28T12:00:00Z"));
    expect(snapshot.importRates.at(-1)?.endMs).toBe(Date.parse("2020-03-29T23:00:00Z"));
    for (const rates of [snapshot.importRates, snapshot.exportRates]) {
      for (let i = 1; i < rates.length; i += 1) expect(rates[i]?.startMs).toBe(rates[i - 1]?.endMs);
    }
    expect(snapshot.exportRates.every((r) => r.pricePerKwh === 0.055)).toBe(true);
    expect(snapshot.exportRates).toHaveLength(snapshot.importRates.length);
    expect(snapshot.solar.length).toBeGreaterThan(0);
    expect(snapshot.solar.every((p) => p.endMs > NOW && p.startMs < horizonEnd)).toBe(true);
    expect(snapshot.solar.some((p) => p.energyKwh > 0 && p.p10Kwh !== undefined)).toBe(true);
    expect(snapshot.load[0]!.startMs).toBeLessThanOrEqual(NOW);
    expect(snapshot.load.at(-1)!.endMs).toBeGreaterThanOrEqual(horizonEnd);
    expect(snapshot.load.every((p) => Math.abs(p.energyKwh - 0.6) < 1e-9)).toBe(true);
    // The rates end before the 36-hour horizon: said, not fatal.
    expect(snapshot.warnings.some((w) => w.includes("import rates: data ends"))).toBe(true);
  });

  it("subscribes only to the entities it reads or checks, once, and never pulls every state", async () => {
    const port = await setUp();
    await port.readInputs(NOW);
    await port.missingEntities();
    await port.readInputs(NOW + HOUR_MS);
    const subscribes = sim.received.filter((m) => m.type === "subscribe_entities");
    expect(subscribes).toHaveLength(1);
    const config = parseConfig(options);
    expect(new Set(subscribes[0]?.entity_ids as string[])).toEqual(
      new Set([
        ...watchedEntityIds(config),
        "sensor.givtcp_ce2146g123_battery_power",
        "sensor.house_consumption_energy",
      ]),
    );
    expect(new Set(inputEntityIds(config))).toEqual(new Set(subscribes[0]?.entity_ids as string[]));
    expect(watchedEntityIds(config)).not.toContain("sensor.givtcp_ce2146g123_battery_power");
    expect(sim.received.some((m) => m.type === "get_states")).toBe(false);
  });

  it("sees new rates and SOC as HA updates them", async () => {
    const port = await setUp();
    await port.readInputs(NOW);
    sim.setState(
      "sensor.givtcp_ce2146g123_soc",
      "80",
      sim.getState("sensor.givtcp_ce2146g123_soc")?.attributes,
    );
    const deadline = Date.now() + 10_000;
    let soc = 0;
    while (Date.now() < deadline && soc !== 80) {
      soc = (await port.readInputs(NOW)).battery.socPct;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(soc).toBe(80);
  });

  it("keeps answering from the last states while HA is away, and says so", async () => {
    const port = await setUp();
    await port.readInputs(NOW);
    await sim.close();
    while (conn?.connected) await new Promise((resolve) => setTimeout(resolve, 10));
    const snapshot = await port.readInputs(NOW);
    expect(snapshot.battery.socPct).toBe(62);
    expect(snapshot.warnings[0]).toContain("disconnected");
  });

  it("raises an InputError when the SOC is unavailable", async () => {
    const port = await setUp();
    sim.setState("sensor.givtcp_ce2146g123_soc", "unavailable");
    const error = await port.readInputs(NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).source).toBe("battery.soc_entity");
  });

  it("raises an InputError when no import rates cover now or later", async () => {
    const port = await setUp();
    const error = await port.readInputs(Date.parse("2020-04-10T12:00:00Z")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).source).toBe("import_tariff");
  });

  it("reports a configured entity that does not exist, by id and option", async () => {
    const config = parseConfig({ ...options, load: { ev_entity: "sensor.wallbox_energy_typo" } });
    const port = await setUp(config);
    const missing = await port.missingEntities();
    expect(missing).toEqual([{ entityId: "sensor.wallbox_energy_typo", option: "load.ev_entity" }]);
    expect(sim.received.some((m) => m.type === "get_states")).toBe(false);
    expect(missingEntityMessage(missing)).toContain("sensor.wallbox_energy_typo (option load.ev_entity)");
  });

  it("reads a fixed tariff and service-based Nord Pool prices", async () => {
    const config = parseConfig({
      ...options,
      import_tariff: {
        source: "fixed",
        bands: [{ start: "00:30", end: "04:30", price: 0.075 }],
        default_price: 0.3,
      },
      export_tariff: { source: "nordpool_core", config_entry: "01NORDPOOL", area: "SE3" },
    });
    const port = await setUp(config);
    sim.registerService("nordpool", "get_prices_for_date", (data) => ({
      SE3: [{ start: `${data.date}T00:00:00+00:00`, end: `${data.date}T01:00:00+00:00`, price: 120.5 }],
    }));
    const snapshot = await port.readInputs(NOW);
    expect(snapshot.importRates[0]).toEqual({
      startMs: Date.parse("2020-03-28T04:30:00Z"),
      endMs: Date.parse("2020-03-29T00:30:00Z"),
      pricePerKwh: 0.3,
    });
    expect(snapshot.exportRates).toEqual([
      {
        startMs: Date.parse("2020-03-29T00:00:00Z"),
        endMs: Date.parse("2020-03-29T01:00:00Z"),
        pricePerKwh: 0.1205,
      },
    ]);
    const calls = sim.serviceCalls.filter((c) => c.domain === "nordpool");
    expect(calls.map((c) => c.data.date)).toEqual(["2020-03-28", "2020-03-29"]);
    expect(calls.every((c) => c.returnResponse)).toBe(true);
  });

  it("asks a service tariff again only when its answer is old or for another day", async () => {
    const config = parseConfig({
      ...options,
      export_tariff: { source: "tibber" },
    });
    const port = await setUp(config);
    sim.registerService("tibber", "get_prices", () => ({ prices: { Home: [] } }));
    const tibberCalls = () => sim.serviceCalls.filter((c) => c.domain === "tibber").length;
    await port.readInputs(NOW);
    // An empty or failed answer is not kept: the next read asks again.
    const first = tibberCalls();
    expect(first).toBe(1);
    sim.registerService("tibber", "get_prices", () => ({
      prices: {
        Home: Array.from({ length: 48 }, (_, i) => ({
          start_time: new Date(Date.parse("2020-03-28T00:00:00Z") + i * HOUR_MS).toISOString(),
          price: 0.1 + i / 1000,
        })),
      },
    }));
    await port.readInputs(NOW);
    expect(tibberCalls()).toBe(2);
    await port.readInputs(NOW + 60_000);
    await port.readInputs(NOW + 10 * 60_000);
    expect(tibberCalls()).toBe(2);
    await port.readInputs(NOW + 16 * 60_000);
    expect(tibberCalls()).toBe(3);
    port.refreshServiceRates();
    await port.readInputs(NOW + 17 * 60_000);
    expect(tibberCalls()).toBe(4);
  });
});
