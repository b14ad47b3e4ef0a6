import { describe, expect, it } from "vitest";
import {
  actualsProblem,
  type FinishedDay,
  measuredCosting,
  measuredNetCost,
  meteredBillCost,
  replayedNetCost,
  scoreDay,
} from "../../src/core/day-score.js";
import { commandForSlot } from "../../src/core/decide.js";
import { optimise } from "../../src/core/optimiser.js";
import type { BatterySpec } from "../../src/core/types.js";
import { fixtureScenarios } from "./fixture-scenarios.js";

const HOUR = 3_600_000;
const battery: BatterySpec = {
  capacityKwh: 10,
  minSocKwh: 1,
  maxChargeKw: 4,
  maxDischargeKw: 4,
  chargeEfficiency: 0.9,
  dischargeEfficiency: 0.9,
  cycleCostPerKwh: 0,
};
const grid = { maxImportKw: 20, maxExportKw: 5 };

function hourSlot(i: number, importPricePerKwh: number, loadKwh: number, pvKwh = 0) {
  return {
    startMs: i * HOUR,
    endMs: (i + 1) * HOUR,
    importPricePerKwh,
    exportPricePerKwh: 0.05,
    loadKwh,
    pvKwh,
  };
}

describe("measuredNetCost", () => {
  it("reads a fall in stored energy as discharge through the efficiency, the rest imported", () => {
    const day: FinishedDay = {
      slots: [{ ...hourSlot(0, 0.3, 2), socStartKwh: 5, socEndKwh: 4 }],
      battery,
      grid,
      initialSocKwh: 5,
      terminalValuePerKwh: 0.1,
    };
    // 1 kWh stored out is 0.9 kWh delivered; 1.1 kWh imported at 0.3; 1 kWh less in store at 0.1.
    expect(measuredNetCost(day)).toBeCloseTo(1.1 * 0.3 + 0.1, 12);
  });

  it("reads a rise as charge drawn from the grid, and exports the PV the battery did not take", () => {
    const day: FinishedDay = {
      slots: [{ ...hourSlot(0, 0.3, 0.5, 3), socStartKwh: 2, socEndKwh: 3.8 }],
      battery,
      grid,
      initialSocKwh: 2,
      terminalValuePerKwh: 0.2,
    };
    // 1.8 kWh stored took 2 kWh AC; PV 3 − load 0.5 − 2 = 0.5 kWh exported at 0.05.
    expect(measuredNetCost(day)).toBeCloseTo(-0.5 * 0.05 - 0.2 * 1.8, 12);
  });

  it("splits the day into bill, wear and stored energy, and bills the grid meters at the day's rates", () => {
    const day: FinishedDay = {
      slots: [
        { ...hourSlot(0, 0.3, 2), socStartKwh: 5, socEndKwh: 4, gridImportKwh: 1.2, gridExportKwh: 0 },
        { ...hourSlot(1, 0.1, 0.5), socStartKwh: 4, socEndKwh: 4.9, gridImportKwh: 1.5, gridExportKwh: 0.1 },
      ],
      battery: { ...battery, cycleCostPerKwh: 0.02 },
      grid,
      initialSocKwh: 5,
      terminalValuePerKwh: 0.1,
    };
    const costing = measuredCosting(day);
    // Slot 1: 0.9 kWh delivered, 1.1 imported at 0.3; slot 2: 1 kWh charged, 1.5 imported at 0.1.
    expect(costing.billCost).toBeCloseTo(1.1 * 0.3 + 1.5 * 0.1, 12);
    expect(costing.wearCost).toBeCloseTo(0.9 * 0.02, 12);
    expect(costing.storedGainKwh).toBeCloseTo(-0.1, 12);
    expect(costing.netCost).toBeCloseTo(costing.billCost + costing.wearCost + 0.01, 12);
    expect(meteredBillCost(day)).toBeCloseTo(1.2 * 0.3 + 1.5 * 0.1 - 0.1 * 0.05, 12);
    expect(meteredBillCost({ ...day, slots: [day.slots[0]!, hourSlot(1, 0.1, 0.5)] })).toBeUndefined();
  });

  it("refuses a slot without a measured SOC", () => {
    const day: FinishedDay = {
      slots: [hourSlot(0, 0.3, 1)],
      battery,
      grid,
      initialSocKwh: 5,
      terminalValuePerKwh: 0,
    };
    expect(() => measuredNetCost(day)).toThrow(/no measured SOC/);
  });

  it.each(fixtureScenarios().slice(0, 8))(
    "gives the optimum's own net cost for the optimum's SOC trajectory ($name)",
    ({ problem }) => {
      const plan = optimise(problem);
      let socKwh = problem.initialSocKwh;
      const day: FinishedDay = {
        slots: plan.slots.map((s, i) => {
          const input = problem.slots[i]!;
          const slot = { ...input, socStartKwh: socKwh, socEndKwh: s.socKwh };
          socKwh = s.socKwh;
          return slot;
        }),
        battery: problem.battery,
        grid: problem.grid,
        initialSocKwh: problem.initialSocKwh,
        terminalValuePerKwh: problem.terminalValuePerKwh,
      };
      expect(measuredNetCost(day)).toBeCloseTo(plan.summary.netCost, 6);
      expect(scoreDay(actualsProblem(day), measuredNetCost(day)).share).toBeCloseTo(1, 6);
    },
  );
});

describe("replayedNetCost", () => {
  it("runs a day without commands as self-use: the battery covers the load down to the reserve", () => {
    const day: FinishedDay = {
      slots: [hourSlot(0, 0.3, 2), hourSlot(1, 0.3, 4)],
      battery,
      grid,
      initialSocKwh: 4,
      terminalValuePerKwh: 0,
    };
    // Hour 1: 2 kWh delivered (2.222 stored out, 1.778 left). Hour 2: (1.778 − 1) × 0.9 = 0.7 kWh
    // delivered, 3.3 kWh imported.
    expect(replayedNetCost(day)).toBeCloseTo(3.3 * 0.3, 9);
  });

  it("switches command where the add-on did, mid-slot", () => {
    const day: FinishedDay = {
      slots: [
        {
          ...hourSlot(0, 0.1, 0),
          commands: [
            { fromMs: -HOUR, command: { mode: "hold" } },
            { fromMs: HOUR / 2, command: { mode: "charge", targetSocKwh: 10, powerW: 2000 } },
          ],
        },
      ],
      battery,
      grid,
      initialSocKwh: 5,
      terminalValuePerKwh: 0.2,
    };
    // Held for half an hour, then 2 kW for half an hour: 1 kWh AC bought, 0.9 kWh stored.
    expect(replayedNetCost(day)).toBeCloseTo(1 * 0.1 - 0.2 * 0.9, 9);
  });

  it.each(fixtureScenarios().slice(0, 8))(
    "replaying the optimum's commands as the executor sends them comes close to the optimum ($name)",
    ({ problem }) => {
      const plan = optimise(problem);
      let socKwh = problem.initialSocKwh;
      const day: FinishedDay = {
        slots: plan.slots.map((s, i) => {
          const command = commandForSlot(
            s,
            s.startMs,
            (socKwh / problem.battery.capacityKwh) * 100,
            problem.battery.capacityKwh,
            problem.battery,
          );
          socKwh = s.socKwh;
          return {
            ...problem.slots[i]!,
            commands: [
              {
                fromMs: s.startMs,
                command: {
                  mode: command.mode,
                  ...(command.targetSocPct !== undefined
                    ? { targetSocKwh: (command.targetSocPct / 100) * problem.battery.capacityKwh }
                    : {}),
                  ...(command.powerW !== undefined ? { powerW: command.powerW } : {}),
                },
              },
            ],
          };
        }),
        battery: problem.battery,
        grid: problem.grid,
        initialSocKwh: problem.initialSocKwh,
        terminalValuePerKwh: problem.terminalValuePerKwh,
      };
      const score = scoreDay(actualsProblem(day), replayedNetCost(day));
      // Targets rounded to 0.1 %, powers to 100 W and self-use without a floor lose a little.
      if (score.possibleSaving > 0.05) {
        expect(score.share).toBeGreaterThan(0.98);
        expect(score.share).toBeLessThan(1 + 1e-6);
      }
    },
  );
});

describe("scoreDay", () => {
  it("scores 1 on a day with nothing to gain, and the share of the possible saving otherwise", () => {
    const flat: FinishedDay = {
      slots: [hourSlot(0, 0.2, 1), hourSlot(1, 0.2, 1)],
      battery: { ...battery, cycleCostPerKwh: 0.5 },
      grid,
      initialSocKwh: 1,
      terminalValuePerKwh: 0.2,
    };
    const nothing = scoreDay(actualsProblem(flat), 0.4);
    expect(nothing.possibleSaving).toBeCloseTo(0, 9);
    expect(nothing.share).toBe(1);
    const peaky: FinishedDay = { ...flat, slots: [hourSlot(0, 0.05, 1), hourSlot(1, 0.5, 2)], battery };
    const score = scoreDay(actualsProblem(peaky), 0.9);
    expect(score.idleCost).toBeCloseTo(1.05, 9);
    expect(score.saving).toBeCloseTo(0.15, 9);
    expect(score.share).toBeCloseTo(0.15 / score.possibleSaving, 9);
    expect(score.possibleSaving).toBeGreaterThan(0.15);
  });
});
