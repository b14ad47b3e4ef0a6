import { describe, expect, it } from "vitest";
import { checkPlan } from "../../bench/check-plan.js";
import { executeMode } from "../../src/core/modes.js";
import { optimise } from "../../src/core/optimiser.js";
import type { BatterySpec, Plan, PlanProblem, SlotInput } from "../../src/core/types.js";
import { InputError } from "../../src/errors.js";
import { fixtureScenarios } from "./fixture-scenarios.js";
import { randomProblem } from "./random-scenarios.js";

const HOUR = 3_600_000;
const ideal: BatterySpec = {
  capacityKwh: 2,
  minSocKwh: 0,
  maxChargeKw: 1,
  maxDischargeKw: 1,
  chargeEfficiency: 1,
  dischargeEfficiency: 1,
  cycleCostPerKwh: 0,
};
const grid = { maxImportKw: 10, maxExportKw: 5 };

/** Hourly slots from [import, export, load, pv] rows. */
function hourly(rows: readonly (readonly [number, number, number, number])[], startMs = 0): SlotInput[] {
  return rows.map(([importPricePerKwh, exportPricePerKwh, loadKwh, pvKwh], i) => ({
    startMs: startMs + i * HOUR,
    endMs: startMs + (i + 1) * HOUR,
    importPricePerKwh,
    exportPricePerKwh,
    loadKwh,
    pvKwh,
  }));
}

function problem(slots: SlotInput[], overrides: Partial<PlanProblem> = {}): PlanProblem {
  return { slots, battery: ideal, grid, initialSocKwh: 0, terminalValuePerKwh: 0, ...overrides };
}

const flows = (plan: Plan) => plan.slots.map((s) => Number((s.chargeKwh - s.dischargeKwh).toFixed(6)));
const modes = (plan: Plan) => plan.slots.map((s) => s.mode);

/** Every planned slot's command, executed against the plan's own forecast, gives the planned flows. */
function expectExecutable(p: PlanProblem, plan: Plan): void {
  let soc = p.initialSocKwh;
  plan.slots.forEach((s, t) => {
    const h = (s.endMs - s.startMs) / HOUR;
    const command = { mode: s.mode, targetSocKwh: s.targetSocKwh, powerW: s.powerW };
    const out = executeMode(command, s, soc, p.battery, p.grid, h);
    expect(Math.abs(out.chargeKwh - s.chargeKwh), `slot ${t} charge`).toBeLessThan(1e-6);
    expect(Math.abs(out.dischargeKwh - s.dischargeKwh), `slot ${t} discharge`).toBeLessThan(1e-6);
    soc = s.socKwh;
  });
}

describe("optimise: small hand-checked plans", () => {
  it.each([
    {
      what: "charges when cheap and covers the expensive hour",
      slots: hourly([
        [0.1, 0, 0, 0],
        [0.4, 0, 1, 0],
      ]),
      expected: [1, -1],
      netCost: 0.1,
    },
    {
      what: "does not cycle for a spread smaller than the losses",
      slots: hourly([
        [0.2, 0, 0, 0],
        [0.21, 0, 1, 0],
      ]),
      battery: { ...ideal, chargeEfficiency: 0.9, dischargeEfficiency: 0.9 },
      expected: [0, 0],
      netCost: 0.21,
    },
    {
      what: "exports at a price above the import price, within the export limit",
      slots: hourly([
        [0.1, 0.05, 0, 0],
        [0.3, 0.5, 0, 0],
      ]),
      grid: { maxImportKw: 10, maxExportKw: 0.5 },
      expected: [0.5, -0.5],
      netCost: 0.05 - 0.25,
    },
    {
      what: "charges from the grid at a negative price and curtails PV instead of exporting",
      slots: hourly([
        [-0.1, -0.2, 0.2, 1],
        [0.3, 0.05, 1, 0],
      ]),
      expected: [1, -1],
      netCost: 0.2 * -0.1,
    },
    {
      what: "keeps the reserve",
      slots: hourly([[0.4, 0, 1, 0]]),
      battery: { ...ideal, minSocKwh: 0.5 },
      initialSocKwh: 1,
      expected: [-0.5],
      netCost: 0.2,
    },
    {
      what: "keeps charge worth more at the end than now",
      slots: hourly([[0.1, 0, 1, 0]]),
      battery: { ...ideal, capacityKwh: 1 },
      initialSocKwh: 1,
      terminalValuePerKwh: 0.15,
      expected: [0],
      netCost: 0.1,
    },
    {
      what: "pays wear only where the spread covers it",
      slots: hourly([
        [0.1, 0, 0, 0],
        [0.12, 0, 1, 0],
        [0.3, 0, 1, 0],
      ]),
      battery: { ...ideal, cycleCostPerKwh: 0.05 },
      expected: [1, 0, -1],
      netCost: 0.1 + 0.12 + 0.05,
    },
  ])("$what", ({ slots, expected, netCost, ...rest }) => {
    const p = problem(slots, rest);
    const plan = optimise(p);
    expect(flows(plan)).toEqual(expected);
    expect(plan.summary.netCost).toBeCloseTo(netCost, 6);
    expectExecutable(p, plan);
  });

  it("labels an idle night slot hold, a load-covering slot self-use and a grid top-up charge", () => {
    const p = problem(
      hourly([
        [0.1, 0, 0.5, 0],
        [0.3, 0, 0.5, 0],
        [0.5, 0, 0.5, 0],
      ]),
      { initialSocKwh: 0.5 },
    );
    const plan = optimise(p);
    expect(modes(plan)).toEqual(["charge", "self-use", "self-use"]);
    expect(plan.summary.modeChanges).toBe(1);
    expect(plan.summary.idleCost).toBeCloseTo(0.45, 9);
    expect(plan.summary.saving).toBeCloseTo(plan.summary.idleCost - plan.summary.netCost, 12);
  });
});

describe("optimise: forced slots", () => {
  const day = hourly([
    [0.1, 0.05, 0.5, 0],
    [0.1, 0.05, 0.5, 0],
    [0.4, 0.05, 1, 0],
    [0.4, 0.05, 1, 0],
  ]);
  it("plans around a forced hold in an expensive hour", () => {
    const p = problem(day, { forced: [{ slotIndex: 2, mode: "hold" }] });
    const plan = optimise(p);
    expect(plan.slots[2]!.mode).toBe("hold");
    expect(plan.slots[2]!.dischargeKwh).toBe(0);
    expect(plan.slots[3]!.dischargeKwh).toBeCloseTo(1, 6);
    expectExecutable(p, plan);
  });

  it("executes a forced charge at its power to its target and plans the rest", () => {
    const p = problem(day, { forced: [{ slotIndex: 0, mode: "charge", targetSocKwh: 0.8, powerW: 500 }] });
    const plan = optimise(p);
    expect(plan.slots[0]!.mode).toBe("charge");
    expect(plan.slots[0]!.powerW).toBe(500);
    expect(plan.slots[0]!.chargeKwh).toBeCloseTo(0.5, 9);
    // The free hour tops up at full power; the two dear hours use all of it.
    expect(plan.slots[1]!.chargeKwh).toBeCloseTo(1, 6);
    expect(plan.slots[2]!.dischargeKwh + plan.slots[3]!.dischargeKwh).toBeCloseTo(1.5, 6);
    expectExecutable(p, plan);
    expect(checkPlan(p, plan.slots).errors).toEqual([]);
  });
});

describe("optimise: stability", () => {
  // Charging in hour 0 is better than in hour 1 by 0.001 per kWh.
  const slots = hourly([
    [0.1, 0, 0, 0],
    [0.101, 0, 0, 0],
    [0.5, 0, 1, 0],
  ]);
  const previous = { modesByStartMs: new Map([[0, "hold" as const]]) };

  it("keeps the current slot's mode when the gain is below the threshold", () => {
    const plan = optimise(problem(slots, { previous, options: { stabilityThreshold: 0.01 } }));
    expect(plan.slots[0]!.mode).toBe("hold");
    expect(flows(plan)).toEqual([0, 1, -1]);
  });

  it("flips when the gain exceeds the threshold", () => {
    const plan = optimise(problem(slots, { previous, options: { stabilityThreshold: 0.0005 } }));
    expect(plan.slots[0]!.mode).toBe("charge");
    expect(flows(plan)).toEqual([1, 0, -1]);
  });

  it("also keeps the next slot's mode", () => {
    // Charging in hour 1 beats hour 2 by 0.001 per kWh; the previous plan held in hour 1.
    const later = hourly([
      [0.3, 0, 0, 0],
      [0.1, 0, 0, 0],
      [0.101, 0, 0, 0],
      [0.5, 0, 1, 0],
    ]);
    const hint = { modesByStartMs: new Map([[HOUR, "hold" as const]]) };
    const kept = optimise(problem(later, { previous: hint, options: { stabilityThreshold: 0.01 } }));
    expect(modes(kept)[1]).toBe("hold");
    expect(flows(kept)).toEqual([0, 0, 1, -1]);
    expect(modes(optimise(problem(later, { previous: hint })))[1]).toBe("charge");
  });

  it("flips freely without a previous plan", () => {
    expect(modes(optimise(problem(slots)))[0]).toBe("charge");
  });
});

describe("optimise: horizons and slot lengths", () => {
  it("uses a partly-over first slot's own length", () => {
    const slots = hourly([
      [0.1, 0, 0, 0],
      [0.5, 0, 1, 0],
    ]);
    slots[0] = { ...slots[0]!, startMs: HOUR / 2 };
    const plan = optimise(problem(slots));
    expect(plan.slots[0]!.chargeKwh).toBeCloseTo(0.5, 9);
    expect(plan.slots[1]!.dischargeKwh).toBeCloseTo(0.5, 9);
  });

  it.each([5, 15, 30, 60])("plans 72 hours of %i-minute slots validly", (minutes) => {
    const p = randomProblem(7, { slotMinutes: minutes as 5 | 15 | 30 | 60, slots: (72 * 60) / minutes });
    const plan = optimise(p);
    expect(plan.slots).toHaveLength((72 * 60) / minutes);
    expect(checkPlan(p, plan.slots).errors).toEqual([]);
    expectExecutable(p, plan);
  });

  it("plans a 25-hour local day (clocks go back) as 50 UTC half-hours", () => {
    const start = Date.UTC(2025, 9, 25, 23); // 2025-10-26 00:00 Europe/London
    const slots = Array.from({ length: 50 }, (_, i) => ({
      startMs: start + (i * HOUR) / 2,
      endMs: start + ((i + 1) * HOUR) / 2,
      importPricePerKwh: i >= 34 && i < 40 ? 0.35 : 0.15,
      exportPricePerKwh: 0.05,
      loadKwh: 0.4,
      pvKwh: 0,
    }));
    const plan = optimise(
      problem(slots, { battery: { ...ideal, capacityKwh: 5, maxChargeKw: 3, maxDischargeKw: 3 } }),
    );
    expect(plan.slots).toHaveLength(50);
    expect(plan.slots.slice(34, 40).every((s) => s.dischargeKwh > 0)).toBe(true);
  });
});

describe("optimise: PV risk aversion", () => {
  const slots = hourly([
    [0.1, 0.0, 0.2, 0],
    [0.15, 0.0, 0.2, 2],
    [0.5, 0.0, 1.5, 0],
  ]).map((s) => (s.pvKwh > 0 ? { ...s, pvP10Kwh: 0.5 } : s));
  const battery = { ...ideal, capacityKwh: 3, maxChargeKw: 3, maxDischargeKw: 3 };

  it("relies on the median PV when not risk-averse", () => {
    const plan = optimise(problem(slots, { battery }));
    expect(plan.slots[0]!.chargeKwh).toBeCloseTo(0, 6);
  });

  it("charges ahead for a p10 PV day when fully risk-averse", () => {
    const plan = optimise(problem(slots, { battery, options: { pvRiskAversion: 1 } }));
    expect(plan.slots[1]!.pvKwh).toBeCloseTo(0.5, 9);
    expect(plan.slots[0]!.chargeKwh).toBeGreaterThan(1);
  });
});

describe("optimise: bundled scenarios", () => {
  it.each(fixtureScenarios())("$name: valid when re-simulated, executable mode by mode", ({ problem: p }) => {
    const plan = optimise(p);
    const check = checkPlan(p, plan.slots);
    expect(check.errors).toEqual([]);
    expect(check.netCost).toBeCloseTo(plan.summary.netCost, 6);
    expectExecutable(p, plan);
  });

  it("is deterministic", () => {
    const p = fixtureScenarios()[0]!.problem;
    expect(optimise(p)).toEqual(optimise(p));
  });
});

describe("optimise: bad input", () => {
  it.each([
    [
      "a NaN load",
      (p: PlanProblem) => ({
        ...p,
        slots: p.slots.map((s, i) => (i === 1 ? { ...s, loadKwh: Number.NaN } : s)),
      }),
      /slots\[1\]\.loadKwh is NaN/,
    ],
    [
      "a zero efficiency",
      (p: PlanProblem) => ({ ...p, battery: { ...p.battery, chargeEfficiency: 0 } }),
      /battery\.chargeEfficiency/,
    ],
    [
      "an inverted slot",
      (p: PlanProblem) => ({
        ...p,
        slots: p.slots.map((s, i) => (i === 0 ? { ...s, endMs: s.startMs } : s)),
      }),
      /slots\[0\] ends before it starts/,
    ],
  ])("names the field for %s", (_, mutate, pattern) => {
    const p = mutate(
      problem(
        hourly([
          [0.1, 0, 1, 0],
          [0.2, 0, 1, 0],
        ]),
      ),
    );
    expect(() => optimise(p)).toThrow(InputError);
    expect(() => optimise(p)).toThrow(pattern);
  });
});
