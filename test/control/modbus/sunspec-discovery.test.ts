import { afterEach, describe, expect, it } from "vitest";
import { createModbusLink, type ModbusLink } from "../../../src/control/modbus/client.js";
import { ModbusProfileError } from "../../../src/control/modbus/errors.js";
import { discoverSunSpec } from "../../../src/control/modbus/sunspec-discovery.js";
import { type FakeInverter, startFakeInverter } from "../../../src/sim/modbus/fake-inverter.js";
import { deviceAndController } from "./helpers.js";

let fake: FakeInverter | undefined;
let link: ModbusLink | undefined;
afterEach(async () => {
  await link?.close();
  await fake?.close();
  link = undefined;
  fake = undefined;
});

async function linkTo(sunspecBase: number) {
  fake = await startFakeInverter({ profile: "sunspec", sunspecBase });
  link = createModbusLink({ host: fake.host, port: fake.port, timeoutMs: 5000, gapMs: 0 });
  return { fake, link };
}

describe("SunSpec discovery", () => {
  it.each([40000, 0, 50000])("finds the SunS marker at %i and walks to model 124", async (base) => {
    const { link: l } = await linkTo(base);
    const map = await discoverSunSpec(l, 1);
    expect(map.base).toBe(base);
    expect([...map.models.keys()]).toEqual([1, 103, 160, 124]);
    expect(map.models.get(124)).toBe(base + 2 + 68 + 52 + 90 + 2);
  });

  it("says so when a device has no SunSpec marker", async () => {
    fake = await startFakeInverter({ profile: "sungrow-sh" });
    link = createModbusLink({ host: fake.host, port: fake.port, timeoutMs: 5000, gapMs: 0 });
    await expect(discoverSunSpec(link, 1)).rejects.toThrow(ModbusProfileError);
    await expect(discoverSunSpec(link, 1)).rejects.toThrow(/no SunSpec marker/);
  });

  it("applies through a device whose map starts at 50000", async () => {
    const { fake: f, controller } = await deviceAndController({ profile: "sunspec", sunspecBase: 50000 });
    fake = f;
    try {
      await controller.apply({ mode: "charge", powerW: 2500 });
      expect(f.holding("InWRte")).toBe(5000);
    } finally {
      await controller.close();
    }
  });
});
