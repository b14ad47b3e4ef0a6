// Hold on a Sungrow SH, as the device does it: forced mode with "stop" bypasses the battery
// (Sungrow's register document; mkaiser's "Battery Bypass Mode" scene: PV feeds the house and the
// grid), so the profile holds with self-consumption and the max discharge power (33047) at its
// 10 W minimum — PV surplus still charges the battery (docs/architecture.md's hold), the house
// does not drain it, and self-use afterwards gets the full discharge power back.
import { afterEach, describe, expect, it } from "vitest";
import type { ModbusController } from "../../src/control/modbus/controller.js";
import type { FakeInverter } from "../../src/sim/modbus/fake-inverter.js";
import { deviceAndController } from "../control/modbus/helpers.js";

let fake: FakeInverter | undefined;
let controller: ModbusController | undefined;
afterEach(async () => {
  await controller?.close();
  await fake?.close();
  fake = undefined;
  controller = undefined;
});

describe("sungrow-sh hold on the simulated device", () => {
  it("stores PV surplus and does not discharge for the house", async () => {
    ({ fake, controller } = await deviceAndController({ profile: "sungrow-sh" }));
    await controller.apply({ mode: "hold" });
    const startSoc = fake.state.socPct;
    // An hour of 3 kW PV against 1 kW of load: 2 kW into the battery.
    const sunny = fake.step(1, 1, 3);
    expect(sunny.batteryW).toBeCloseTo(2000, 6);
    expect(sunny.socPct).toBeGreaterThan(startSoc);
    // An hour of load and no sun: at most the register's 10 W comes out; the grid covers the rest.
    const dark = fake.step(1, 2, 0);
    expect(dark.batteryW).toBeGreaterThanOrEqual(-10);
    expect(dark.gridW).toBeGreaterThanOrEqual(1990);
    expect((await controller.readState()).mode).toBe("hold");
  });

  it("fills the battery from PV only up to the hold's target, then exports", async () => {
    ({ fake, controller } = await deviceAndController({ profile: "sungrow-sh" }));
    await controller.apply({ mode: "hold", targetSocPct: 60 });
    expect(fake.holding(13057)).toBe(600);
    // 50 % of 10 kWh, 2 kW of surplus for an hour: 1 kWh fits below 60 %, the rest is exported.
    fake.step(1, 1, 3);
    expect(fake.state.socPct).toBeCloseTo(60, 6);
    expect(fake.step(0.5, 1, 3).gridW).toBe(-2000);
  });

  it("puts the full discharge power back for self-use", async () => {
    ({ fake, controller } = await deviceAndController({ profile: "sungrow-sh" }));
    await controller.apply({ mode: "hold" });
    await controller.apply({ mode: "self-use" });
    expect(fake.holding(33047)).toBe(500);
    expect(fake.step(0.5, 2, 0).batteryW).toBe(-2000);
    expect((await controller.readState()).mode).toBe("self-use");
  });

  it("models forced stop as the device's battery bypass: PV is not stored", async () => {
    ({ fake, controller } = await deviceAndController({ profile: "sungrow-sh" }));
    fake.setHolding(13049, 2);
    fake.setHolding(13050, 0xcc);
    const flows = fake.step(1, 1, 3);
    expect(flows.batteryW).toBe(0);
    expect(flows.gridW).toBe(-2000);
  });
});
