import { describe, expect, it } from "vitest";
import { buildSlotModel } from "../../src/core/slot-model.js";
import { tidyCrumbs } from "../../src/core/tidy.js";
import type { SlotInput } from "../../src/core/types.js";

const HOUR = 3_600_000;
const battery = {
  capacityKwh: 5,
  minSocKwh: 0,
  maxChargeKw: 2,
  maxDischargeKw: 2,
  chargeEfficiency: 1,
  dischargeEfficiency: 1,
  cycleCostPerKwh: 0,
};
const slots: SlotInput[] = [0.1, 0.1, 0.1, 0.3].map((price, i) => ({
  startMs: i * HOUR,
  endMs: (i + 1) * HOUR,
  importPricePerKwh: price,
  exportPricePerKwh: 0,
  loadKwh: 0,
  pvKwh: 0,
}));
const model = buildSlotModel(slots, battery, { maxImportKw: 10, maxExportKw: 5 }, (s) => s.pvKwh);

describe("tidyCrumbs", () => {
  it("moves a watt-hour top-up into the charge before it", () => {
    const flows = Float64Array.of(1.5, 0.001, 0, 0);
    const socs = Float64Array.of(0, 1.5, 1.501, 1.501, 1.501);
    tidyCrumbs(model, flows, socs, new Set(), 1e-3);
    expect([...flows]).toEqual([1.501, 0, 0, 0]);
    expect(socs[1]).toBeCloseTo(1.501, 12);
  });

  it("leaves a pinned slot alone", () => {
    const flows = Float64Array.of(1.5, 0.001, 0, 0);
    tidyCrumbs(model, flows, Float64Array.of(0, 1.5, 1.501, 1.501, 1.501), new Set([0]), 1e-3);
    expect(flows[1]).toBe(0.001);
  });

  it("does not pay more than the budget", () => {
    // Only the dear last hour charges too; moving the crumb there costs more than the budget.
    const flows = Float64Array.of(0.001, 0, 0, 1);
    const socs = Float64Array.of(0, 0.001, 0.001, 0.001, 1.001);
    tidyCrumbs(model, flows, socs, new Set(), 1e-6);
    expect(flows[0]).toBe(0.001);
  });
});
