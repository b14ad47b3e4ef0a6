import { describe, expect, it } from "vitest";
import {
  readEnergySolarForecast,
  readForecastSolar,
  readSolarSensors,
  readSolcast,
} from "../../../src/ha/readers/solar.js";
import { fixtureStates, HOUR_MS, utc, withAttributes } from "./helpers.js";

const total = (points: { energyKwh: number }[]) => points.reduce((sum, p) => sum + p.energyKwh, 0);

describe("Solcast", () => {
  const haeo = fixtureStates("haeo-scenario4");
  const TODAY = "sensor.solcast_pv_forecast_forecast_today";

  it("turns kW per 30-minute period into kWh with p10/p90, adding up to the day's estimate", () => {
    const { points, warnings } = readSolcast(TODAY, haeo[TODAY]);
    expect(warnings).toEqual([]);
    expect(points).toHaveLength(48);
    expect(points[0]?.startMs).toBe(utc("2025-10-05T13:00:00Z"));
    expect(points.every((p) => p.endMs - p.startMs === HOUR_MS / 2)).toBe(true);
    expect(total(points)).toBeCloseTo(Number(haeo[TODAY]!.state), 0);
    const noon = points.find((p) => p.energyKwh > 5)!;
    expect(noon.p10Kwh).toBeLessThanOrEqual(noon.energyKwh);
    expect(noon.p90Kwh).toBeGreaterThanOrEqual(noon.energyKwh);
  });

  it("sums today, tomorrow and day 3 into one continuous forecast", () => {
    const ids = ["today", "tomorrow", "day_3"].map((d) => `sensor.solcast_pv_forecast_forecast_${d}`);
    const { points } = readSolarSensors(ids, haeo, readSolcast);
    expect(points).toHaveLength(144);
    for (let i = 1; i < points.length; i += 1) expect(points[i]?.startMs).toBe(points[i - 1]?.endMs);
  });

  it("leaves an unavailable period out rather than reading it as zero", () => {
    const periods = (haeo[TODAY]!.attributes.detailedForecast as Record<string, unknown>[]).map((p, i) =>
      i === 24 ? { ...p, pv_estimate: "unavailable" } : p,
    );
    const { points, warnings } = readSolcast(
      TODAY,
      withAttributes(haeo[TODAY]!, { detailedForecast: periods }),
    );
    expect(points).toHaveLength(47);
    expect(warnings[0]).toContain("ignored 1");
  });
});

describe("Forecast.Solar / Open-Meteo style sensors", () => {
  const haeo = fixtureStates("haeo-scenario1");
  const faces = ["east", "north", "south", "west"].map((f) => `sensor.energy_production_today_${f}`);

  it("reads wh_period as energy per hour", () => {
    const { points } = readForecastSolar(faces[0]!, haeo[faces[0]!]);
    expect(points).toHaveLength(24);
    expect(total(points)).toBeCloseTo(Number(haeo[faces[0]!]!.state), 3);
  });

  it("sums several arrays", () => {
    const { points } = readSolarSensors(faces, haeo, readForecastSolar);
    const expected = faces.reduce((sum, id) => sum + Number(haeo[id]!.state), 0);
    expect(points).toHaveLength(24);
    expect(total(points)).toBeCloseTo(expected, 3);
  });

  it("falls back to watts (15-minute power) when wh_period is absent", () => {
    const { wh_period: _wh, ...attrs } = haeo[faces[0]!]!.attributes;
    const { points } = readForecastSolar(faces[0]!, { ...haeo[faces[0]!]!, attributes: attrs });
    expect(points).toHaveLength(96);
    // Power samples integrate to within a couple of percent of the sensor's own daily energy.
    const state = Number(haeo[faces[0]!]!.state);
    expect(Math.abs(total(points) - state) / state).toBeLessThan(0.02);
  });

  it("sums arrays with different resolutions onto the finer grid", () => {
    const { wh_period: _wh, ...attrs } = haeo[faces[1]!]!.attributes;
    const states = { ...haeo, [faces[1]!]: { ...haeo[faces[1]!]!, attributes: attrs } };
    const { points } = readSolarSensors([faces[0]!, faces[1]!], states, readForecastSolar);
    expect(points).toHaveLength(96);
    const expected = Number(haeo[faces[0]!]!.state) + Number(haeo[faces[1]!]!.state);
    expect(Math.abs(total(points) - expected) / expected).toBeLessThan(0.02);
  });
});

describe("HA energy/solar_forecast", () => {
  it("reads wh_hours of every config entry and sums them", () => {
    const result = {
      entryA: { wh_hours: { "2025-06-18T10:00:00+00:00": 1500, "2025-06-18T11:00:00+00:00": 2000 } },
      entryB: { wh_hours: { "2025-06-18T10:00:00+00:00": 500, "2025-06-18T11:00:00+00:00": "unknown" } },
    };
    const { points, warnings } = readEnergySolarForecast(result);
    expect(points).toEqual([
      { startMs: utc("2025-06-18T10:00:00Z"), endMs: utc("2025-06-18T11:00:00Z"), energyKwh: 2 },
      { startMs: utc("2025-06-18T11:00:00Z"), endMs: utc("2025-06-18T12:00:00Z"), energyKwh: 2 },
    ]);
    expect(warnings.join()).toContain("ignored 1");
    expect(readEnergySolarForecast(result, "entryB").points).toHaveLength(1);
  });
});

describe("implausible PV forecasts", () => {
  const haeo = fixtureStates("haeo-scenario4");
  const TODAY = "sensor.solcast_pv_forecast_forecast_today";
  const periods = (kw: (i: number) => unknown) =>
    Array.from({ length: 48 }, (_, i) => ({
      period_start: new Date(utc("2025-10-05T00:00:00Z") + i * (HOUR_MS / 2)).toISOString(),
      pv_estimate: kw(i),
    }));

  it.each([
    ["1e9 kW in one period", (i: number) => (i === 24 ? 1e9 : 2)],
    ["5,000 kW (W read as kW)", (i: number) => (i === 24 ? 5000 : 2)],
  ])("drops the whole series for %s, with the reason", (_what, kw) => {
    const state = withAttributes(haeo[TODAY]!, { detailedForecast: periods(kw) });
    const { points, warnings } = readSolcast(TODAY, state);
    expect(points).toEqual([]);
    expect(warnings.join()).toMatch(/kW.*whole series is ignored/);
  });

  it("drops a Forecast.Solar map with a power station in it", () => {
    const wh = Object.fromEntries(
      Array.from({ length: 24 }, (_, h) => [
        new Date(utc("2025-10-05T00:00:00Z") + h * HOUR_MS).toISOString(),
        h === 12 ? 9e9 : 800,
      ]),
    );
    const state = { ...haeo[TODAY]!, entity_id: "sensor.fs", attributes: { wh_period: wh } };
    const { points, warnings } = readForecastSolar("sensor.fs", state);
    expect(points).toEqual([]);
    expect(warnings.join()).toMatch(/whole series is ignored/);
  });
});
