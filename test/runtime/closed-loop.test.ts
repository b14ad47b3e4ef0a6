// Quality of the closed loop on real days (not timing): the backtest days in
// test/fixtures/backtest were built by src/tools/make-backtest.ts from the repo's real data.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/simulate.js";
import { backtestDay, scenarioActuals } from "../../src/sim/backtest.js";
import { correctedSlots, runClosedLoop } from "../../src/sim/closed-loop.js";
import { simulateScenario } from "../../src/sim/simulate.js";

const DIR = join(import.meta.dirname, "../fixtures/backtest");
const days = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as unknown);

describe("closed loop on the backtest days", () => {
  const rows = days.map((raw) => backtestDay(raw));
  const total = (key: "idle" | "naive" | "loop" | "perfect") => rows.reduce((sum, r) => sum + r[key], 0);
  const share = (cost: number) => (total("idle") - cost) / (total("idle") - total("perfect"));

  it("there are real days to judge on", () => {
    expect(days.length).toBeGreaterThanOrEqual(10);
  });

  it("realises at least 80% of the perfect-foresight saving, summed over the days", () => {
    expect(share(total("loop"))).toBeGreaterThanOrEqual(0.8);
  });

  it("beats re-planning on the uncorrected forecasts", () => {
    expect(share(total("loop"))).toBeGreaterThan(share(total("naive")));
  });
});

describe("forecast correction", () => {
  it("never looks at the actuals of the slot about to run or later", () => {
    const { problem, actuals } = scenarioActuals(days[0]);
    const changedFuture = actuals.map((a, i) =>
      i >= 10 ? { loadKwh: a.loadKwh * 5, pvKwh: a.pvKwh * 5 } : a,
    );
    expect(correctedSlots(problem.slots, changedFuture, 10)).toEqual(
      correctedSlots(problem.slots, actuals, 10),
    );
  });

  it("scales the next hours up when the house has been using more than forecast", () => {
    const { problem } = scenarioActuals(days[0]);
    const slots = problem.slots.map((s) => ({ ...s, loadKwh: 0.5, pvKwh: 0 }));
    const heavy = slots.map(() => ({ loadKwh: 1, pvKwh: 0 }));
    const corrected = correctedSlots(slots, heavy, 20);
    expect(corrected[0]!.loadKwh).toBeGreaterThan(0.8);
    // ...fading back to the forecast further ahead.
    expect(corrected.at(-1)!.loadKwh).toBeLessThan(0.55);
  });
});

describe("simulate through the runtime", () => {
  it("realises what the pure closed loop does, with SOC carried from slot to slot", async () => {
    const raw = days[3];
    const { problem, actuals } = scenarioActuals(raw);
    const viaRuntime = await simulateScenario(raw);
    const pure = runClosedLoop(problem, actuals);
    expect(viaRuntime.slots).toHaveLength(problem.slots.length);
    expect(viaRuntime.netCost).toBeCloseTo(pure.netCost, 1);
    let soc = problem.initialSocKwh;
    for (const slot of viaRuntime.slots) {
      expect(slot.socKwh).toBeCloseTo(soc + slot.chargeKwh * 0.95 - slot.dischargeKwh / 0.95, 6);
      soc = slot.socKwh;
    }
  });

  it("the CLI prints the realised plan as JSON", async () => {
    let out = "";
    const code = await run([join(DIR, readdirSync(DIR).sort()[0]!), "--format", "json"], {
      stdout: (t) => {
        out += t;
      },
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    const json = JSON.parse(out) as { slots: unknown[]; netCost: number; shareOfPerfectSaving: number };
    expect(json.slots).toHaveLength(48);
    expect(Number.isFinite(json.netCost)).toBe(true);
  });

  it("the CLI rejects a bad file with exit code 2 and one line", async () => {
    let err = "";
    const code = await run(["/nonexistent.json"], { stdout: () => undefined, stderr: (t) => (err += t) });
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
  });
});
