import { describe, expect, it } from "vitest";
import { readBattery } from "../../../src/ha/readers/battery.js";
import { parseInstant, parseNumber } from "../../../src/ha/states.js";
import { fixtureStates, utc } from "./helpers.js";

const states = fixtureStates("uk-octopus-solcast");
const SOC = "sensor.givtcp_ce2146g123_soc";
const POWER = "sensor.givtcp_ce2146g123_battery_power";

describe("parsing HA values", () => {
  it("accepts numbers and numeric strings only", () => {
    expect(parseNumber("12.5")).toBe(12.5);
    expect(parseNumber(" -3 ")).toBe(-3);
    expect(parseNumber(7)).toBe(7);
    for (const missing of [
      "unavailable",
      "unknown",
      "",
      "12 kWh",
      "NaN",
      "Infinity",
      null,
      undefined,
      {},
      Number.NaN,
    ]) {
      expect(parseNumber(missing)).toBeUndefined();
    }
  });

  it("reads instants with offsets, and without one in the given zone", () => {
    expect(parseInstant("2020-03-29T02:00:00+01:00")).toBe(utc("2020-03-29T01:00:00Z"));
    expect(parseInstant("2020-07-01 12:00:00", "Europe/London")).toBe(utc("2020-07-01T11:00:00Z"));
    expect(parseInstant("yesterday")).toBeUndefined();
  });
});

describe("battery reader", () => {
  it("reads SOC in % and power in W", () => {
    const { reading, warnings } = readBattery(SOC, POWER, states, 9.5, 1000);
    expect(warnings).toEqual([]);
    expect(reading).toEqual({ socPct: 62, powerW: -1250, readAtMs: 1000 });
  });

  it("converts a SOC in kWh with the capacity", () => {
    const { reading } = readBattery("sensor.givtcp_ce2146g123_soc_kwh", undefined, states, 9, 0);
    expect(reading?.socPct).toBeCloseTo(62, 6);
  });

  it("converts power in kW", () => {
    const kw = { ...states[POWER]!, state: "1.5", attributes: { unit_of_measurement: "kW" } };
    expect(readBattery(SOC, POWER, { ...states, [POWER]: kw }, 9.5, 0).reading?.powerW).toBe(1500);
  });

  it("has no reading when the SOC is unavailable or impossible, never 0 %", () => {
    for (const bad of ["unavailable", "unknown", "garbage", "180"]) {
      const broken = { ...states, [SOC]: { ...states[SOC]!, state: bad } };
      const { reading, warnings } = readBattery(SOC, undefined, broken, 9.5, 0);
      expect(reading).toBeUndefined();
      expect(warnings[0]).toContain(SOC);
    }
    expect(readBattery("sensor.nope", undefined, states, 9.5, 0).warnings[0]).toContain("not found");
  });

  it("keeps the SOC when only the power sensor is unavailable", () => {
    const broken = { ...states, [POWER]: { ...states[POWER]!, state: "unavailable" } };
    const { reading, warnings } = readBattery(SOC, POWER, broken, 9.5, 0);
    expect(reading).toEqual({ socPct: 62, readAtMs: 0 });
    expect(warnings[0]).toContain(POWER);
  });

  it("refuses the SOC states the HA-services controller used to accept, and unknown units", () => {
    for (const [bad, unit] of [
      ["-5", "%"],
      ["150", "%"],
      ["100.6", "%"],
      ["0x32", "%"],
      ["  ", "%"],
      ["50", "V"],
    ] as const) {
      const broken = {
        ...states,
        [SOC]: { ...states[SOC]!, state: bad, attributes: { unit_of_measurement: unit } },
      };
      const { reading, warnings } = readBattery(SOC, undefined, broken, 9.5, 0);
      expect(reading, bad).toBeUndefined();
      expect(warnings[0]).toMatch(/SOC not usable: /);
    }
  });

  it("reads a Wh SOC sensor as a share of the capacity", () => {
    const wh = { ...states[SOC]!, state: "4750", attributes: { unit_of_measurement: "Wh" } };
    expect(readBattery(SOC, undefined, { ...states, [SOC]: wh }, 9.5, 0).reading?.socPct).toBeCloseTo(50, 6);
  });

  it("refuses a power reading in an unknown unit or beyond any home battery", () => {
    for (const [value, unit] of [
      ["3", "A"],
      ["1e9", "kW"],
      ["0x10", "W"],
    ] as const) {
      const odd = { ...states[POWER]!, state: value, attributes: { unit_of_measurement: unit } };
      const { reading, warnings } = readBattery(SOC, POWER, { ...states, [POWER]: odd }, 9.5, 0);
      expect(reading?.powerW).toBeUndefined();
      expect(warnings[0]).toContain(POWER);
    }
  });
});
