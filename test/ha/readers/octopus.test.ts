import { describe, expect, it } from "vitest";
import { readOctopusRates } from "../../../src/ha/readers/octopus.js";
import { fixtureStates, HOUR_MS, utc, withAttributes } from "./helpers.js";

const states = fixtureStates("uk-octopus-solcast");
const IMPORT = "event.octopus_energy_electricity_19l3456789_1900012345678";
const EXPORT = "event.octopus_energy_electricity_19l3456789_1900098765432_export";

describe("Octopus rate events", () => {
  it("reads current and next day import rates as contiguous half-hours in £/kWh", () => {
    const { points, warnings } = readOctopusRates(
      [`${IMPORT}_current_day_rates`, `${IMPORT}_next_day_rates`],
      states,
    );
    expect(warnings).toEqual([]);
    expect(points).toHaveLength(48 + 46);
    expect(points[0]).toEqual({
      startMs: utc("2020-03-28T00:00:00Z"),
      endMs: utc("2020-03-28T00:30:00Z"),
      pricePerKwh: 0.04851,
    });
    for (let i = 1; i < points.length; i += 1) expect(points[i]?.startMs).toBe(points[i - 1]?.endMs);
    expect(points.at(-1)?.endMs).toBe(utc("2020-03-29T23:00:00Z"));
    expect(points.every((p) => p.endMs - p.startMs === HOUR_MS / 2)).toBe(true);
  });

  it("keeps the clocks-forward day at 46 half-hours in UTC", () => {
    const { points } = readOctopusRates([`${IMPORT}_next_day_rates`], states);
    expect(points).toHaveLength(46);
    // 02:00 BST is 01:00 UTC: right after 00:30–01:00 UTC, no hole.
    expect(points[2]?.startMs).toBe(utc("2020-03-29T01:00:00Z"));
  });

  it("reads export meters the same way", () => {
    const { points } = readOctopusRates([`${EXPORT}_current_day_rates`], states);
    expect(points).toHaveLength(48);
    expect(points.every((p) => p.pricePerKwh === 0.055)).toBe(true);
  });

  it("treats unavailable, garbage and NaN rates as missing, never zero", () => {
    const base = states[`${IMPORT}_current_day_rates`]!;
    const rates = [
      { start: "2020-03-28T00:00:00+00:00", end: "2020-03-28T00:30:00+00:00", value_inc_vat: "unavailable" },
      { start: "2020-03-28T00:30:00+00:00", end: "2020-03-28T01:00:00+00:00", value_inc_vat: Number.NaN },
      { start: "not a date", end: "2020-03-28T01:30:00+00:00", value_inc_vat: 0.2 },
      { start: "2020-03-28T01:30:00+00:00", value_inc_vat: 0.2 },
      "garbage",
      { start: "2020-03-28T02:00:00+00:00", end: "2020-03-28T02:30:00+00:00", value_inc_vat: 0.21 },
    ];
    const broken = { [base.entity_id]: withAttributes(base, { rates }) };
    const { points, warnings } = readOctopusRates([base.entity_id], broken);
    expect(points).toEqual([
      { startMs: utc("2020-03-28T02:00:00Z"), endMs: utc("2020-03-28T02:30:00Z"), pricePerKwh: 0.21 },
    ]);
    expect(warnings.join()).toContain("ignored 5 malformed");
  });

  it("warns about an unknown entity and an event without rates", () => {
    const base = states[`${IMPORT}_current_day_rates`]!;
    const noRates = { "event.x": { ...base, entity_id: "event.x", state: "unknown", attributes: {} } };
    const { points, warnings } = readOctopusRates(["event.missing", "event.x"], noRates);
    expect(points).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("event.missing");
  });
});
