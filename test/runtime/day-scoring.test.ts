import { describe, expect, it } from "vitest";
import type { LedgerCommand } from "../../src/runtime/day-ledger.js";
import {
  dayBefore,
  daySlots,
  describeDayScore,
  type LocalDay,
  scoreFinishedDay,
  socPctAt,
} from "../../src/runtime/day-scoring.js";
import type { MeasuredEnergy, RatePoint, SocSample } from "../../src/runtime/ports.js";
import { batteryFromConfig } from "../../src/runtime/problem.js";
import { testConfig } from "./helpers.js";

const MIN = 60_000;
const zone = "Europe/London";

describe("dayBefore and daySlots", () => {
  it.each([
    ["2026-11-30T00:30:00Z", "2026-11-29", 48],
    // The clocks went forward on 2024-03-31 (23 h) and back on 2024-10-27 (25 h).
    ["2024-04-01T00:30:00+01:00", "2024-03-31", 46],
    ["2024-10-28T00:30:00Z", "2024-10-27", 50],
  ])("at %s the day before is %s with %i half-hour slots", (at, date, slots) => {
    const day = dayBefore(Date.parse(at), zone);
    expect(day.date).toBe(date);
    const grid = daySlots(day, 30);
    expect(grid).toHaveLength(slots);
    expect(grid[0]!.startMs).toBe(day.startMs);
    expect(grid.at(-1)!.endMs).toBe(day.endMs);
  });
});

describe("socPctAt", () => {
  const samples: SocSample[] = [
    { atMs: 0, socPct: 50 },
    { atMs: 10 * MIN, socPct: 60 },
    { atMs: 200 * MIN, socPct: 20 },
  ];
  it("interpolates between the samples either side", () => {
    expect(socPctAt(samples, 5 * MIN)).toBeCloseTo(55, 9);
  });
  it("takes the nearest within reach when only one side has a sample", () => {
    expect(socPctAt(samples, -15 * MIN)).toBe(50);
    expect(socPctAt(samples, 215 * MIN)).toBe(20);
  });
  it("knows nothing far from every sample (the add-on was not running)", () => {
    expect(socPctAt(samples, 100 * MIN)).toBeUndefined();
    expect(socPctAt(samples, -60 * MIN)).toBeUndefined();
  });
});

/** A 4-slot "day" of half hours: cheap, cheap, dear, dear. */
function fixture() {
  const config = testConfig({
    planner: { horizon_hours: 24, slot_minutes: 30, terminal_value_per_kwh: 0.1 },
  });
  const startMs = Date.parse("2026-11-29T00:00:00Z");
  const day: LocalDay = { date: "2026-11-29", startMs, endMs: startMs + 4 * 30 * MIN };
  const slots = daySlots(day, 30);
  const prices = [0.05, 0.05, 0.4, 0.4];
  const rates: RatePoint[] = slots.map((s, i) => ({ ...s, pricePerKwh: prices[i]! }));
  const measured: MeasuredEnergy = { loadKwh: [0.5, 0.5, 1, 1], pvKwh: [0, 0, 0, 0], notes: [] };
  // Round efficiencies and no wear, so the expected costs can be worked out by hand.
  const battery = {
    ...batteryFromConfig(config, 10),
    chargeEfficiency: 0.9,
    dischargeEfficiency: 0.9,
    cycleCostPerKwh: 0,
  };
  return { config, day, slots, rates, measured, battery };
}

describe("scoreFinishedDay", () => {
  it("costs a driven day from the SOC it measured: charged cheap, discharged dear", () => {
    const f = fixture();
    const soc = [50, 62, 74, 62, 50];
    const samples: SocSample[] = f.slots
      .map((s, i) => ({ atMs: s.startMs, socPct: soc[i]! }))
      .concat([{ atMs: f.day.endMs, socPct: 50 }]);
    const commands: LedgerCommand[] = [{ atMs: f.day.startMs, command: { mode: "charge" }, driven: true }];
    const record = scoreFinishedDay({
      ...f,
      rates: { importRates: f.rates, exportRates: [] },
      commands,
      socSamples: samples,
      nowMs: f.day.endMs + 30 * MIN,
    });
    expect(record.replayed).toBe(false);
    expect(record.slotsScored).toBe(4);
    const score = record.score!;
    // Idle: 0.5·0.05·2 + 1·0.4·2 = 0.85.
    expect(score.idleCost).toBeCloseTo(0.85, 9);
    // Slots 1, 2: +1.2 kWh stored each = 1.333 AC, plus the 0.5 kWh load, at 0.05; slots 3, 4:
    // −1.2 kWh stored = 1.08 delivered, covering the 1 kWh load (0.08 exported, earning 0 without
    // an export tariff); the day ends where it began, so nothing is gained in store.
    const expected = (1.2 / 0.9 + 0.5) * 0.05 * 2;
    expect(score.realisedCost).toBeCloseTo(expected, 6);
    expect(score.saving).toBeCloseTo(0.85 - expected, 6);
    expect(score.share).toBeGreaterThan(0);
    expect(score.share).toBeLessThanOrEqual(1 + 1e-9);
  });

  it("replays the commands of a dry-run day instead of trusting what the battery did alone", () => {
    const f = fixture();
    // The battery sat still all day (nobody drove it), so the SOC says nothing of the plans.
    const samples: SocSample[] = [
      { atMs: f.day.startMs, socPct: 20 },
      { atMs: f.day.endMs, socPct: 20 },
    ];
    const commands: LedgerCommand[] = [
      {
        atMs: f.day.startMs - 5 * MIN,
        command: { mode: "charge", targetSocPct: 80, powerW: 3000 },
        driven: false,
      },
      { atMs: f.slots[2]!.startMs, command: { mode: "self-use" }, driven: false },
    ];
    const record = scoreFinishedDay({
      ...f,
      rates: { importRates: f.rates, exportRates: [] },
      commands,
      socSamples: samples,
      nowMs: f.day.endMs,
    });
    expect(record.replayed).toBe(true);
    const score = record.score!;
    // Charging 2 × 1.5 kWh at 0.05 (2.7 kWh stored: 2 → 4.7), then self-use covers both dear
    // slots (1 kWh each, 2.222 kWh out of store), ending at 2.478 kWh: 0.478 kWh gained at 0.1.
    const expected = (3 + 1) * 0.05 - 0.1 * (4.7 - 2 / 0.9 - 2);
    expect(score.realisedCost).toBeCloseTo(expected, 9);
    expect(describeDayScore(record, "GBP")).toMatch(
      /^2026-11-29 \(dry run\): the plans would have saved 0\.\d\d GBP/,
    );
  });

  it("does not score a day with holes, and says what is missing and why", () => {
    const f = fixture();
    const record = scoreFinishedDay({
      ...f,
      rates: { importRates: f.rates.slice(0, 3), exportRates: [] },
      measured: {
        loadKwh: [0.5, 0.5, 1, 1],
        pvKwh: [undefined, undefined, undefined, undefined],
        notes: ["HA's Energy dashboard names no solar production"],
      },
      commands: [{ atMs: f.day.startMs, command: { mode: "self-use" }, driven: true }],
      socSamples: [{ atMs: f.day.startMs, socPct: 50 }],
      nowMs: f.day.endMs,
    });
    expect(record.score).toBeUndefined();
    expect(record.reason).toContain("no rates for 1 slot(s)");
    expect(record.reason).toContain("no measured PV for 4 slot(s)");
    expect(record.reason).toContain("no SOC samples near 4 slot(s)");
    expect(record.reason).toContain("Energy dashboard names no solar production");
    expect(describeDayScore(record, "GBP")).toMatch(/^2026-11-29 not scored: /);
  });
});
