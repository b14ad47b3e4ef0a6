// The demo end to end, checked against figures that do not come from the demo's own code: a day
// small enough to settle by hand, the benchmark's independent meter (written from
// docs/scenario-format.md), and HiGHS's optimum as the bound no bill can beat.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkPlan } from "../../bench/check-plan.js";
import { solveWithHighs } from "../../bench/highs-model.js";
import { setLogSink } from "../../src/log.js";
import { runDemo } from "../../src/sim/demo/run-demo.js";
import { HOME_HISTORY_FORMAT, hindsightProblem } from "../../src/sim/home-history.js";

let restore: (() => void) | undefined;
beforeEach(() => {
  restore = setLogSink(() => undefined);
});
afterEach(() => restore?.());

const demo = async (extra: { dayPath?: string; hours?: number } = {}) => {
  const lines: string[] = [];
  const result = await runDemo({ hours: 6, serve: false, port: 0, print: (l) => lines.push(l), ...extra });
  return { result, lines };
};

describe("npm run demo", () => {
  it("prints the same figures on every run (virtual clock)", { timeout: 120_000 }, async () => {
    const a = await demo();
    const b = await demo();
    expect(a.result.rows).toHaveLength(12);
    expect(b.lines).toEqual(a.lines);
    expect(a.lines.join("\n")).toMatch(/Plan v1 \(startup\), 12 slots/);
  });

  it("settles each slot as an independent meter does, and its net cost credits the stored energy", {
    timeout: 120_000,
  }, async () => {
    const { result } = await demo();
    const problem = hindsightProblem(result.history);
    const flows = result.rows.map((r) => ({ chargeKwh: r.chargeKwh, dischargeKwh: r.dischargeKwh }));
    const check = checkPlan(problem, flows);
    // The only thing the checker may object to: a replan switching charge↔discharge within a slot.
    expect(check.errors.filter((e) => !e.includes("charges and discharges"))).toEqual([]);
    expect(result.bill.netCost).toBeCloseTo(check.netCost, 6);
    // Every row's command is what the inverter ended up doing (one mode per slot unless replanned).
    for (const row of result.rows) {
      if (row.command !== "-") expect(row.command.split(" ")[0]).toBe(row.inverterMode);
    }
  });

  it("never beats the hindsight optimum HiGHS finds for the same hours", { timeout: 120_000 }, async () => {
    const { result } = await demo();
    const optimum = await solveWithHighs(hindsightProblem(result.history));
    expect(optimum.status).toBe("Optimal");
    expect(result.bill.netCost).toBeGreaterThanOrEqual(optimum.netCost - 1e-6);
    expect(result.bill.hindsightNetCost).toBeGreaterThanOrEqual(optimum.netCost - 1e-6);
    // And it saves something on a winter Agile morning: it is not the battery left idle.
    expect(result.bill.idleCost - result.bill.netCost).toBeGreaterThan(0);
  });

  it("bills a day with nothing to gain at exactly what the house used: 4 × 0.5 kWh × 0.20", {
    timeout: 120_000,
  }, async () => {
    // Flat price, no PV, export worth nothing, the battery at its reserve and stored energy valued
    // at the import price: charging only loses (95 % efficiency), discharging is not allowed.
    const start = Date.parse("2025-01-15T00:00:00Z");
    const day = {
      format: HOME_HISTORY_FORMAT,
      name: "flat",
      timezone: "Europe/London",
      start: new Date(start).toISOString(),
      slotMinutes: 30,
      battery: {
        capacityKwh: 10,
        minSocKwh: 2,
        initialSocKwh: 2,
        maxChargeKw: 3,
        maxDischargeKw: 3,
        chargeEfficiency: 0.95,
        dischargeEfficiency: 0.95,
        cycleCostPerKwh: 0,
      },
      grid: { maxImportKw: 20, maxExportKw: 5 },
      terminalValuePerKwh: 0.2,
      loadHistory: {
        start: new Date(start - 7 * 86_400_000).toISOString(),
        hourlyKwh: Array(7 * 24).fill(1),
      },
      solcast: [0, 1, 2, 3].map((i) => ({
        period_start: new Date(start + i * 1_800_000).toISOString(),
        pv_estimate: 0,
        pv_estimate10: 0,
        pv_estimate90: 0,
      })),
      slots: [0, 1, 2, 3].map(() => ({
        importPrice: 0.2,
        exportPrice: 0,
        actualLoadKwh: 0.5,
        actualPvKwh: 0,
      })),
    };
    const dir = mkdtempSync(join(tmpdir(), "demo-flat-"));
    const file = join(dir, "flat.json");
    writeFileSync(file, JSON.stringify(day));
    const { result, lines } = await demo({ dayPath: file, hours: 2 });
    expect(JSON.parse(readFileSync(file, "utf8")).name).toBe("flat");
    expect(result.rows).toHaveLength(4);
    expect(result.bill.billCost).toBeCloseTo(0.4, 9);
    expect(result.bill.netCost).toBeCloseTo(0.4, 9);
    expect(result.bill.idleCost).toBeCloseTo(0.4, 9);
    expect(lines.join("\n")).toMatch(/Saving: 0\.00 GBP against idle/);
  });
});
