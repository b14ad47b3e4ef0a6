import { describe, expect, it } from "vitest";
import { readOctopusRates } from "../../../src/ha/readers/octopus.js";
import { planningWindow } from "../../../src/ha/readers/series.js";
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

describe("Octopus rates that cannot be trusted whole", () => {
  const base = states[`${IMPORT}_current_day_rates`]!;
  const halfHours = (fromIso: string, count: number, price: (i: number) => number) =>
    Array.from({ length: count }, (_, i) => {
      const startMs = utc(fromIso) + i * (HOUR_MS / 2);
      return {
        start: new Date(startMs).toISOString(),
        end: new Date(startMs + HOUR_MS / 2).toISOString(),
        value_inc_vat: price(i),
      };
    });

  it("parses only the planning window of a year of rates, with one warning", () => {
    const year = halfHours("2020-01-01T00:00:00Z", 17_568, () => 0.2);
    const nowMs = utc("2020-06-01T12:00:00Z");
    const { points, warnings } = readOctopusRates(
      [base.entity_id],
      { [base.entity_id]: withAttributes(base, { rates: year }) },
      { window: planningWindow(nowMs) },
    );
    expect(points[0]!.startMs).toBeGreaterThanOrEqual(nowMs - 24 * HOUR_MS - 14 * HOUR_MS);
    expect(points.at(-1)!.startMs).toBeLessThan(nowMs + 72 * HOUR_MS + 14 * HOUR_MS);
    expect(points.length).toBeLessThan(300);
    expect(warnings).toEqual([expect.stringContaining("17568 entries, read only the")]);
  });

  it("keeps the higher of two different import prices for one slot and says which slot", () => {
    const day = halfHours("2020-03-28T00:00:00Z", 4, () => 0.2);
    const other = halfHours("2020-03-28T00:30:00Z", 1, () => 0.35);
    const next = { ...base, entity_id: "event.next", attributes: { rates: other } };
    const { points, warnings } = readOctopusRates([base.entity_id, "event.next"], {
      [base.entity_id]: withAttributes(base, { rates: day }),
      "event.next": next,
    });
    expect(points.map((p) => p.pricePerKwh)).toEqual([0.2, 0.35, 0.2, 0.2]);
    expect(warnings.join()).toMatch(/1 slot\(s\) with two different prices \(Sat 28 Mar 00:30 0.2 vs 0.35/);
    const exportSide = readOctopusRates(
      [base.entity_id, "event.next"],
      { [base.entity_id]: withAttributes(base, { rates: day }), "event.next": next },
      { prefer: "lower" },
    );
    expect(exportSide.points.map((p) => p.pricePerKwh)).toEqual([0.2, 0.2, 0.2, 0.2]);
  });

  it("drops a day of prices given in pence as if pounds", () => {
    const pence = halfHours("2020-03-28T00:00:00Z", 48, (i) => 15 + (i % 20));
    const { points, warnings } = readOctopusRates([base.entity_id], {
      [base.entity_id]: withAttributes(base, { rates: pence }),
    });
    expect(points).toEqual([]);
    expect(warnings.join()).toMatch(/price 15 GBP\/kWh .* beyond ±5 GBP\/kWh .*whole series is ignored/);
  });
});
