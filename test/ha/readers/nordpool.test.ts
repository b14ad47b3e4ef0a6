import { describe, expect, it } from "vitest";
import { readNordpoolCoreResponse, readNordpoolSensor } from "../../../src/ha/readers/nordpool.js";
import { fixtureResponse, fixtureStates, HOUR_MS, utc, withAttributes } from "./helpers.js";

const states = fixtureStates("nordpool-custom");
const SE3 = "sensor.nordpool_kwh_se3_sek_3_10_025";
const FI = "sensor.nordpool_mwh_fi_eur_3_10_0";

describe("Nord Pool custom component", () => {
  it("reads hourly öre/kWh prices as SEK/kWh over today and tomorrow", () => {
    const { points, warnings } = readNordpoolSensor(SE3, states[SE3]);
    expect(warnings).toEqual([]);
    expect(points).toHaveLength(48);
    // 00:00 CEST on 18 June is 22:00 UTC the day before.
    expect(points[0]?.startMs).toBe(utc("2025-06-17T22:00:00Z"));
    expect(points[0]?.endMs).toBe(utc("2025-06-17T23:00:00Z"));
    expect(points[0]?.pricePerKwh).toBeCloseTo(0.1506, 6);
  });

  it("converts 15-minute EUR/MWh prices to EUR/kWh", () => {
    const { points } = readNordpoolSensor(FI, states[FI]);
    expect(points).toHaveLength(192);
    expect(points[0]!.endMs - points[0]!.startMs).toBe(HOUR_MS / 4);
    expect(points[0]?.pricePerKwh).toBeCloseTo(13.691 / 1000, 9);
  });

  it("reads the unit from unit_of_measurement when the unit attribute is absent", () => {
    const { unit: _unit, price_in_cents: _cents, ...rest } = states[SE3]!.attributes;
    const state = { ...states[SE3]!, attributes: { ...rest, unit_of_measurement: "c/kWh" } };
    expect(readNordpoolSensor(SE3, state).points[0]?.pricePerKwh).toBeCloseTo(0.1506, 6);
  });

  it("leaves unpublished (null) and garbage prices out instead of reading them as zero", () => {
    const today = states[SE3]!.attributes.raw_today as { start: string; end: string; value: unknown }[];
    const raw = today.map((item, i) =>
      i === 3 ? { ...item, value: null } : i === 4 ? { ...item, value: "n/a" } : item,
    );
    const state = withAttributes(states[SE3]!, { raw_today: raw, raw_tomorrow: [] });
    const { points, warnings } = readNordpoolSensor(SE3, state);
    expect(points).toHaveLength(22);
    expect(points.some((p) => p.pricePerKwh === 0)).toBe(false);
    expect(warnings.join()).toContain("ignored 2");
  });

  it("refuses to guess a price unit it cannot tell", () => {
    const { unit: _unit, unit_of_measurement: _uom, ...rest } = states[SE3]!.attributes;
    const { points, warnings } = readNordpoolSensor(SE3, { ...states[SE3]!, attributes: rest });
    expect(points).toEqual([]);
    expect(warnings[0]).toContain("price unit");
  });
});

describe("Nord Pool core get_prices_for_date", () => {
  const response = fixtureResponse("nordpool-get-prices-for-date");

  it("converts per-MWh UTC prices to per-kWh points", () => {
    const { points, warnings } = readNordpoolCoreResponse(response, "SE3");
    expect(warnings).toEqual([]);
    expect(points).toHaveLength(96);
    expect(points[0]?.startMs).toBe(utc("2025-06-17T22:00:00Z"));
    expect(points[0]?.endMs).toBe(utc("2025-06-17T22:15:00Z"));
    expect(points[0]?.pricePerKwh).toBeCloseTo(0.1506, 9);
  });

  it("warns when the area is not in the response", () => {
    const { points, warnings } = readNordpoolCoreResponse(response, "NO1");
    expect(points).toEqual([]);
    expect(warnings[0]).toContain("NO1");
  });
});
