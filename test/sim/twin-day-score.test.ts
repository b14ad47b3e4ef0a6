// The add-on scores its own days: run through the digital twin over two days, at 00:30 of the
// second it publishes the first day's score, computed only from what it can see in a home (the
// rates it read, the SOC it sampled, HA's 5-minute meter statistics, the Energy dashboard's PV
// meter). It must agree with the twin's judge, which knows exactly what the house did.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreDay } from "../../src/core/day-score.js";
import type { HaEntityState } from "../../src/ha/client.js";
import { setLogSink } from "../../src/log.js";
import type { DayScoreRecord } from "../../src/runtime/ports.js";
import { hindsightProblem, parseHomeHistory } from "../../src/sim/home-history.js";
import { runTwinDays, type TwinRunResult } from "../../src/sim/twin/run-day.js";

const DIR = join(import.meta.dirname, "../fixtures/home-history");
const day = (file: string) => parseHomeHistory(JSON.parse(readFileSync(join(DIR, file), "utf8")), file);

describe("the add-on's own day score, in the digital twin", () => {
  const days = [day("run-2024-12-10.json"), day("run-2024-12-11.json")];
  let result: TwinRunResult;
  let records: DayScoreRecord[] = [];
  let scoreState: HaEntityState | undefined;
  let savingState: HaEntityState | undefined;
  const restore = setLogSink(() => undefined);
  afterAll(() => restore());

  beforeAll(async () => {
    result = await runTwinDays(days, {
      beforeStop: async (addon, sim) => {
        records = addon.runtime.dayScores();
        scoreState = sim.getState("sensor.battery_planner_day_score");
        savingState = sim.getState("sensor.battery_planner_day_saving");
      },
    });
  }, 240_000);

  it("scores the first day at 00:30 of the second, from the whole day", () => {
    expect(records.map((r) => r.date)).toEqual(["2024-12-10"]);
    expect(records[0]).toMatchObject({ replayed: false, slotsScored: 48, slotsInDay: 48 });
    expect(records[0]!.reason).toBeUndefined();
  });

  it("agrees with the twin's judge of that day", () => {
    const judged = result.days[0]!;
    const judge = scoreDay(hindsightProblem(days[0]!), judged.netCost);
    const own = records[0]!.score!;
    // Idle: the same prices, load and PV (the meters' 5-minute sums are the world's slots).
    expect(own.idleCost).toBeCloseTo(judge.idleCost, 3);
    // Hindsight: the same optimum from the SOC sampled at midnight (0.1 % resolution).
    expect(Math.abs(own.hindsightCost - judge.hindsightCost)).toBeLessThan(0.01);
    // Realised: from the SOC the add-on sampled at each slot boundary, through its battery model,
    // against the world's metered bill.
    expect(Math.abs(own.realisedCost - judge.realisedCost)).toBeLessThan(0.03);
    expect(Math.abs(own.share - judge.share)).toBeLessThan(0.03);
    expect(judge.possibleSaving).toBeGreaterThan(0.2);
  });

  it("bills the day from the grid meters as the battery model does from the SOC", () => {
    const world = result.days[0]!.slots.reduce(
      (sum, s) => sum + s.importKwh * s.importPricePerKwh - s.exportKwh * s.exportPricePerKwh,
      0,
    );
    const bill = records[0]!.bill!;
    // The meters are the world's, to the 0.1 Wh the recorder keeps.
    expect(bill.metered).toBeCloseTo(world, 3);
    expect(Math.abs(bill.modelled - bill.metered!)).toBeLessThan(0.01);
  });

  it("publishes it as sensors HA keeps statistics of", () => {
    const own = records[0]!.score!;
    expect(Number(scoreState?.state)).toBeCloseTo(own.share * 100, 1);
    expect(scoreState?.attributes).toMatchObject({
      date: "2024-12-10",
      replayed: false,
      unit_of_measurement: "%",
    });
    expect(Number(savingState?.state)).toBeCloseTo(own.saving, 2);
    expect(savingState?.attributes).toMatchObject({
      device_class: "monetary",
      state_class: "total",
      last_reset: new Date(Date.parse(days[0]!.start)).toISOString(),
    });
  });
});

describe("in dry run, what the plans would have saved", () => {
  const days = [day("run-2024-12-10.json"), day("run-2024-12-11.json")];
  let dry: DayScoreRecord[] = [];
  let driven: DayScoreRecord[] = [];
  let selfUse: TwinRunResult;
  let inverterWrites = -1;
  let scoreState: HaEntityState | undefined;
  const restore = setLogSink(() => undefined);
  afterAll(() => restore());

  beforeAll(async () => {
    const dryRun = await runTwinDays(days, {
      control: "dry-run",
      beforeStop: async (addon, sim) => {
        dry = addon.runtime.dayScores();
        scoreState = sim.getState("sensor.battery_planner_day_score");
      },
    });
    inverterWrites = dryRun.inverterWrites;
    await runTwinDays(days, {
      beforeStop: async (addon) => {
        driven = addon.runtime.dayScores();
      },
    });
    selfUse = await runTwinDays(days, { control: "self-use" });
  }, 240_000);

  it("never touches the inverter, and says the figures are replayed", () => {
    expect(inverterWrites).toBe(0);
    expect(dry.map((r) => [r.date, r.replayed, r.slotsScored])).toEqual([["2024-12-10", true, 48]]);
    expect(scoreState?.attributes).toMatchObject({ replayed: true });
  });

  it("comes close to what the add-on saves when it drives the battery, far from the battery left alone", () => {
    const wouldHave = dry[0]!.score!;
    const did = driven[0]!.score!;
    const judge = scoreDay(hindsightProblem(days[0]!), selfUse.days[0]!.netCost);
    // The battery left on its own saved nothing of what was possible; the dry run, planning for the
    // battery its plans would have left (not the one self-use emptied), would have saved what the
    // driven add-on did, within the lag of the recorder's statistics.
    expect(judge.share).toBeLessThan(0.35);
    expect(Math.abs(wouldHave.share - did.share)).toBeLessThan(0.03);
    expect(wouldHave.share).toBeGreaterThan(judge.share + 0.3);
    // The same day, idle and hindsight judged from the same meters.
    expect(wouldHave.idleCost).toBeCloseTo(did.idleCost, 6);
  });
});
