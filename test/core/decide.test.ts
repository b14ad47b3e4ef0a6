import { describe, expect, it } from "vitest";
import { type DecideInput, decide } from "../../src/core/decide.js";
import type { Mode, PlanSlot } from "../../src/core/types.js";

const HALF = 30 * 60_000;
const T = 1_000 * HALF;

function slot(i: number, mode: Mode, targetSocKwh: number, powerW = 0): PlanSlot {
  return {
    startMs: T + i * HALF,
    endMs: T + (i + 1) * HALF,
    mode,
    targetSocKwh,
    powerW,
    chargeKwh: 0,
    dischargeKwh: 0,
    importKwh: 0,
    exportKwh: 0,
    curtailedKwh: 0,
    socKwh: targetSocKwh,
    cost: 0,
    importPricePerKwh: 0.2,
    exportPricePerKwh: 0.05,
    loadKwh: 0.3,
    pvKwh: 0,
  };
}

const battery = {
  capacityKwh: 10,
  maxChargeKw: 3,
  maxDischargeKw: 3,
  chargeEfficiency: 1,
  dischargeEfficiency: 1,
};

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    nowMs: T + 60_000,
    plan: {
      planVersion: 7,
      computedAtMs: T,
      capacityKwh: 10,
      slots: [slot(0, "charge", 6, 1000), slot(1, "self-use", 5)],
    },
    maxPlanAgeMs: 2 * 3_600_000,
    inverter: { socPct: 55 },
    battery,
    ...overrides,
  };
}

describe("decide", () => {
  it("follows the plan's slot for now", () => {
    const d = decide(input());
    expect(d).toMatchObject({
      source: "plan",
      planVersion: 7,
      slotStartMs: T,
      command: { mode: "charge", targetSocPct: 60 },
    });
  });

  it("speeds a charge up when the battery is behind the plan, never slows it", () => {
    const behind = decide(input({ inverter: { socPct: 30 }, nowMs: T }));
    expect(behind.command.powerW).toBe(3000);
    const ahead = decide(input({ inverter: { socPct: 59 }, nowMs: T }));
    expect(ahead.command.powerW).toBe(1000);
  });

  it("leaves self-use to follow the real load, without a floor above the reserve", () => {
    const d = decide(input({ nowMs: T + HALF + 1 }));
    expect(d.command).toEqual({ mode: "self-use" });
  });

  it("falls back to self-use when the inverter cannot be read, even with an override", () => {
    const override = { id: "o", mode: "export" as const, startMs: T, endMs: T + HALF };
    expect(decide(input({ inverter: undefined, override }))).toMatchObject({
      source: "fallback",
      reason: "inverter-unreadable",
      command: { mode: "self-use" },
    });
  });

  it("lets a live override win over the plan", () => {
    const override = {
      id: "o",
      mode: "export" as const,
      targetSocPct: 20,
      powerW: -2500,
      startMs: T,
      endMs: T + HALF,
    };
    expect(decide(input({ override }))).toMatchObject({
      source: "override",
      command: { mode: "export", targetSocPct: 20, powerW: 2500 },
    });
  });

  it("ignores an override outside its window", () => {
    const override = { id: "o", mode: "export" as const, startMs: T + HALF, endMs: T + 2 * HALF };
    expect(decide(input({ override })).source).toBe("plan");
  });

  it("does not go on with an override's mode in a slot the plan gave it, once the override is gone", () => {
    const forced = { ...slot(0, "export", 2, 2500), forced: true };
    const plan = {
      planVersion: 7,
      computedAtMs: T,
      capacityKwh: 10,
      slots: [forced, slot(1, "self-use", 5)],
    };
    // Still running: the override decides.
    const live = { id: "o", mode: "export" as const, targetSocPct: 20, startMs: T, endMs: T + HALF };
    expect(decide(input({ plan, override: live })).command.mode).toBe("export");
    // Cancelled (no override for now): self-use until the replan, and not as a fallback.
    expect(decide(input({ plan }))).toMatchObject({ source: "plan", command: { mode: "self-use" } });
    // The same slot chosen by the optimiser (not forced) is carried out.
    expect(decide(input({ plan: { ...plan, slots: [slot(0, "export", 2, 2500)] } })).command.mode).toBe(
      "export",
    );
  });

  it.each([
    ["no-plan", { plan: undefined }],
    ["plan-expired", { nowMs: T + 3 * 3_600_000 }],
    ["no-slot-for-now", { nowMs: T + 3 * HALF }],
  ] as const)("falls back to self-use: %s", (reason, overrides) => {
    expect(decide(input(overrides))).toMatchObject({
      source: "fallback",
      reason,
      command: { mode: "self-use" },
    });
  });
});

describe("decide never forces a battery at 0 W", () => {
  it("holds instead of charging to the target at 0 W when the battery is already there", () => {
    const plan = {
      planVersion: 7,
      computedAtMs: T,
      capacityKwh: 10,
      slots: [slot(0, "charge", 5.1, 0)],
    };
    const d = decide(input({ plan, inverter: { socPct: 51 } }));
    expect(d).toMatchObject({ source: "plan", command: { mode: "hold", targetSocPct: 51 } });
    expect(d.command.powerW).toBeUndefined();
  });

  it("holds instead of exporting at 0 W", () => {
    const plan = { planVersion: 7, computedAtMs: T, capacityKwh: 10, slots: [slot(0, "export", 4, 20)] };
    expect(decide(input({ plan, inverter: { socPct: 40 } })).command).toEqual({
      mode: "hold",
      targetSocPct: 40,
    });
  });

  it("turns an override's charge at 0 W into hold, and keeps one without a power", () => {
    const window = { id: "o", startMs: T, endMs: T + HALF };
    const zero = decide(input({ override: { ...window, mode: "charge", targetSocPct: 51, powerW: 0 } }));
    expect(zero.command).toEqual({ mode: "hold", targetSocPct: 51 });
    const unset = decide(input({ override: { ...window, mode: "charge", targetSocPct: 80 } }));
    expect(unset.command).toEqual({ mode: "charge", targetSocPct: 80 });
  });

  it("keeps a real charge a charge", () => {
    expect(decide(input({ inverter: { socPct: 59 }, nowMs: T })).command).toMatchObject({
      mode: "charge",
      powerW: 1000,
    });
  });
});
