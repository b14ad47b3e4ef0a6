import { describe, expect, it } from "vitest";
import { idleCost, settleSlot, slotCost } from "../../src/core/physics.js";
import { buildSlotModel, flowCost } from "../../src/core/slot-model.js";
import type { SlotInput } from "../../src/core/types.js";

const grid = { maxImportKw: 10, maxExportKw: 4 };

describe("settleSlot", () => {
  it("imports the net load plus what the battery charges", () => {
    const flows = settleSlot({ loadKwh: 1, pvKwh: 0.2, exportPricePerKwh: 0.05 }, 0.5, 0, grid, 0.5);
    expect(flows.importKwh).toBeCloseTo(1.3, 12);
    expect(flows.exportKwh).toBe(0);
    expect(flows.error).toBeUndefined();
  });

  it("exports a surplus and never imports in the same slot", () => {
    const flows = settleSlot({ loadKwh: 0.3, pvKwh: 1, exportPricePerKwh: 0.05 }, 0, 0.4, grid, 0.5);
    expect(flows.importKwh).toBe(0);
    expect(flows.exportKwh).toBeCloseTo(1.1, 12);
    expect(flows.curtailedKwh).toBeCloseTo(0, 12);
  });

  it("curtails PV beyond the export limit", () => {
    // 0.5 h at 4 kW: 2 kWh may leave; the surplus is 3 kWh, all of it PV.
    const flows = settleSlot({ loadKwh: 0, pvKwh: 3, exportPricePerKwh: 0.05 }, 0, 0, grid, 0.5);
    expect(flows.exportKwh).toBeCloseTo(2, 12);
    expect(flows.curtailedKwh).toBeCloseTo(1, 12);
    expect(flows.error).toBeUndefined();
  });

  it("flags a battery export over the limit, since only PV can be curtailed", () => {
    const flows = settleSlot({ loadKwh: 0, pvKwh: 0.5, exportPricePerKwh: 0.05 }, 0, 2.5, grid, 0.5);
    expect(flows.error).toMatch(/export/);
  });

  it("flags an import over the limit", () => {
    const flows = settleSlot({ loadKwh: 4, pvKwh: 0, exportPricePerKwh: 0 }, 2, 0, grid, 0.5);
    expect(flows.error).toMatch(/import/);
  });

  it("curtails PV instead of paying to export at a negative price", () => {
    const slot = { loadKwh: 0.2, pvKwh: 1.5, exportPricePerKwh: -0.1, importPricePerKwh: -0.05 };
    const flows = settleSlot(slot, 0, 0, grid, 0.5);
    expect(flows.exportKwh).toBe(0);
    expect(flows.curtailedKwh).toBeCloseTo(1.3, 12);
    expect(slotCost(slot, flows, 0, 0.02)).toBeCloseTo(0, 12);
  });

  it("still exports what the battery pushes out at a negative price, since only PV can be curtailed", () => {
    const slot = { loadKwh: 0.2, pvKwh: 0.5, exportPricePerKwh: -0.1, importPricePerKwh: 0.1 };
    const flows = settleSlot(slot, 0, 1, grid, 0.5);
    expect(flows.exportKwh).toBeCloseTo(0.8, 12);
    expect(flows.curtailedKwh).toBeCloseTo(0.5, 12);
    expect(slotCost(slot, flows, 1, 0.02)).toBeCloseTo(0.08 + 0.02, 12);
  });

  it("charges wear on discharge only", () => {
    const slot = { loadKwh: 1, pvKwh: 0, exportPricePerKwh: 0, importPricePerKwh: 0.3 };
    expect(slotCost(slot, settleSlot(slot, 0, 1, grid, 0.5), 1, 0.02)).toBeCloseTo(0.02, 12);
    expect(slotCost(slot, settleSlot(slot, 1, 0, grid, 0.5), 0, 0.02)).toBeCloseTo(0.6, 12);
  });
});

function slot(startMs: number, minutes: number, fields: Partial<SlotInput> = {}): SlotInput {
  return {
    startMs,
    endMs: startMs + minutes * 60_000,
    importPricePerKwh: 0.2,
    exportPricePerKwh: 0.05,
    loadKwh: 0.5,
    pvKwh: 0,
    ...fields,
  };
}

describe("slot durations", () => {
  it("uses each slot's own length for the grid limits (a DST day's slots are plain UTC slots)", () => {
    // 23 h of hourly UTC slots (a spring-forward local day): limits scale with the slot, not the clock.
    const start = Date.UTC(2025, 2, 30, 0);
    const slots = Array.from({ length: 23 }, (_, i) =>
      slot(start + i * 3_600_000, 60, { loadKwh: 0, pvKwh: 6 }),
    );
    const idle = idleCost({ slots, grid });
    // 4 kWh exported per hour at 0.05.
    expect(idle).toBeCloseTo(-23 * 4 * 0.05, 9);
  });

  it("scales a partly-over first slot's limits by its remaining length", () => {
    const partial = slot(0, 10, { loadKwh: 0, pvKwh: 2 });
    const m = buildSlotModel(
      [partial],
      {
        capacityKwh: 10,
        minSocKwh: 0,
        maxChargeKw: 6,
        maxDischargeKw: 6,
        chargeEfficiency: 1,
        dischargeEfficiency: 1,
        cycleCostPerKwh: 0,
      },
      grid,
      (s) => s.pvKwh,
    );
    expect(m.maxChargeKwh[0]).toBeCloseTo(1, 12);
    expect(m.maxExportKwh[0]).toBeCloseTo(4 / 6, 12);
  });
});

describe("flowCost (the optimiser's slot cost) agrees with settleSlot", () => {
  const battery = {
    capacityKwh: 10,
    minSocKwh: 0,
    maxChargeKw: 5,
    maxDischargeKw: 5,
    chargeEfficiency: 0.9,
    dischargeEfficiency: 0.9,
    cycleCostPerKwh: 0.03,
  };
  const cases: Partial<SlotInput>[] = [
    { loadKwh: 1, pvKwh: 0, importPricePerKwh: 0.3, exportPricePerKwh: 0.05 },
    { loadKwh: 0.2, pvKwh: 3, importPricePerKwh: 0.1, exportPricePerKwh: 0.15 },
    { loadKwh: 0.2, pvKwh: 3, importPricePerKwh: -0.1, exportPricePerKwh: -0.2 },
    { loadKwh: 0.5, pvKwh: 0.5, importPricePerKwh: 0.2, exportPricePerKwh: 0.25 },
  ];
  it.each(cases)("for %o at every flow", (fields) => {
    const s = slot(0, 30, fields);
    const m = buildSlotModel([s], battery, grid, (x) => x.pvKwh);
    for (let x = -2.5; x <= 2.5; x += 0.125) {
      const c = Math.max(0, x);
      const d = Math.max(0, -x);
      const flows = settleSlot(s, c, d, grid, 0.5);
      if (flows.error) continue;
      expect(flowCost(m, 0, x)).toBeCloseTo(slotCost(s, flows, d, battery.cycleCostPerKwh), 12);
    }
  });
});
