import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { ReplanTrigger } from "../../src/core/replan.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { createEntityCache, type EntityCache } from "../../src/ha/entity-cache.js";
import { createHaInputs } from "../../src/ha/inputs.js";
import { triggerKinds, watchEntityTriggers } from "../../src/ha/triggers.js";
import { type HaSim, startHaSim } from "../../src/sim/ha/index.js";

const TOKEN = "triggers-token";
const HOUR_MS = 3_600_000;
const NOW = Date.parse("2020-03-28T12:10:00Z");
const SOC = "sensor.givtcp_ce2146g123_soc";
const IMPORT = "event.octopus_energy_electricity_19l3456789_1900012345678";

const options = {
  battery: { soc_entity: SOC, capacity_kwh: 9.5, max_charge_kw: 3.6, max_discharge_kw: 3.6 },
  import_tariff: { source: "octopus", entities: [`${IMPORT}_current_day_rates`, `${IMPORT}_next_day_rates`] },
  // A service tariff: each read of the rates calls tibber.get_prices.
  export_tariff: { source: "tibber" },
  solar: { source: "none" },
  planner: { horizon_hours: 24 },
  control: { method: "modbus", modbus: { host: "192.0.2.1" } },
};
const config = parseConfig(options);

let sim: HaSim | undefined;
let conn: HaConnection | undefined;
let cache: EntityCache | undefined;
let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  await cache?.close();
  await conn?.close();
  await sim?.close();
  stop = undefined;
  sim = undefined;
});

async function setUp() {
  sim = await startHaSim({ token: TOKEN, fixtures: ["uk-octopus-solcast"] });
  const s = sim;
  s.registerService("tibber", "get_prices", () => ({
    prices: {
      Home: Array.from({ length: 48 }, (_, i) => ({
        start_time: new Date(Date.parse("2020-03-28T00:00:00Z") + i * HOUR_MS).toISOString(),
        price: 0.05,
      })),
    },
  }));
  conn = await connectHa({
    ...endpointsFromBaseUrl(s.url, TOKEN, "HA_TOKEN"),
    connectAttempts: 1,
    heartbeatMs: 0,
  });
  cache = createEntityCache(conn);
  const inputs = createHaInputs(conn, config, { entities: cache, timeZone: "Europe/London" });
  const triggers: ReplanTrigger[] = [];
  stop = await watchEntityTriggers({
    entities: cache,
    inputs,
    config,
    clock: { nowMs: () => NOW },
    notify: (t) => triggers.push(t),
  });
  const tibberCalls = () => s.serviceCalls.filter((c) => c.domain === "tibber").length;
  return { sim: s, triggers, tibberCalls };
}

describe("entity triggers", () => {
  it("in dry run, a change of the real battery's SOC is no trigger (the plan is for the would-be one)", () => {
    const dryRun = parseConfig({ ...options, control: { method: "dry_run" } });
    expect(triggerKinds(dryRun).has(SOC)).toBe(false);
    expect(triggerKinds(config).get(SOC)).toBe("soc");
  });

  it("reads only the SOC on SOC changes: no rate service is called", async () => {
    const { sim, triggers, tibberCalls } = await setUp();
    for (let i = 1; i <= 10; i += 1) {
      sim.setState(SOC, String(50 + i), sim.getState(SOC)?.attributes);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect.poll(() => triggers.at(-1)).toEqual({ kind: "soc", socPct: 60 });
    expect(triggers.every((t) => t.kind === "soc")).toBe(true);
    expect(tibberCalls()).toBe(0);
  });

  it("fingerprints the rates when a rate entity changes, and not on the states at start", async () => {
    const { sim, triggers } = await setUp();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(triggers).toEqual([]);
    const next = sim.getState(`${IMPORT}_next_day_rates`)!;
    const rates = (next.attributes.rates as { value_inc_vat: number }[]).map((r) => ({
      ...r,
      value_inc_vat: r.value_inc_vat + 0.01,
    }));
    sim.setState(next.entity_id, next.state, { ...next.attributes, rates });
    await expect.poll(() => triggers.length).toBe(1);
    expect(triggers[0]).toMatchObject({ kind: "rates", fingerprint: expect.any(String) });
  });
});
