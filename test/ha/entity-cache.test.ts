import { afterEach, describe, expect, it } from "vitest";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { createEntityCache, type EntityCache } from "../../src/ha/entity-cache.js";
import { type HaSim, startHaSim } from "../../src/sim/ha/index.js";

const TOKEN = "cache-token";
const SOC = "sensor.givtcp_ce2146g123_soc";
const POWER = "sensor.givtcp_ce2146g123_battery_power";
const RATES = "event.octopus_energy_electricity_19l3456789_1900012345678_current_day_rates";

let sim: HaSim | undefined;
let conn: HaConnection | undefined;
let cache: EntityCache | undefined;

async function setUp(): Promise<{ sim: HaSim; cache: EntityCache }> {
  sim = await startHaSim({ token: TOKEN, fixtures: ["uk-octopus-solcast"] });
  conn = await connectHa({
    ...endpointsFromBaseUrl(sim.url, TOKEN, "HA_TOKEN"),
    connectAttempts: 1,
    heartbeatMs: 0,
  });
  cache = createEntityCache(conn, { readyTimeoutMs: 5_000 });
  return { sim, cache };
}

afterEach(async () => {
  await cache?.close();
  await conn?.close();
  await sim?.close();
  cache = undefined;
  conn = undefined;
  sim = undefined;
});

const subscribes = (s: HaSim) => s.received.filter((m) => m.type === "subscribe_entities");

describe("the entity cache", () => {
  it("makes one subscription for the entities registered together, limited to them", async () => {
    const { sim, cache } = await setUp();
    await Promise.all([cache.watch([SOC]), cache.watch([RATES, "sensor.does_not_exist"])]);
    expect(subscribes(sim)).toHaveLength(1);
    expect(new Set(subscribes(sim)[0]?.entity_ids as string[])).toEqual(
      new Set([SOC, RATES, "sensor.does_not_exist"]),
    );
    expect(Object.keys(cache.snapshot()).sort()).toEqual([RATES, SOC].sort());
    expect(cache.get(SOC)?.state).toBe("62");
    expect(sim.received.some((m) => m.type === "get_states")).toBe(false);
  });

  it("widens the subscription for new entities without a moment of no states", async () => {
    const { sim, cache } = await setUp();
    await cache.watch([SOC]);
    const seen: (string | undefined)[] = [];
    cache.onChange(() => seen.push(cache.get(SOC)?.state));
    await cache.watch([POWER]);
    expect(cache.get(POWER)?.state).toBe("-1250");
    expect(cache.get(SOC)?.state).toBe("62");
    // The SOC did not change, so the new subscription's first delivery reports only the power.
    expect(seen).toEqual(["62"]);
    expect(subscribes(sim).map((m) => (m.entity_ids as string[]).length)).toEqual([1, 2]);
    // The old subscription is dropped once the new one delivers: one stays.
    await expect.poll(() => sim.received.filter((m) => m.type === "unsubscribe_events").length).toBe(1);
    sim.setState(SOC, "70", sim.getState(SOC)?.attributes);
    await expect.poll(() => cache.get(SOC)?.state).toBe("70");
    expect(seen.filter((s) => s === "70")).toHaveLength(1);
  });

  it("tells what changed, once per real change, and digests attributes once per change", async () => {
    const { sim, cache } = await setUp();
    await cache.watch([SOC, RATES]);
    const changes: string[][] = [];
    cache.onChange((changed) => changes.push([...changed]));
    const ratesPrint = cache.fingerprint(RATES);
    sim.setState(SOC, "63", sim.getState(SOC)?.attributes);
    await expect.poll(() => changes.length).toBe(1);
    expect(changes[0]).toEqual([SOC]);
    expect(cache.fingerprint(RATES)).toBe(ratesPrint);
    const rates = sim.getState(RATES)!;
    sim.setState(RATES, rates.state, { ...rates.attributes, friendly_name: "renamed" });
    await expect.poll(() => changes.length).toBe(2);
    expect(changes[1]).toEqual([RATES]);
    expect(cache.fingerprint(RATES)).not.toBe(ratesPrint);
  });

  it("comes back after a dropped connection with what changed while it was away", async () => {
    const { sim, cache } = await setUp();
    await cache.watch([SOC, POWER]);
    const changes: string[][] = [];
    cache.onChange((changed) => changes.push([...changed].sort()));
    const reconnected = new Promise<void>((resolve) => conn!.onReconnect(() => resolve()));
    sim.dropConnections();
    // While HA is away the last states stand.
    expect(cache.get(SOC)?.state).toBe("62");
    sim.setState(SOC, "64", sim.getState(SOC)?.attributes);
    sim.removeState(POWER);
    await reconnected;
    await expect.poll(() => cache.get(SOC)?.state, { timeout: 10_000 }).toBe("64");
    expect(cache.get(POWER)).toBeUndefined();
    // The full set HA sends again reports only what really changed.
    expect(changes).toEqual([[POWER, SOC].sort()]);
  });

  it("wakes a waiter on the change it waits for", async () => {
    const { sim, cache } = await setUp();
    await cache.watch([SOC]);
    setTimeout(() => sim.setState(SOC, "90", sim.getState(SOC)?.attributes), 50);
    expect(await cache.waitUntil(() => cache.get(SOC)?.state === "90", 10_000)).toBe(true);
    expect(await cache.waitUntil(() => cache.get(SOC)?.state === "91", 100)).toBe(false);
  });
});
