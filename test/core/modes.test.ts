import { describe, expect, it } from "vitest";
import { commandFor, describeFlow, executeMode } from "../../src/core/modes.js";

const battery = {
  capacityKwh: 10,
  minSocKwh: 1,
  maxChargeKw: 4,
  maxDischargeKw: 4,
  chargeEfficiency: 0.9,
  dischargeEfficiency: 0.9,
  cycleCostPerKwh: 0,
};
const grid = { maxImportKw: 10, maxExportKw: 3 };
const evening = { loadKwh: 1.2, pvKwh: 0.2, exportPricePerKwh: 0.05 };
const sunny = { loadKwh: 0.3, pvKwh: 1.8, exportPricePerKwh: 0.05 };

describe("executeMode", () => {
  it("self-use covers the net load from the battery", () => {
    const out = executeMode({ mode: "self-use" }, evening, 5, battery, grid, 0.5);
    expect(out.dischargeKwh).toBeCloseTo(1, 12);
    expect(out.importKwh).toBeCloseTo(0, 12);
    expect(out.socKwh).toBeCloseTo(5 - 1 / 0.9, 12);
  });

  it("self-use stops at the reserve and imports the rest", () => {
    const out = executeMode({ mode: "self-use" }, evening, 1.5, battery, grid, 0.5);
    expect(out.dischargeKwh).toBeCloseTo(0.45, 12);
    expect(out.socKwh).toBeCloseTo(1, 12);
    expect(out.importKwh).toBeCloseTo(0.55, 12);
  });

  it("self-use stops at a target floor above the reserve", () => {
    const out = executeMode({ mode: "self-use", targetSocKwh: 4.8 }, evening, 5, battery, grid, 0.5);
    expect(out.socKwh).toBeCloseTo(4.8, 12);
    expect(out.importKwh).toBeCloseTo(1 - 0.2 * 0.9, 12);
  });

  it("self-use stores the PV surplus up to the power limit", () => {
    const out = executeMode({ mode: "self-use" }, sunny, 5, battery, grid, 0.25);
    expect(out.chargeKwh).toBeCloseTo(1, 12); // 4 kW for 15 min
    expect(out.exportKwh).toBeCloseTo(0.5, 12);
  });

  it("hold never discharges but still takes PV surplus", () => {
    expect(executeMode({ mode: "hold" }, evening, 5, battery, grid, 0.5).dischargeKwh).toBe(0);
    expect(executeMode({ mode: "hold" }, sunny, 5, battery, grid, 0.5).chargeKwh).toBeCloseTo(1.5, 12);
  });

  it("hold with a target takes PV only up to it and exports the rest", () => {
    const out = executeMode({ mode: "hold", targetSocKwh: 5.45 }, sunny, 5, battery, grid, 0.5);
    expect(out.chargeKwh).toBeCloseTo(0.5, 12);
    expect(out.exportKwh).toBeCloseTo(1, 12);
  });

  it("charge draws from the grid at the set power until the target", () => {
    const out = executeMode(
      { mode: "charge", targetSocKwh: 9, powerW: 3000 },
      evening,
      5,
      battery,
      grid,
      0.5,
    );
    expect(out.chargeKwh).toBeCloseTo(1.5, 12);
    expect(out.importKwh).toBeCloseTo(2.5, 12);
    const near = executeMode(
      { mode: "charge", targetSocKwh: 5.9, powerW: 3000 },
      evening,
      5,
      battery,
      grid,
      0.5,
    );
    expect(near.socKwh).toBeCloseTo(5.9, 12);
  });

  it("export discharges at the set power, house first, down to the target", () => {
    const out = executeMode(
      { mode: "export", targetSocKwh: 2, powerW: -4000 },
      evening,
      5,
      battery,
      grid,
      0.5,
    );
    expect(out.dischargeKwh).toBeCloseTo(2, 12);
    expect(out.exportKwh).toBeCloseTo(1, 12);
    const low = executeMode(
      { mode: "export", targetSocKwh: 4.5, powerW: 4000 },
      evening,
      5,
      battery,
      grid,
      0.5,
    );
    expect(low.socKwh).toBeCloseTo(4.5, 12);
  });

  it("export stays within the export limit", () => {
    const out = executeMode(
      { mode: "export", powerW: 8000 },
      { loadKwh: 0, pvKwh: 0, exportPricePerKwh: 0.3 },
      9,
      battery,
      grid,
      0.25,
    );
    expect(out.exportKwh).toBeCloseTo(0.75, 12);
    expect(out.error).toBeUndefined();
  });
});

describe("describeFlow", () => {
  it.each([
    ["self-use for the natural PV charge", sunny, 1.5, "self-use"],
    ["hold for part of the PV surplus", sunny, 0.5, "hold"],
    ["charge for grid energy", sunny, 2, "charge"],
    ["self-use for covering the load", evening, -1, "self-use"],
    ["self-use with a floor for part of the load", evening, -0.4, "self-use"],
    ["export beyond the load", evening, -1.8, "export"],
    ["hold for keeping the battery idle at night", evening, 0, "hold"],
    ["hold for exporting all PV", sunny, 0, "hold"],
  ] as const)("uses %s", (_, slot, flow, mode) => {
    const command = describeFlow(flow, slot, 5, battery, grid, 0.5);
    expect(command.mode).toBe(mode);
    const out = executeMode(command, slot, 5, battery, grid, 0.5);
    expect(out.chargeKwh - out.dischargeKwh).toBeCloseTo(flow, 9);
  });

  it("gives self-use and hold their natural limits unless the plan needs a tighter one", () => {
    expect(commandFor("self-use", -1, evening, 5, battery, grid, 0.5)?.targetSocKwh).toBe(1);
    expect(commandFor("self-use", -0.4, evening, 5, battery, grid, 0.5)?.targetSocKwh).toBeCloseTo(
      5 - 0.4 / 0.9,
      12,
    );
    expect(commandFor("hold", 0, evening, 5, battery, grid, 0.5)?.targetSocKwh).toBe(10);
    expect(commandFor("hold", 0, sunny, 5, battery, grid, 0.5)?.targetSocKwh).toBe(5);
  });

  it("lets a full self-use slot follow a higher real load down to the reserve", () => {
    const command = commandFor("self-use", -1, evening, 5, battery, grid, 0.5)!;
    const out = executeMode(command, { ...evening, loadKwh: 2.2 }, 5, battery, grid, 0.5);
    expect(out.dischargeKwh).toBeCloseTo(2, 12);
  });

  it("says when a mode cannot produce a flow", () => {
    expect(commandFor("hold", -0.5, evening, 5, battery, grid, 0.5)).toBeUndefined();
    expect(commandFor("self-use", 0.5, sunny, 5, battery, grid, 0.5)).toBeUndefined();
  });
});
