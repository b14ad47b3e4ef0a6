import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { buildLoadForecast, hourlyEnergy } from "../../../src/ha/readers/load.js";
import { HOUR_MS, utc } from "./helpers.js";

const ZONE = "Europe/London";

/** Hourly statistics rows (HA ≥ 2023.3 shape: ms starts, cumulative sum, change) from a profile. */
function statistics(fromMs: number, hours: number, kwhAt: (startMs: number) => number) {
  const rows: { start: number; end: number; sum: number; change: number }[] = [];
  let sum = 1000;
  for (let i = 0; i < hours; i += 1) {
    const start = fromMs + i * HOUR_MS;
    const change = kwhAt(start);
    sum += change;
    rows.push({ start, end: start + HOUR_MS, sum, change });
  }
  return rows;
}

const localHour = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).hour;

describe("load forecast from recorder statistics", () => {
  const now = utc("2024-03-20T12:00:00Z");
  const from = now - 28 * 24 * HOUR_MS;

  it("forecasts each local hour from the same weekday and hour of recent weeks", () => {
    const rows = statistics(from, 28 * 24, (ms) => (localHour(ms) === 18 ? 2 : 0.5));
    const { points, warnings } = buildLoadForecast(hourlyEnergy(rows), undefined, {
      nowMs: now,
      horizonMs: 48 * HOUR_MS,
      zone: ZONE,
      fallbackKw: 0.4,
    });
    expect(warnings).toEqual([]);
    expect(points).toHaveLength(48);
    expect(points.find((p) => localHour(p.startMs) === 18)?.energyKwh).toBe(2);
    expect(points.find((p) => localHour(p.startMs) === 3)?.energyKwh).toBe(0.5);
  });

  it("takes the EV charger's energy out of the household load", () => {
    const car = (ms: number) => (localHour(ms) === 2 ? 7 : 0);
    const house = statistics(from, 28 * 24, (ms) => 0.4 + car(ms));
    const ev = statistics(from, 28 * 24, car);
    const { points } = buildLoadForecast(hourlyEnergy(house), hourlyEnergy(ev), {
      nowMs: now,
      horizonMs: 24 * HOUR_MS,
      zone: ZONE,
      fallbackKw: 0.4,
    });
    expect(points.find((p) => localHour(p.startMs) === 2)?.energyKwh).toBeCloseTo(0.4, 9);
  });

  it("an odd day moves only its own hour of the day", () => {
    const odd = utc("2024-03-13T18:00:00Z");
    const rows = statistics(from, 28 * 24, (ms) => (ms === odd ? 30 : 1));
    const { points } = buildLoadForecast(hourlyEnergy(rows), undefined, {
      nowMs: now,
      horizonMs: 24 * HOUR_MS,
      zone: ZONE,
      fallbackKw: 0.4,
    });
    expect(points.filter((p) => localHour(p.startMs) !== 18).every((p) => p.energyKwh === 1)).toBe(true);
  });

  it("keys history on local time across a DST change", () => {
    // History in winter (GMT), forecast after the clocks went forward (BST): 18:00 local stays 18:00.
    const winterNow = utc("2024-04-05T12:00:00Z");
    const rows = statistics(winterNow - 28 * 24 * HOUR_MS, 28 * 24, (ms) => (localHour(ms) === 18 ? 3 : 0.5));
    const { points } = buildLoadForecast(hourlyEnergy(rows), undefined, {
      nowMs: winterNow,
      horizonMs: 24 * HOUR_MS,
      zone: ZONE,
      fallbackKw: 0.4,
    });
    const peak = points.find((p) => p.energyKwh === 3);
    expect(peak?.startMs).toBe(utc("2024-04-05T17:00:00Z"));
  });

  it("falls back to fallback_kw without history, with a warning", () => {
    const { points, warnings } = buildLoadForecast(new Map(), undefined, {
      nowMs: now,
      horizonMs: 6 * HOUR_MS,
      zone: ZONE,
      fallbackKw: 0.7,
    });
    expect(points.map((p) => p.energyKwh)).toEqual([0.7, 0.7, 0.7, 0.7, 0.7, 0.7]);
    expect(warnings[0]).toContain("no consumption history");
  });

  it("treats meter resets, garbage rows and missing changes as missing, not zero", () => {
    const rows = [
      { start: 0, sum: 10, change: 1 },
      { start: HOUR_MS, sum: 0, change: -10 },
      { start: 2 * HOUR_MS, sum: "unavailable", change: null },
      { start: "garbage" },
      { start: 3 * HOUR_MS, sum: 1.5 },
    ];
    const energy = hourlyEnergy(rows);
    expect([...energy.entries()]).toEqual([
      [0, 1],
      [3 * HOUR_MS, 1.5],
    ]);
  });
});
