import { afterEach, describe, expect, it } from "vitest";
import { createModbusLink, type ModbusLink } from "../../../src/control/modbus/client.js";
import { ModbusProfileError, ModbusWriteRefusedError } from "../../../src/control/modbus/errors.js";
import { loadModbusProfile } from "../../../src/control/modbus/profiles.js";
import { RegisterMap } from "../../../src/control/modbus/register-map.js";
import { type FakeInverter, startFakeInverter } from "../../../src/sim/modbus/fake-inverter.js";

let fake: FakeInverter | undefined;
let link: ModbusLink | undefined;
afterEach(async () => {
  await link?.close();
  await fake?.close();
});

async function mapFor(profile: "sungrow-sh" | "sunspec") {
  fake = await startFakeInverter({ profile });
  link = createModbusLink({ host: fake.host, port: fake.port, timeoutMs: 5000, gapMs: 0 });
  return new RegisterMap(loadModbusProfile(profile), link, 1);
}

describe("only the profile's writable registers can be written", () => {
  it("refuses a read-only register before anything is sent", async () => {
    const map = await mapFor("sungrow-sh");
    await expect(map.writeRaw("battery_soc", 500)).rejects.toBeInstanceOf(ModbusWriteRefusedError);
    expect(fake?.writes).toEqual([]);
  });

  it("refuses a register the profile does not declare", async () => {
    const map = await mapFor("sungrow-sh");
    await expect(map.writeRaw("lock_password", 2014)).rejects.toBeInstanceOf(ModbusProfileError);
    expect(fake?.writes).toEqual([]);
  });

  it("refuses a raw value outside the register's type", async () => {
    const map = await mapFor("sungrow-sh");
    await expect(map.writeRaw("charge_power", 70_000)).rejects.toBeInstanceOf(ModbusWriteRefusedError);
    expect(fake?.writes).toEqual([]);
  });
});

describe("scaling", () => {
  it("applies SunSpec scale factors on reads and on writes", async () => {
    const map = await mapFor("sunspec");
    // WChaMax raw 500 with WChaMax_SF = 1; ChaState raw 500 with ChaState_SF = -1.
    expect(await map.readValue("WChaMax")).toBe(5000);
    expect(await map.readValue("ChaState")).toBe(50);
    // InOutWRte_SF = -2: 37.5 % is raw 3750; the register's bounds clamp 150 % to 100 %.
    expect(await map.toRaw("InWRte", 37.5)).toBe(3750);
    expect(await map.toRaw("InWRte", 150)).toBe(10000);
  });
});
