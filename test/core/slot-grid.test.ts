import { describe, expect, it } from "vitest";
import {
  buildSlotGrid,
  MAX_GRID_SLOTS,
  nextSlotBoundary,
  resampleEnergy,
  resampleRates,
  SlotGridError,
} from "../../src/core/slot-grid.js";

const MIN = 60_000;
const HOUR = 60 * MIN;

describe("slot grid", () => {
  it("starts at now when now falls inside a slot", () => {
    const now = Date.parse("2025-01-14T10:07:00Z");
    const grid = buildSlotGrid({ nowMs: now, slotMinutes: 30, horizonHours: 2 });
    expect(grid[0]).toEqual({ startMs: now, endMs: Date.parse("2025-01-14T10:30:00Z") });
    expect(grid).toHaveLength(4);
    expect(grid[1]!.startMs).toBe(Date.parse("2025-01-14T10:30:00Z"));
  });

  it("keeps whole slots on a boundary", () => {
    const now = Date.parse("2025-01-14T10:00:00Z");
    const grid = buildSlotGrid({ nowMs: now, slotMinutes: 5, horizonHours: 1 });
    expect(grid).toHaveLength(12);
    expect(grid.every((s) => s.endMs - s.startMs === 5 * MIN)).toBe(true);
  });

  it("covers a 23-hour local day with 46 half-hour slots (spring forward)", () => {
    const start = Date.parse("2025-03-30T00:00:00Z"); // local midnight GMT
    const endLocalDay = Date.parse("2025-03-30T23:00:00Z"); // next local midnight BST
    const grid = buildSlotGrid({ nowMs: start, slotMinutes: 30, horizonHours: 24 }).filter(
      (s) => s.endMs <= endLocalDay,
    );
    expect(grid).toHaveLength(46);
  });

  it("puts the next boundary on the wall clock", () => {
    expect(nextSlotBoundary(Date.parse("2025-01-14T10:07:00Z"), 15)).toBe(Date.parse("2025-01-14T10:15:00Z"));
  });
});

describe("resampling", () => {
  const grid = buildSlotGrid({ nowMs: 0, slotMinutes: 30, horizonHours: 2 });

  it("averages prices over the part of the slot each covers", () => {
    const rates = [
      { startMs: 0, endMs: 15 * MIN, pricePerKwh: 0.1 },
      { startMs: 15 * MIN, endMs: 2 * HOUR, pricePerKwh: 0.3 },
    ];
    const { values, gaps } = resampleRates(rates, grid);
    expect(values[0]).toBeCloseTo(0.2);
    expect(values[3]).toBeCloseTo(0.3);
    expect(gaps).toEqual([]);
  });

  it("reports slots no rate covers as gaps, not zeros", () => {
    const { values, gaps } = resampleRates([{ startMs: 0, endMs: HOUR, pricePerKwh: 0.2 }], grid);
    expect(values).toEqual([0.2, 0.2, undefined, undefined]);
    expect(gaps).toEqual([2, 3]);
  });

  it("splits hourly energy into half-hours and sums quarter-hours", () => {
    const hourly = [{ startMs: 0, endMs: HOUR, energyKwh: 1 }];
    expect(resampleEnergy(hourly, grid, (p) => p.energyKwh).values.slice(0, 2)).toEqual([0.5, 0.5]);
    const quarters = [0, 1, 2, 3].map((i) => ({
      startMs: i * 15 * MIN,
      endMs: (i + 1) * 15 * MIN,
      energyKwh: 0.1 * (i + 1),
    }));
    const { values } = resampleEnergy(quarters, grid, (p) => p.energyKwh);
    expect(values[0]).toBeCloseTo(0.3);
    expect(values[1]).toBeCloseTo(0.7);
  });

  it("scales energy of a partly covered slot up to the whole slot and reports the gap", () => {
    const points = [{ startMs: 15 * MIN, endMs: 30 * MIN, energyKwh: 0.2 }];
    const { values, gaps } = resampleEnergy(points, grid, (p) => p.energyKwh);
    expect(values[0]).toBeCloseTo(0.4);
    expect(gaps).toContain(0);
  });

  it("ignores points that are not finite", () => {
    const { values } = resampleRates([{ startMs: 0, endMs: HOUR, pricePerKwh: Number.NaN }], grid);
    expect(values[0]).toBeUndefined();
  });
});

describe("slot grid bounds", () => {
  const now = Date.parse("2025-01-14T10:07:00Z");
  it.each([
    ["a zero slot length", { nowMs: now, slotMinutes: 0, horizonHours: 24 }],
    ["a negative slot length", { nowMs: now, slotMinutes: -30, horizonHours: 24 }],
    ["a NaN slot length", { nowMs: now, slotMinutes: Number.NaN, horizonHours: 24 }],
    ["an infinite slot length", { nowMs: now, slotMinutes: Number.POSITIVE_INFINITY, horizonHours: 24 }],
    ["a vanishing slot length", { nowMs: now, slotMinutes: 1e-300, horizonHours: 24 }],
    ["an absurd horizon", { nowMs: now, slotMinutes: 30, horizonHours: 1e9 }],
    ["an infinite horizon", { nowMs: now, slotMinutes: 5, horizonHours: Number.POSITIVE_INFINITY }],
    ["a NaN horizon", { nowMs: now, slotMinutes: 30, horizonHours: Number.NaN }],
    ["a negative horizon", { nowMs: now, slotMinutes: 30, horizonHours: -1 }],
    ["a NaN now", { nowMs: Number.NaN, slotMinutes: 30, horizonHours: 24 }],
  ])("ends with a SlotGridError for %s", (_name, options) => {
    expect(() => buildSlotGrid(options)).toThrow(SlotGridError);
  });

  it("still builds the largest valid grid (72 h of 5-minute slots)", () => {
    const grid = buildSlotGrid({ nowMs: now, slotMinutes: 5, horizonHours: 72 });
    expect(grid).toHaveLength(864);
    expect(grid.length).toBeLessThanOrEqual(MAX_GRID_SLOTS);
  });
});
