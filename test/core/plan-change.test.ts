// The one rule behind battery_planner_plan_changed.
import { describe, expect, it } from "vitest";
import { type ModeSlot, modesChanged } from "../../src/core/plan-change.js";
import type { Mode } from "../../src/core/types.js";

const HALF = 30 * 60_000;
const T = 1_000 * HALF;

function plan(fromSlot: number, modes: Mode[], slotMs = HALF): ModeSlot[] {
  return modes.map((mode, i) => ({
    startMs: T + fromSlot * HALF + i * slotMs,
    endMs: T + fromSlot * HALF + (i + 1) * slotMs,
    mode,
  }));
}

describe("modesChanged", () => {
  it("fires for the first plan and not for a recompute that keeps every mode", () => {
    const today = plan(0, ["self-use", "charge", "charge", "self-use"]);
    expect(modesChanged(undefined, today)).toBe(true);
    expect(modesChanged(today, plan(0, ["self-use", "charge", "charge", "self-use"]))).toBe(false);
  });

  it("does not fire when only past slots dropped off", () => {
    expect(modesChanged(plan(0, ["hold", "charge", "self-use"]), plan(1, ["charge", "self-use"]))).toBe(
      false,
    );
  });

  it("fires when a covered instant changes mode, on a finer grid too", () => {
    const before = plan(0, ["self-use", "charge"]);
    const fine = plan(0, ["self-use", "self-use", "charge", "hold"], HALF / 2);
    expect(modesChanged(before, fine)).toBe(true);
  });

  it("fires when tomorrow's slots arrive with something to do", () => {
    const today = plan(0, ["self-use", "charge", "self-use"]);
    expect(modesChanged(today, plan(0, ["self-use", "charge", "self-use", "self-use", "export"]))).toBe(true);
  });

  it("does not fire when the horizon only grows by self-use", () => {
    const today = plan(0, ["self-use", "charge", "charge"]);
    expect(modesChanged(today, plan(0, ["self-use", "charge", "charge", "self-use", "self-use"]))).toBe(
      false,
    );
  });
});
