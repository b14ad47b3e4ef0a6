import { describe, expect, it } from "vitest";
import {
  buildPlanAttributes,
  HA_ATTRIBUTE_LIMIT_BYTES,
  jsonBytes,
} from "../../../src/ha/publish/plan-attribute.js";
import { planValues } from "../../../src/ha/publish/sensor-values.js";
import { makeStoredPlan } from "./plan-fixture.js";

const START = Date.parse("2025-06-01T00:00:00Z");

describe("plan attribute", () => {
  it("keeps a 576-slot (48 h at 5 min) plan's attributes under HA's 16 KB recorder limit", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 5, count: 576 });
    // The sensor's whole attribute object, as the publishers send it.
    const attributes = planValues(stored, START, "Europe/London").plan!.attributes!;
    // What HA adds on top (friendly name, icon, device class).
    const withHaExtras = {
      ...attributes,
      friendly_name: "Battery Planner Plan",
      icon: "mdi:chart-timeline",
      device_class: "timestamp",
    };
    expect(jsonBytes(withHaExtras)).toBeLessThanOrEqual(HA_ATTRIBUTE_LIMIT_BYTES);
    const plan = attributes.plan as { start: string }[];
    expect(plan.length).toBeGreaterThan(24);
    expect(attributes.truncated).toBe(false);
  });

  it("would not fit without thinning: the full 576-slot list is far over the limit", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 5, count: 576 });
    const full = buildPlanAttributes(stored, START, Number.POSITIVE_INFINITY);
    expect(full.plan).toHaveLength(576);
    expect(jsonBytes(full)).toBeGreaterThan(HA_ATTRIBUTE_LIMIT_BYTES);
  });

  it("keeps every mode change at its exact instant when coarsening", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 5, count: 576 });
    const attributes = buildPlanAttributes(stored, START);
    expect(attributes.resolution_minutes).toBeGreaterThan(5);
    const changes = stored.plan.slots
      .filter((s, i, all) => i === 0 || all[i - 1]!.mode !== s.mode)
      .map((s) => new Date(s.startMs).toISOString().replace(".000Z", "Z"));
    const starts = new Set(attributes.plan.map((e) => e.start));
    for (const change of changes) expect(starts).toContain(change);
    // …and no entry mixes modes: consecutive entries of one mode are allowed, a change never hides.
    for (const entry of attributes.plan) {
      const slot = stored.plan.slots.find(
        (s) => new Date(s.startMs).toISOString().replace(".000Z", "Z") === entry.start,
      );
      expect(slot?.mode).toBe(entry.mode);
    }
  });

  it("leaves a short half-hourly plan at full resolution with chart fields", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 48 });
    const attributes = buildPlanAttributes(stored, START);
    expect(attributes.resolution_minutes).toBe(30);
    expect(attributes.plan).toHaveLength(48);
    const first = attributes.plan[0]!;
    expect(first).toMatchObject({ start: "2025-06-01T00:00:00Z", mode: "self-use", socPct: 50 });
    expect(typeof first.importPrice).toBe("number");
    expect(typeof first.exportPrice).toBe("number");
    const charge = attributes.plan.find((e) => e.mode === "charge")!;
    expect(charge.powerW).toBe(3000);
    expect(charge.targetSocPct).toBe(90);
  });

  it("drops past slots and cuts the far end (marked truncated) when even coarse entries do not fit", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 48 });
    const later = START + 2 * 3600_000;
    const attributes = buildPlanAttributes(stored, later, 800);
    expect(jsonBytes(attributes)).toBeLessThanOrEqual(800);
    expect(attributes.truncated).toBe(true);
    expect(attributes.plan[0]!.start).toBe("2025-06-01T02:00:00Z");
  });
});
