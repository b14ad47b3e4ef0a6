// `battery-planner simulate FILE`: held-out days are judged through it, in the home-history format
// or as a planning scenario with actuals.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/simulate.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");

async function simulate(args: string[]) {
  let out = "";
  let err = "";
  const code = await run(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe("battery-planner simulate", () => {
  it("judges a home-history day: realised slots, idle, self-use and hindsight as JSON", {
    timeout: 120_000,
  }, async () => {
    const { code, out } = await simulate([
      join(FIXTURES, "home-history/day-2025-01-10.json"),
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      slots: { socKwh: number; importKwh: number; exportKwh: number }[];
      netCost: number;
      idleNetCost: number;
      hindsightNetCost: number;
      shareOfHindsightSaving: number;
    };
    expect(json.slots).toHaveLength(48);
    expect(json.netCost).toBeGreaterThanOrEqual(json.hindsightNetCost - 1e-9);
    expect(json.shareOfHindsightSaving).toBeCloseTo(
      (json.idleNetCost - json.netCost) / (json.idleNetCost - json.hindsightNetCost),
      12,
    );
  });

  it("runs consecutive days through one add-on and judges them as a whole", {
    timeout: 120_000,
  }, async () => {
    const { code, out } = await simulate([
      join(FIXTURES, "home-history/run-2025-01-10.json"),
      join(FIXTURES, "home-history/run-2025-01-11.json"),
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      days: { startSocKwh: number; finalSocKwh: number }[];
      slots: unknown[];
      netCost: number;
      idleNetCost: number;
      hindsightNetCost: number;
      shareOfHindsightSaving: number;
    };
    expect(json.slots).toHaveLength(96);
    expect(json.days).toHaveLength(2);
    expect(json.days[1]!.startSocKwh).toBe(json.days[0]!.finalSocKwh);
    expect(json.netCost).toBeGreaterThanOrEqual(json.hindsightNetCost - 1e-9);
    expect(json.shareOfHindsightSaving).toBeCloseTo(
      (json.idleNetCost - json.netCost) / (json.idleNetCost - json.hindsightNetCost),
      12,
    );
  });

  it("rejects days that do not follow one another with exit code 2 and one line", async () => {
    const { code, err } = await simulate([
      join(FIXTURES, "home-history/run-2025-01-11.json"),
      join(FIXTURES, "home-history/run-2025-01-10.json"),
    ]);
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/must follow one another/);
  });

  it("rejects a bad file with exit code 2 and one line", async () => {
    const { code, err } = await simulate(["/nonexistent.json"]);
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
  });
});
