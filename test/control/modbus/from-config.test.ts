import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { type ModbusController, modbusControllerFromConfig } from "../../../src/control/modbus/index.js";
import { ConfigError } from "../../../src/errors.js";
import { type FakeInverter, startFakeInverter } from "../../../src/sim/modbus/fake-inverter.js";

let fake: FakeInverter | undefined;
let controller: ModbusController | undefined;
afterEach(async () => {
  await controller?.close();
  await fake?.close();
});

function config(profile: string, port: number, host: string | null = "127.0.0.1") {
  return parseConfig({
    battery: { soc_entity: "sensor.battery_soc", capacity_kwh: 10, max_charge_kw: 3, max_discharge_kw: 4 },
    grid: { max_import_kw: 2, max_export_kw: 5 },
    import_tariff: { source: "fixed", default_price: 0.25 },
    control: { method: "modbus", modbus: { ...(host === null ? {} : { host }), port, profile, gap_ms: 0 } },
  });
}

describe("modbusControllerFromConfig", () => {
  it("clamps charge power to the battery's configured limit", async () => {
    fake = await startFakeInverter({ profile: "sungrow-sh" });
    controller = modbusControllerFromConfig(config("sungrow-sh", fake.port), { sleep: async () => {} });
    const report = await controller.apply({ mode: "charge", powerW: 9000 });
    expect(report.command.powerW).toBe(3000);
    expect(fake.holding(13051)).toBe(3000);
  });

  it("clamps a grid setpoint to the grid's import limit and finds the GX on its own unit id", async () => {
    fake = await startFakeInverter({ profile: "victron-gx" });
    controller = modbusControllerFromConfig(config("victron-gx", fake.port), { sleep: async () => {} });
    await controller.apply({ mode: "charge", powerW: 2800 });
    expect(fake.holding(2717, 100)).toBe(2000);
  });

  it("stops with a config error naming the option when no address is set", () => {
    expect(() => modbusControllerFromConfig(config("sunspec", 502, null))).toThrow(ConfigError);
    expect(() => modbusControllerFromConfig(config("sunspec", 502, null))).toThrow(/control\.modbus\.host/);
  });
});
