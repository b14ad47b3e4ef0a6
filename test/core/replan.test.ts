import { describe, expect, it } from "vitest";
import { plannedSocKwhAt, type ReplanContext, replanDecision } from "../../src/core/replan.js";
import type { PlanSlot } from "../../src/core/types.js";

const HALF = 30 * 60_000;
const T = 1_000 * HALF;

const slots = [0, 1, 2].map(
  (i): PlanSlot => ({
    startMs: T + i * HALF,
    endMs: T + (i + 1) * HALF,
    mode: "charge",
    targetSocKwh: 5 + i + 1,
    powerW: 2000,
    chargeKwh: 1,
    dischargeKwh: 0,
    importKwh: 1.3,
    exportKwh: 0,
    curtailedKwh: 0,
    socKwh: 5 + i + 1,
    cost: 0.1,
    importPricePerKwh: 0.1,
    exportPricePerKwh: 0,
    loadKwh: 0.3,
    pvKwh: 0,
  }),
);

function ctx(overrides: Partial<ReplanContext> = {}): ReplanContext {
  return {
    nowMs: T + HALF / 2,
    plan: {
      computedAtMs: T,
      capacityKwh: 10,
      initialSocKwh: 5,
      slots,
      ratesFingerprint: "r1",
      forecastFingerprint: "f1",
    },
    socTolerancePct: 5,
    maxAgeMs: 30 * 60_000,
    ...overrides,
  };
}

describe("replan decision", () => {
  it("replans on new rates, not on the same rates announced again", () => {
    expect(replanDecision({ kind: "rates", fingerprint: "r2" }, ctx())).toEqual({
      replan: true,
      reason: "rates changed",
    });
    expect(replanDecision({ kind: "rates", fingerprint: "r1" }, ctx()).replan).toBe(false);
  });

  it("replans on a new forecast", () => {
    expect(replanDecision({ kind: "forecast", fingerprint: "f2" }, ctx()).replan).toBe(true);
    expect(replanDecision({ kind: "forecast", fingerprint: "f1" }, ctx()).replan).toBe(false);
  });

  it("replans when the SOC is off plan by more than the tolerance", () => {
    // Planned at T+15min: 5.5 kWh = 55%.
    expect(replanDecision({ kind: "soc", socPct: 58 }, ctx()).replan).toBe(false);
    expect(replanDecision({ kind: "soc", socPct: 61 }, ctx()).replan).toBe(true);
    expect(replanDecision({ kind: "soc", socPct: 49 }, ctx()).replan).toBe(true);
  });

  it("always replans on settings and manual requests", () => {
    expect(replanDecision({ kind: "settings" }, ctx()).replan).toBe(true);
    expect(replanDecision({ kind: "manual", reason: "button" }, ctx())).toEqual({
      replan: true,
      reason: "manual: button",
    });
  });

  it("replans an aged plan, and when there is none", () => {
    expect(replanDecision({ kind: "tick" }, ctx()).replan).toBe(false);
    expect(replanDecision({ kind: "tick" }, ctx({ nowMs: T + 31 * 60_000 }))).toEqual({
      replan: true,
      reason: "aged",
    });
    expect(replanDecision({ kind: "tick" }, ctx({ plan: undefined })).replan).toBe(true);
  });

  it("interpolates the planned SOC within a slot", () => {
    expect(plannedSocKwhAt(ctx().plan!, T + HALF / 2)).toBeCloseTo(5.5);
    expect(plannedSocKwhAt(ctx().plan!, T + HALF)).toBeCloseTo(6);
    expect(plannedSocKwhAt(ctx().plan!, T - 1)).toBeUndefined();
  });
});
