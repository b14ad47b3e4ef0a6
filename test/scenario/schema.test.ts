import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { planScenario } from "../../src/index.js";
import { scenarioToProblem } from "../../src/scenario/convert.js";
import { parseScenario } from "../../src/scenario/schema.js";

const file = join(import.meta.dirname, "..", "fixtures", "scenarios", "agile-winter-30m.json");
interface Raw {
  [key: string]: unknown;
  battery: Record<string, unknown>;
  slots: Record<string, unknown>[];
}
const valid = () => JSON.parse(readFileSync(file, "utf8")) as Raw;

function errorOf(mutate: (s: Raw) => void): string {
  const s = valid();
  mutate(s);
  try {
    parseScenario(s);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("parsed");
}

describe("parseScenario", () => {
  it("accepts every bundled scenario", () => {
    expect(parseScenario(valid()).slots).toHaveLength(96);
  });

  it.each([
    ["a missing field", (s: Raw) => delete s.battery.maxChargeKw, /battery\.maxChargeKw is missing/],
    [
      "a negative capacity",
      (s: Raw) => (s.battery.capacityKwh = -1),
      /battery\.capacityKwh must be greater than 0/,
    ],
    [
      "an initial SOC above capacity",
      (s: Raw) => (s.battery.initialSocKwh = 12),
      /battery\.initialSocKwh 12 is above capacityKwh 9\.5/,
    ],
    [
      "a reserve above capacity",
      (s: Raw) => (s.battery.minSocKwh = 10),
      /battery\.minSocKwh 10 is above capacityKwh/,
    ],
    ["no slots", (s: Raw) => (s.slots = []), /slots must hold at least one slot/],
    [
      "too many slots",
      (s: Raw) => (s.slots = Array(200).fill(s.slots[0])),
      /slots has 200 slots of 30 min, more than the 72-hour horizon allows \(144\)/,
    ],
    [
      "a slot field of the wrong type",
      (s: Raw) => (s.slots[5]!.importPrice = "0.2"),
      /slots\[5\]\.importPrice must be a number/,
    ],
    ["NaN", (s: Raw) => (s.slots[2]!.loadKwh = Number.NaN), /slots\[2\]\.loadKwh/],
    ["a negative load", (s: Raw) => (s.slots[1]!.loadKwh = -0.1), /slots\[1\]\.loadKwh must not be negative/],
    ["a wrong format", (s: Raw) => (s.format = "other/2"), /^scenario: format /],
    [
      "an unknown time zone",
      (s: Raw) => (s.timezone = "Mars/Olympus"),
      /timezone is not a known IANA time zone/,
    ],
  ])("names the field for %s in one line", (_, mutate, pattern) => {
    const message = errorOf(mutate);
    expect(message).toMatch(pattern);
    expect(message).not.toContain("\n");
  });

  it("rejects a value that is not an object", () => {
    expect(() => parseScenario("nope")).toThrow(InputError);
  });
});

describe("scenarioToProblem and planScenario", () => {
  it("lays the slots out back to back from the start", () => {
    const p = scenarioToProblem(parseScenario(valid()));
    expect(p.slots[1]!.startMs).toBe(Date.parse("2025-01-14T00:30:00Z"));
    expect(p.slots[95]!.endMs).toBe(Date.parse("2025-01-16T00:00:00Z"));
    expect(p.initialSocKwh).toBe(2.85);
    expect(p.battery).not.toHaveProperty("initialSocKwh");
  });

  it("returns the plan in the docs/scenario-format.md shape, one entry per slot", () => {
    const plan = planScenario(valid());
    expect(plan.slots).toHaveLength(96);
    expect(plan.slots[0]).toMatchObject({ start: "2025-01-14T00:00:00.000Z" });
    for (const key of ["mode", "chargeKwh", "dischargeKwh", "importKwh", "exportKwh", "socKwh"]) {
      expect(plan.slots[0]).toHaveProperty(key);
    }
    expect(plan.netCost).toBeLessThan(plan.summary.idleCost);
  });

  it("throws InputError on an invalid scenario", () => {
    expect(() => planScenario({ format: "battery-planner-scenario/1" })).toThrow(InputError);
  });
});
