// The benchmark's independent checker on days small enough to settle by hand from
// docs/scenario-format.md's text.
import { describe, expect, it } from "vitest";
import { checkPlan, idleNetCost } from "../../bench/check-plan.js";
import type { PlanProblem } from "../../src/core/types.js";

const H = 3_600_000;
function problem(slots: { load: number; pv: number; buy: number; sell: number }[]): PlanProblem {
  return {
    slots: slots.map((s, i) => ({
      startMs: i * H,
      endMs: (i + 1) * H,
      importPricePerKwh: s.buy,
      exportPricePerKwh: s.sell,
      loadKwh: s.load,
      pvKwh: s.pv,
    })),
    battery: {
      capacityKwh: 10,
      minSocKwh: 1,
      maxChargeKw: 4,
      maxDischargeKw: 4,
      chargeEfficiency: 0.9,
      dischargeEfficiency: 0.8,
      cycleCostPerKwh: 0.05,
    },
    grid: { maxImportKw: 10, maxExportKw: 2 },
    initialSocKwh: 5,
    terminalValuePerKwh: 0.1,
  };
}

describe("the independent plan checker", () => {
  const day = problem([
    { load: 1, pv: 0, buy: 0.1, sell: 0.05 },
    { load: 2, pv: 0, buy: 0.4, sell: 0.05 },
    { load: 0.5, pv: 4, buy: 0.2, sell: 0.1 },
  ]);

  it("settles charge, discharge and export by hand", () => {
    // Slot 0: charge 2 kWh AC → imports 1 + 2 = 3 at 0.10 = 0.30; SOC 5 + 1.8 = 6.8.
    // Slot 1: discharge 1.6 kWh AC → imports 2 − 1.6 = 0.4 at 0.40 = 0.16, wear 1.6·0.05 = 0.08;
    //         SOC 6.8 − 1.6/0.8 = 4.8.
    // Slot 2: PV 4, load 0.5, charge 1 → surplus 2.5, export capped at 2 (0.5 curtailed) at 0.10
    //         = −0.20; SOC 4.8 + 0.9 = 5.7.
    // Terminal: −0.1·(5.7 − 5) = −0.07. Total 0.30 + 0.24 − 0.20 − 0.07 = 0.27.
    const check = checkPlan(day, [
      { chargeKwh: 2, dischargeKwh: 0, socKwh: 6.8, importKwh: 3 },
      { chargeKwh: 0, dischargeKwh: 1.6, socKwh: 4.8, importKwh: 0.4 },
      { chargeKwh: 1, dischargeKwh: 0, socKwh: 5.7, exportKwh: 2 },
    ]);
    expect(check.errors).toEqual([]);
    expect(check.netCost).toBeCloseTo(0.27, 12);
  });

  it("prices the battery left idle: 1·0.1 + 2·0.4 − 2·0.1 (3.5 kWh surplus, 2 kWh may go out)", () => {
    expect(idleNetCost(day)).toBeCloseTo(0.1 + 0.8 - 0.2, 12);
  });

  it("curtails PV rather than pay to export it", () => {
    const negative = problem([{ load: 0.5, pv: 3, buy: -0.05, sell: -0.02 }]);
    expect(idleNetCost(negative)).toBeCloseTo(0, 12);
  });

  it("reports a plan that leaves the reserve or overruns a limit", () => {
    const check = checkPlan(day, [
      { chargeKwh: 0, dischargeKwh: 4, socKwh: 0 },
      { chargeKwh: 5, dischargeKwh: 0 },
      { chargeKwh: 0, dischargeKwh: 0 },
    ]);
    expect(check.errors.some((e) => e.includes("slot 0") && e.includes("out of range"))).toBe(true);
    expect(check.errors.some((e) => e.includes("slot 1") && e.includes("power limit"))).toBe(true);
  });
});
