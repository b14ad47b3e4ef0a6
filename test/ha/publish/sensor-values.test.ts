import { describe, expect, it } from "vitest";
import { planValues, statusValues } from "../../../src/ha/publish/sensor-values.js";
import { makeStoredPlan } from "./plan-fixture.js";

describe("published sensor values", () => {
  // 2025-06-01 is summer time in London: local midnight is 23:00 UTC.
  const start = Date.parse("2025-06-01T20:00:00Z");
  const plan = makeStoredPlan({ startMs: start, slotMinutes: 30, count: 10, modeOf: () => "self-use" });
  for (const [i, slot] of plan.plan.slots.entries()) slot.cost = i < 6 ? 0.1 : 1;

  it("splits predicted cost at the home's local midnight, not UTC's", () => {
    const values = planValues(plan, start + 10 * 60_000, "Europe/London");
    // 20:00–23:00 UTC is today in London (six slots), 23:00–01:00 UTC tomorrow.
    expect(values.cost_today?.state).toBe(0.6);
    expect(values.cost_tomorrow?.state).toBe(4);
    const utc = planValues(plan, start + 10 * 60_000, "UTC");
    expect(utc.cost_today?.state).toBe(2.6);
  });

  it("interpolates the planned SOC within the current slot", () => {
    const charging = makeStoredPlan({ startMs: start, slotMinutes: 60, count: 2, modeOf: () => "charge" });
    // initial 5 kWh, +3 kWh in the first hour: halfway is 6.5 kWh of 10.
    const values = planValues(charging, start + 30 * 60_000, "UTC");
    expect(values.planned_soc?.state).toBe(65);
    expect(values.target_soc?.state).toBe(90);
    expect(values.current_mode?.state).toBe("charge");
    expect(values.next_mode?.state).toBeNull();
  });

  it("says unknown rather than guessing when the plan does not cover now", () => {
    const values = planValues(plan, start + 24 * 3600_000, "UTC");
    expect(values.current_mode?.state).toBeNull();
    expect(values.planned_soc?.state).toBeNull();
  });

  it("puts the reason on the status sensor", () => {
    const values = statusValues({
      state: "fallback",
      reason: "plan expired",
      controlEnabled: false,
      currentCommand: { mode: "self-use" },
      updatedAtMs: start,
    });
    expect(values.status).toEqual({
      state: "fallback",
      attributes: {
        reason: "plan expired",
        control_enabled: false,
        updated_at: "2025-06-01T20:00:00.000Z",
        command_mode: "self-use",
        command_target_soc_pct: null,
        command_power_w: null,
      },
    });
  });
});
