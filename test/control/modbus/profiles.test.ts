import { describe, expect, it } from "vitest";
import { ModbusProfileError } from "../../../src/control/modbus/errors.js";
import { sungrowShProfile } from "../../../src/control/modbus/profiles/sungrow-sh.js";
import {
  listModbusProfiles,
  loadModbusProfile,
  parseModbusProfile,
} from "../../../src/control/modbus/profiles.js";
import { ConfigError } from "../../../src/errors.js";

describe("Modbus profiles", () => {
  it("lists the built-in profiles", () => {
    expect(listModbusProfiles().map((p) => p.name)).toEqual([
      "sunspec",
      "sungrow-sh",
      "victron-gx",
      "huawei-sun2000",
      "solax-gen4",
    ]);
  });

  it("validates every built-in profile", () => {
    for (const { name } of listModbusProfiles()) expect(loadModbusProfile(name).name).toBe(name);
  });

  it("rejects an unknown profile with a config error naming the option and the choices", () => {
    expect(() => loadModbusProfile("goodwe")).toThrow(ConfigError);
    expect(() => loadModbusProfile("goodwe")).toThrow(/control\.modbus\.profile.*sunspec/);
  });

  it("rejects a profile that writes a read-only register", () => {
    const broken = structuredClone(sungrowShProfile) as unknown as {
      modes: { charge: { writes: { register: string }[] } };
    };
    broken.modes.charge.writes[0] = { ...broken.modes.charge.writes[0], register: "battery_soc" };
    expect(() => parseModbusProfile(broken)).toThrow(ModbusProfileError);
    expect(() => parseModbusProfile(broken)).toThrow(/battery_soc' is not writable/);
  });

  it("rejects a profile that names a register it does not define", () => {
    const broken = structuredClone(sungrowShProfile) as unknown as { reads: { socPct: { add: string[] } } };
    broken.reads.socPct.add = ["soc_typo"];
    expect(() => parseModbusProfile(broken)).toThrow(/unknown register 'soc_typo'/);
  });
});
