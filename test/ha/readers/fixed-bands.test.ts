import { describe, expect, it } from "vitest";
import { fixedBandRates } from "../../../src/ha/readers/fixed-bands.js";
import { HOUR_MS, utc } from "./helpers.js";

const GO = [{ start: "00:30", end: "04:30", price: 0.085 }];
const priceAt = (points: { startMs: number; endMs: number; pricePerKwh: number }[], ms: number) =>
  points.find((p) => p.startMs <= ms && ms < p.endMs)?.pricePerKwh;

describe("fixed time-of-use bands", () => {
  it("lays Octopus Go's cheap band on local time in winter (GMT)", () => {
    const { points } = fixedBandRates(
      GO,
      0.3,
      "Europe/London",
      utc("2020-01-15T00:00:00Z"),
      utc("2020-01-16T00:00:00Z"),
    );
    expect(priceAt(points, utc("2020-01-15T00:29:00Z"))).toBe(0.3);
    expect(priceAt(points, utc("2020-01-15T00:30:00Z"))).toBe(0.085);
    expect(priceAt(points, utc("2020-01-15T04:29:00Z"))).toBe(0.085);
    expect(priceAt(points, utc("2020-01-15T04:30:00Z"))).toBe(0.3);
  });

  it("shortens the band on the clocks-forward day and covers the 23-hour day without gaps", () => {
    const from = utc("2020-03-29T00:00:00Z"); // local midnight (GMT)
    const to = utc("2020-03-29T23:00:00Z"); // next local midnight (BST)
    const { points } = fixedBandRates(GO, 0.3, "Europe/London", from, to);
    const cheap = points.filter((p) => p.pricePerKwh === 0.085);
    expect(cheap).toEqual([
      { startMs: utc("2020-03-29T00:30:00Z"), endMs: utc("2020-03-29T03:30:00Z"), pricePerKwh: 0.085 },
    ]);
    expect(points[0]?.startMs).toBe(from);
    expect(points.at(-1)?.endMs).toBe(to);
    for (let i = 1; i < points.length; i += 1) expect(points[i]?.startMs).toBe(points[i - 1]?.endMs);
  });

  it("lengthens the band on the clocks-back day (25 hours)", () => {
    const { points } = fixedBandRates(
      GO,
      0.3,
      "Europe/London",
      utc("2020-10-24T23:00:00Z"),
      utc("2020-10-26T00:00:00Z"),
    );
    const cheap = points.filter((p) => p.pricePerKwh === 0.085);
    // 00:30 BST = 23:30 UTC the day before; 04:30 GMT = 04:30 UTC: five hours.
    expect(cheap[0]).toEqual({
      startMs: utc("2020-10-24T23:30:00Z"),
      endMs: utc("2020-10-25T04:30:00Z"),
      pricePerKwh: 0.085,
    });
  });

  it("runs a band past midnight and lets later bands override earlier ones (Flux/Cosy style)", () => {
    const bands = [
      { start: "16:00", end: "19:00", price: 0.35 },
      { start: "22:00", end: "02:00", price: 0.12 },
      { start: "00:00", end: "01:00", price: 0.1 },
    ];
    const { points } = fixedBandRates(
      bands,
      0.25,
      "UTC",
      utc("2024-06-01T00:00:00Z"),
      utc("2024-06-02T00:00:00Z") + 3 * HOUR_MS,
    );
    expect(priceAt(points, utc("2024-06-01T17:00:00Z"))).toBe(0.35);
    expect(priceAt(points, utc("2024-06-01T23:00:00Z"))).toBe(0.12);
    expect(priceAt(points, utc("2024-06-02T00:30:00Z"))).toBe(0.1);
    expect(priceAt(points, utc("2024-06-02T01:30:00Z"))).toBe(0.12);
    expect(priceAt(points, utc("2024-06-02T02:30:00Z"))).toBe(0.25);
  });

  it("uses the first band's price for gaps when no default price is set", () => {
    const { points } = fixedBandRates(
      GO,
      undefined,
      "UTC",
      utc("2024-06-01T00:00:00Z"),
      utc("2024-06-01T12:00:00Z"),
    );
    expect(points.every((p) => p.pricePerKwh === 0.085)).toBe(true);
  });

  it("warns instead of inventing a price when nothing is configured", () => {
    const { points, warnings } = fixedBandRates([], undefined, "UTC", 0, HOUR_MS);
    expect(points).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
