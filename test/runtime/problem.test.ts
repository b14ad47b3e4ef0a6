import { describe, expect, it } from "vitest";
import type { Override } from "../../src/runtime/overrides.js";
import type { InputsSnapshot, StoredPlan } from "../../src/runtime/ports.js";
import { buildProblem } from "../../src/runtime/problem.js";
import { agileLikeRates, flatLoad, HALF_HOUR, testConfig } from "./helpers.js";

const config = testConfig({ planner: { horizon_hours: 48, slot_minutes: 30 } });

function snapshot(fromMs: number, slots: number, overrides: Partial<InputsSnapshot> = {}): InputsSnapshot {
  return {
    readAtMs: fromMs,
    importRates: agileLikeRates(fromMs, slots),
    exportRates: [],
    solar: [],
    load: flatLoad(fromMs, slots, 0.3),
    battery: { socPct: 40, readAtMs: fromMs },
    warnings: [],
    ...overrides,
  };
}

function build(
  snap: InputsSnapshot,
  nowMs: number,
  extra: { overrides?: Override[]; previous?: StoredPlan } = {},
) {
  const result = buildProblem({
    snapshot: snap,
    config,
    reservePct: 10,
    nowMs,
    overrides: (extra.overrides ?? []).map((o) => ({
      override: o,
      startMs: o.startMs,
      endMs: o.startMs + o.durationMinutes * 60_000,
    })),
    previous: extra.previous,
  });
  if ("failure" in result) throw new Error(result.message);
  return result;
}

describe("inputs to problem", () => {
  it("gives a partly-over first slot its share of the energy and the battery's SOC now", () => {
    const t = Date.parse("2025-01-14T10:00:00Z");
    const { problem } = build(snapshot(t, 96), t + 10 * 60_000);
    expect(problem.slots[0]!.startMs).toBe(t + 10 * 60_000);
    expect(problem.slots[0]!.loadKwh).toBeCloseTo(0.2);
    expect(problem.slots[1]!.loadKwh).toBeCloseTo(0.3);
    expect(problem.initialSocKwh).toBeCloseTo(4);
    expect(problem.battery.minSocKwh).toBeCloseTo(1);
  });

  it("plans a 25-hour local day (autumn DST) as 50 half-hours", () => {
    const localMidnight = Date.parse("2025-10-26T00:00:00+01:00");
    const nextLocalMidnight = Date.parse("2025-10-27T00:00:00Z");
    const { problem } = build(snapshot(localMidnight, 96), localMidnight);
    expect(problem.slots.filter((s) => s.endMs <= nextLocalMidnight)).toHaveLength(50);
  });

  it("fills a missing load forecast with the fallback power and says so", () => {
    const t = Date.parse("2025-01-14T10:00:00Z");
    const { problem, warnings } = build(snapshot(t, 8, { load: flatLoad(t, 4, 0.3) }), t);
    expect(problem.slots[5]!.loadKwh).toBeCloseTo(config.load.fallback_kw / 2);
    expect(warnings.join()).toContain("load forecast missing for 4 slots");
  });

  it("turns an override into forced slots with its target in kWh", () => {
    const t = Date.parse("2025-01-14T10:00:00Z");
    const o: Override = {
      id: "x",
      mode: "charge",
      startMs: t + HALF_HOUR,
      durationMinutes: 60,
      targetSocPct: 80,
      recurrence: "none",
      createdAtMs: t,
      updatedAtMs: t,
    };
    const { problem } = build(snapshot(t, 96), t, { overrides: [o] });
    expect(problem.forced).toEqual([
      { slotIndex: 1, mode: "charge", targetSocKwh: 8 },
      { slotIndex: 2, mode: "charge", targetSocKwh: 8 },
    ]);
  });

  it("hands the executed plan's mode of now to the stability rule", () => {
    const t = Date.parse("2025-01-14T10:00:00Z");
    const previous = {
      plan: { slots: [{ startMs: t, endMs: t + HALF_HOUR, mode: "hold" }], summary: {} },
    } as unknown as StoredPlan;
    const { problem } = build(snapshot(t, 96), t + 60_000, { previous });
    expect(problem.previous?.modesByStartMs.get(t + 60_000)).toBe("hold");
  });

  it("keeps the fingerprint when nothing but the time changed", () => {
    const t = Date.parse("2025-01-14T10:00:00Z");
    const snap = snapshot(t, 96);
    expect(build(snap, t).fingerprint).toBe(build(snap, t + 5 * 60_000).fingerprint);
    expect(build(snapshot(t, 95), t).fingerprint).not.toBe(build(snap, t).fingerprint);
  });
});
