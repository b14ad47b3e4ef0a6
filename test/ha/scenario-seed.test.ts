import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { createHaInputs } from "../../src/ha/inputs.js";
import { type HaSim, type ScenarioLike, startHaSimForScenario } from "../../src/sim/ha/index.js";

const scenario = JSON.parse(
  readFileSync(new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url), "utf8"),
) as ScenarioLike;

let sim: HaSim | undefined;
let conn: HaConnection | undefined;
afterEach(async () => {
  await conn?.close();
  await sim?.close();
});

describe("seeding the simulator from a scenario file", () => {
  it("gives back the scenario's prices, PV, load and SOC through the HA readers", async () => {
    const started = await startHaSimForScenario(scenario, { token: "t" });
    sim = started.sim;
    const seed = started.seed;
    conn = await connectHa({
      ...endpointsFromBaseUrl(sim.url, "t", "HA_TOKEN"),
      connectAttempts: 1,
      heartbeatMs: 0,
    });
    const config = parseConfig({ ...seed.options, planner: { horizon_hours: 24 } });
    const snapshot = await createHaInputs(conn, config).readInputs(seed.startMs);
    const slotMs = scenario.slotMinutes * 60_000;
    const first = scenario.slots[0]!;
    expect(snapshot.importRates[0]).toEqual({
      startMs: seed.startMs,
      endMs: seed.startMs + slotMs,
      pricePerKwh: first.importPrice,
    });
    expect(snapshot.exportRates[0]?.pricePerKwh).toBe(first.exportPrice);
    expect(snapshot.importRates).toHaveLength(48);
    const pvTotal = scenario.slots.slice(0, 48).reduce((sum, s) => sum + s.pvKwh, 0);
    const solarTotal = snapshot.solar.reduce((sum, p) => sum + p.energyKwh, 0);
    expect(solarTotal).toBeCloseTo(pvTotal, 6);
    const loadTotal = scenario.slots.slice(0, 48).reduce((sum, s) => sum + s.loadKwh, 0);
    const forecastTotal = snapshot.load.reduce((sum, p) => sum + p.energyKwh, 0);
    expect(forecastTotal).toBeCloseTo(loadTotal, 2);
    expect(snapshot.battery.socPct).toBeCloseTo(
      (scenario.battery.initialSocKwh / scenario.battery.capacityKwh) * 100,
      1,
    );
  });
});
