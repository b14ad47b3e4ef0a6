// The sensors HA keeps long-term statistics of, checked against HA's sensor rules
// (homeassistant/components/sensor/const.py DEVICE_CLASS_STATE_CLASSES: monetary allows only
// `total`; a `total` sensor's cycle restarts when its last_reset changes,
// components/sensor/recorder.py), and the plan attribute a chart reads.
import { describe, expect, it } from "vitest";
import { SENSORS } from "../../../src/ha/publish/entities.js";
import { discoveryMessages } from "../../../src/ha/publish/mqtt-discovery.js";
import { buildPlanAttributes } from "../../../src/ha/publish/plan-attribute.js";
import { SensorBoard } from "../../../src/ha/publish/sensor-board.js";
import { plannedSavingBetween, planValues } from "../../../src/ha/publish/sensor-values.js";
import type { RuntimeStatus, StoredPlan } from "../../../src/runtime/ports.js";
import { makeStoredPlan } from "./plan-fixture.js";

const START = Date.parse("2025-06-01T00:00:00Z");
const HALF_HOUR = 30 * 60_000;
const status = (atMs: number): RuntimeStatus => ({
  state: "ok",
  reason: "ok",
  controlEnabled: true,
  updatedAtMs: atMs,
});

const payloads = new Map(
  discoveryMessages({
    discoveryPrefix: "homeassistant",
    nodeId: "battery_planner",
    swVersion: "t",
    currency: "EUR",
  })
    .filter((m) => m.topic.startsWith("homeassistant/sensor/"))
    .map((m) => [m.topic.split("/")[3]!, m.payload]),
);

/** A plan whose slots each save a known amount: idle buys 1 kWh at 0.30, the plan pays 0.10. */
function flatPlan(startMs: number, count: number): StoredPlan {
  const stored = makeStoredPlan({ startMs, slotMinutes: 30, count, modeOf: () => "self-use" });
  for (const slot of stored.plan.slots) {
    Object.assign(slot, { loadKwh: 1, pvKwh: 0, importPricePerKwh: 0.3, exportPricePerKwh: 0.05, cost: 0.1 });
  }
  return stored;
}

describe("sensors with long-term statistics", () => {
  it("gives every monetary sensor state_class total, never measurement", () => {
    const monetary = [...payloads.values()].filter((p) => p.device_class === "monetary");
    expect(monetary.map((p) => p.unique_id).sort()).toEqual(
      ["cost_today", "cost_tomorrow", "day_saving", "saving", "saving_accrued"].map(
        (k) => `battery_planner_${k}`,
      ),
    );
    for (const p of monetary) {
      expect(p.state_class, String(p.unique_id)).toBe("total");
      expect(p.unit_of_measurement).toBe("EUR");
    }
  });

  it("passes components/mqtt/sensor.py validate_sensor_state_and_device_class_config", () => {
    for (const [key, p] of payloads) {
      if (p.last_reset_value_template !== undefined) expect(p.state_class, key).toBe("total");
      if (p.options !== undefined) {
        expect((p.options as unknown[]).length, key).toBeGreaterThan(0);
        expect(p.device_class, key).toBe("enum");
        expect(p.state_class ?? p.unit_of_measurement, key).toBeUndefined();
      }
    }
  });

  it("publishes the import and export price now in <currency>/kWh, not as monetary", () => {
    for (const key of ["import_price", "export_price"]) {
      const p = payloads.get(key)!;
      expect(p.unit_of_measurement).toBe("EUR/kWh");
      expect(p.state_class).toBe("measurement");
      expect(p.device_class).toBeUndefined();
    }
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 4 });
    const values = planValues(stored, START + HALF_HOUR + 60_000, "UTC");
    expect(values.import_price?.state).toBeCloseTo(stored.plan.slots[1]!.importPricePerKwh, 4);
    expect(values.export_price?.state).toBeCloseTo(stored.plan.slots[1]!.exportPricePerKwh, 4);
  });

  it("reads the accrued saving's last_reset from its state payload", () => {
    const p = payloads.get("saving_accrued")!;
    expect(p.value_template).toBe("{{ value_json.value }}");
    expect(p.last_reset_value_template).toBe("{{ value_json.last_reset }}");
    expect(SENSORS.filter((d) => d.lastReset).map((d) => d.key)).toEqual(["saving_accrued", "day_saving"]);
  });

  it("accrues each instant's saving once, by the plan in force then, across replans", () => {
    const board = new SensorBoard("UTC");
    const first = flatPlan(START, 8);
    board.setPlan(first, START);
    board.setStatus(status(START + HALF_HOUR), START + HALF_HOUR);
    // One slot gone: 0.30 − 0.10 saved.
    expect(board.all().find(([k]) => k === "saving_accrued")?.[1]).toEqual({
      state: 0.2,
      lastReset: new Date(START).toISOString(),
    });
    // A replan 10 minutes into the second slot, starting with the rest of that slot.
    const replanAt = START + HALF_HOUR + 10 * 60_000;
    const second = flatPlan(replanAt, 4);
    for (const slot of second.plan.slots) slot.cost = 0.2;
    second.plan.slots[0]!.endMs = START + 2 * HALF_HOUR;
    board.setPlan(second, replanAt);
    board.setStatus(status(START + 2 * HALF_HOUR), START + 2 * HALF_HOUR);
    // 0.2 + 10/30 of 0.2 (old plan) + the new plan's partial first slot, 0.30 − 0.20 in full.
    const expected = 0.2 + (0.2 * 10) / 30 + 0.1;
    const state = board.all().find(([k]) => k === "saving_accrued")?.[1].state as number;
    expect(state).toBeCloseTo(expected, 2);
  });

  it("counts a PV surplus as sold when idle, and as curtailed when export is paid negatively", () => {
    const stored = flatPlan(START, 2);
    Object.assign(stored.plan.slots[0]!, { loadKwh: 0, pvKwh: 2, cost: -0.2 });
    Object.assign(stored.plan.slots[1]!, { loadKwh: 0, pvKwh: 2, exportPricePerKwh: -0.05, cost: 0 });
    // Idle sells 2 kWh at 0.05 (−0.10); the plan earns 0.20: saving 0.10. Then idle curtails (0).
    expect(plannedSavingBetween(stored, START, START + 2 * HALF_HOUR)).toBeCloseTo(0.1, 6);
  });
});

describe("the plan attribute", () => {
  it("reports the grid's slot length, not the partial first slot of a plan made mid-slot", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 6 });
    stored.plan.slots[0]!.startMs = START + 26 * 60_000;
    const attributes = buildPlanAttributes(stored, START);
    expect(attributes.slot_minutes).toBe(30);
  });

  it("carries the load and PV forecasts beside the SOC, summed over merged slots", () => {
    const stored = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 4, modeOf: () => "self-use" });
    for (const [i, slot] of stored.plan.slots.entries())
      Object.assign(slot, { loadKwh: 0.5, pvKwh: i * 0.25 });
    const fine = buildPlanAttributes(stored, START);
    expect(fine.plan.map((e) => [e.loadKwh, e.pvKwh])).toEqual([
      [0.5, 0],
      [0.5, 0.25],
      [0.5, 0.5],
      [0.5, 0.75],
    ]);
    const coarse = buildPlanAttributes(stored, START, 450);
    expect(coarse.resolution_minutes).toBeGreaterThan(30);
    const total = (list: { loadKwh: number; pvKwh: number }[]) =>
      list.reduce((s, e) => [s[0]! + e.loadKwh, s[1]! + e.pvKwh], [0, 0]);
    expect(total(coarse.plan)).toEqual([2, 1.5]);
  });
});
