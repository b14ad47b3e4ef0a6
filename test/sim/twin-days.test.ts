// The digital twin over consecutive days: one add-on process from the first midnight to the last,
// the battery and the integrations carrying on across midnight as in a home; and the judge of a
// run against the hindsight optimum of the whole run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Addon } from "../../src/app.js";
import { setLogSink } from "../../src/log.js";
import { type HomeHistory, parseHomeHistory } from "../../src/sim/home-history.js";
import { runTwinDays, type TwinRunResult } from "../../src/sim/twin/run-day.js";
import { consecutiveRuns, runHindsightProblem, scoreRun } from "../../src/sim/twin/runs.js";
import { METER_START_KWH_AT_DAY, TWIN_ENTITIES } from "../../src/sim/twin/seed.js";

const METERS = [
  TWIN_ENTITIES.consumption,
  TWIN_ENTITIES.pvEnergy,
  TWIN_ENTITIES.gridImportEnergy,
  TWIN_ENTITIES.gridExportEnergy,
] as const;
const DIR = join(import.meta.dirname, "../fixtures/home-history");
const day = (file: string) => parseHomeHistory(JSON.parse(readFileSync(join(DIR, file), "utf8")), file);

let restore: (() => void) | undefined;
beforeEach(() => {
  restore = setLogSink(() => undefined);
});
afterEach(() => restore?.());

describe("the digital twin over consecutive days", () => {
  // A winter Agile run: tomorrow's rates out at 16:00, a cheap night after each day.
  const days = [day("run-2024-12-10.json"), day("run-2024-12-11.json")];
  const day2StartMs = Date.parse(days[1]!.start);
  let result: TwinRunResult;
  const addons = new Set<Addon>();
  let versionAtMidnight = 0;
  let versionAtDay2Noon = 0;
  let currentRatesStart: string | undefined;
  let nextRatesCount = -1;
  let tomorrowPvStart: string | undefined;
  const meterStates: Record<string, number> = {};
  let hourlyChanges: Record<string, { change: number | null }[]> = {};
  let fiveMinuteChanges: Record<string, { change: number | null }[]> = {};
  let energyPrefs: { energy_sources: Record<string, unknown>[] } | undefined;

  beforeAll(async () => {
    const quiet = setLogSink(() => undefined);
    let running: Addon | undefined;
    result = await runTwinDays(days, {
      onStarted: (addon) => {
        running = addon;
        addons.add(addon);
      },
      onSlot: (slot) => {
        const version = running?.runtime.latestPlan()?.planVersion ?? 0;
        // The slot ending at midnight is settled before the add-on sees the new day.
        if (slot.startMs === day2StartMs - 30 * 60_000) versionAtMidnight = version;
        if (slot.startMs === day2StartMs + 12 * 3_600_000) versionAtDay2Noon = version;
      },
      beforeStop: async (addon, sim) => {
        addons.add(addon);
        const rates = sim.getState(TWIN_ENTITIES.importRates)?.attributes.rates as { start: string }[];
        currentRatesStart = rates[0]?.start;
        nextRatesCount = (sim.getState(TWIN_ENTITIES.importNextDay)!.attributes.rates as unknown[]).length;
        const tomorrow = sim.getState(TWIN_ENTITIES.solcastTomorrow)?.attributes.detailedForecast as {
          period_start: string;
        }[];
        tomorrowPvStart = tomorrow[0]?.period_start;
        for (const id of METERS) meterStates[id] = Number(sim.getState(id)!.state);
        // What the add-on's own connection gets from HA's recorder for the run.
        const period = (p: "hour" | "5minute") =>
          addon.ha.sendMessage<Record<string, { change: number | null }[]>>({
            type: "recorder/statistics_during_period",
            start_time: days[0]!.start,
            end_time: new Date(day2StartMs + 24 * 3_600_000).toISOString(),
            statistic_ids: [...METERS],
            period: p,
            types: ["change"],
            units: { energy: "kWh" },
          });
        hourlyChanges = await period("hour");
        fiveMinuteChanges = await period("5minute");
        energyPrefs = await addon.ha.sendMessage({ type: "energy/get_prefs" });
      },
    }).finally(quiet);
  }, 180_000);

  it("starts day 2's first slot at the SOC day 1 ended with, not at the file's initial SOC", () => {
    const { battery } = days[1]!;
    const [first, second] = result.days;
    expect(first!.slots).toHaveLength(48);
    expect(second!.slots).toHaveLength(48);
    const endOfDay1Kwh = (first!.slots.at(-1)!.socPct / 100) * battery.capacityKwh;
    // The file's own start (30 %) differs from where day 1 left the battery, so a reset would show.
    expect(Math.abs(endOfDay1Kwh - battery.initialSocKwh)).toBeGreaterThan(0.5);
    expect(second!.startSocKwh).toBe(endOfDay1Kwh);
    const slot = second!.slots[0]!;
    expect((slot.socPct / 100) * battery.capacityKwh).toBeCloseTo(
      endOfDay1Kwh +
        slot.chargeKwh * battery.chargeEfficiency -
        slot.dischargeKwh / battery.dischargeEfficiency,
      6,
    );
  });

  it("keeps one add-on running across midnight: plan versions keep counting", () => {
    expect(addons.size).toBe(1);
    expect(versionAtMidnight).toBeGreaterThan(1);
    expect(versionAtDay2Noon).toBeGreaterThan(versionAtMidnight);
    expect(result.planVersions).toBeGreaterThan(versionAtDay2Noon);
  });

  it("rolls the integrations to the new day at midnight and publishes the next day's rates", () => {
    // At the run's end (day 2's midnight, frozen) HA shows day 2's rates as today's, the rates of
    // day 3 as tomorrow's (out at 16:00 of day 2), and Solcast's tomorrow as day 3.
    expect(Date.parse(currentRatesStart!)).toBe(day2StartMs);
    expect(nextRatesCount).toBe(48);
    expect(Date.parse(tomorrowPvStart!)).toBe(day2StartMs + 24 * 3_600_000);
  });

  it("records meters that agree with the settled slots, as HA's sensors and hourly statistics", () => {
    const sum = (f: (slot: TwinRunResult["slots"][number]) => number) =>
      result.slots.reduce((s, x) => s + f(x), 0);
    const expected: Record<string, number> = {
      [TWIN_ENTITIES.consumption]: sum((s) => s.loadKwh),
      [TWIN_ENTITIES.pvEnergy]: sum((s) => s.pvKwh),
      [TWIN_ENTITIES.gridImportEnergy]: sum((s) => s.importKwh),
      [TWIN_ENTITIES.gridExportEnergy]: sum((s) => s.exportKwh),
    };
    expect(expected[TWIN_ENTITIES.pvEnergy]).toBeGreaterThan(1);
    expect(expected[TWIN_ENTITIES.gridImportEnergy]).toBeGreaterThan(1);
    const start: Record<string, number> = {
      [TWIN_ENTITIES.pvEnergy]: METER_START_KWH_AT_DAY.pv,
      [TWIN_ENTITIES.gridImportEnergy]: METER_START_KWH_AT_DAY.gridImport,
      [TWIN_ENTITIES.gridExportEnergy]: METER_START_KWH_AT_DAY.gridExport,
    };
    for (const id of METERS) {
      // 48 hours and 576 five-minute periods, each row's change the meter's growth in it.
      for (const [rows, count] of [
        [hourlyChanges[id] ?? [], 48],
        [fiveMinuteChanges[id] ?? [], 576],
      ] as const) {
        expect(rows, id).toHaveLength(count);
        const recorded = rows.reduce((s, r) => s + (r.change ?? Number.NaN), 0);
        expect(Math.abs(recorded - expected[id]!), id).toBeLessThan(1e-3);
      }
      if (id in start) expect(Math.abs(meterStates[id]! - start[id]! - expected[id]!), id).toBeLessThan(2e-3);
    }
  });

  it("names the PV and grid meters in HA's Energy dashboard, as the add-on's day score reads them", () => {
    const sources = energyPrefs?.energy_sources ?? [];
    expect(sources.find((s) => s.type === "solar")?.stat_energy_from).toBe(TWIN_ENTITIES.pvEnergy);
    const grid = sources.find((s) => s.type === "grid");
    expect(grid?.stat_energy_from).toBe(TWIN_ENTITIES.gridImportEnergy);
    expect(grid?.stat_energy_to).toBe(TWIN_ENTITIES.gridExportEnergy);
  });

  it("costs the run as its days' bills, crediting stored energy at the last day's terminal value", () => {
    const bill = result.days.reduce((s, d) => s + d.billCost, 0);
    expect(result.billCost).toBeCloseTo(bill, 9);
    expect(result.netCost).toBeCloseTo(
      bill - days[1]!.terminalValuePerKwh * (result.finalSocKwh - days[0]!.battery.initialSocKwh),
      9,
    );
  });
});

describe("the judge of a run of days", () => {
  /** A one-slot "day" of a toy home (30 minutes; 0.5 kWh a slot at most in and out). */
  function toyDay(start: string, importPrice: number, terminalValuePerKwh: number): HomeHistory {
    return {
      format: "battery-planner-home-history/1",
      name: `toy-${start}`,
      timezone: "UTC",
      start,
      slotMinutes: 30,
      battery: {
        capacityKwh: 2,
        minSocKwh: 0,
        initialSocKwh: 0,
        maxChargeKw: 1,
        maxDischargeKw: 1,
        chargeEfficiency: 1,
        dischargeEfficiency: 1,
        cycleCostPerKwh: 0,
      },
      grid: { maxImportKw: 20, maxExportKw: 0 },
      terminalValuePerKwh,
      loadHistory: { start: new Date(Date.parse(start) - 3_600_000).toISOString(), hourlyKwh: [1] },
      solcast: [{ period_start: start, pv_estimate: 0, pv_estimate10: 0, pv_estimate90: 0 }],
      slots: [{ importPrice, exportPrice: 0, actualLoadKwh: 1, actualPvKwh: 0 }],
    };
  }

  it("equals the hand computation: the optimum of the whole run, valued at its end only", () => {
    // Day 1 costs 0.10/kWh, day 2 0.30/kWh, 1 kWh of load in each. Day 1's own terminal value
    // (0.50) would make keeping energy pay; over the run only day 2's (0.05) counts, so the best
    // is to buy 0.5 kWh more on day 1 and use it on day 2: 1.5 × 0.10 + 0.5 × 0.30 = 0.30.
    // Idle: 0.10 + 0.30 = 0.40; a run that cost 0.35 saved 0.05 of the possible 0.10.
    const run = [toyDay("2025-01-01T00:00:00.000Z", 0.1, 0.5), toyDay("2025-01-01T00:30:00.000Z", 0.3, 0.05)];
    expect(runHindsightProblem(run).slots).toHaveLength(2);
    const score = scoreRun(run, 0.35);
    expect(score.idleCost).toBeCloseTo(0.4, 9);
    expect(score.hindsightCost).toBeCloseTo(0.3, 6);
    expect(score.share).toBeCloseTo(0.5, 5);
  });

  it("finds the runs among days: a gap or another battery starts a new one", () => {
    const a = toyDay("2025-01-01T00:00:00.000Z", 0.1, 0);
    const b = toyDay("2025-01-01T00:30:00.000Z", 0.1, 0);
    const gap = toyDay("2025-01-01T02:00:00.000Z", 0.1, 0);
    const other = {
      ...toyDay("2025-01-01T02:30:00.000Z", 0.1, 0),
      battery: { ...a.battery, capacityKwh: 5 },
    };
    expect(consecutiveRuns([a, b, gap, other]).map((r) => r.map((d) => d.start))).toEqual([
      [a.start, b.start],
      [gap.start],
      [other.start],
    ]);
    expect(() => runHindsightProblem([a, gap])).toThrow(/must follow one another/);
  });
});
