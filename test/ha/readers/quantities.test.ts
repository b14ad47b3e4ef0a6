import { describe, expect, it } from "vitest";
import type { HaEntityState } from "../../../src/ha/client.js";
import {
  energyKwh,
  powerW,
  powerWFromState,
  pricePerKwh,
  priceUnitFactor,
  socPct,
  socPctFromState,
  strictNumber,
} from "../../../src/ha/quantities.js";

function sensor(state: string, unit?: string): HaEntityState {
  return {
    entity_id: "sensor.x",
    state,
    attributes: unit === undefined ? {} : { unit_of_measurement: unit },
    last_changed: "",
    last_updated: "",
    context: { id: "", parent_id: null, user_id: null },
  };
}

describe("strict numbers", () => {
  it("reads decimals with sign, fraction and exponent", () => {
    expect(strictNumber("12.5")).toEqual({ ok: true, value: 12.5 });
    expect(strictNumber(" -3 ")).toEqual({ ok: true, value: -3 });
    expect(strictNumber("1.5e3")).toEqual({ ok: true, value: 1500 });
    expect(strictNumber(".5")).toEqual({ ok: true, value: 0.5 });
    expect(strictNumber(7)).toEqual({ ok: true, value: 7 });
  });

  it("rejects hex, blanks, NaN, Infinity and words, with the reason", () => {
    for (const bad of [
      "0x32",
      "  ",
      "",
      "NaN",
      "Infinity",
      "-Infinity",
      "1e999",
      "12 kWh",
      "1,5",
      "0b11",
      "5.",
    ]) {
      const parsed = strictNumber(bad);
      if (bad === "5.") expect(parsed.ok).toBe(true);
      else expect(parsed, bad).toMatchObject({ ok: false });
    }
    expect(strictNumber("  ")).toEqual({ ok: false, reason: "the value is blank" });
    expect(strictNumber("unavailable")).toEqual({ ok: false, reason: "the value is unavailable" });
    expect(strictNumber(Number.NaN)).toMatchObject({ ok: false });
    expect(strictNumber(null)).toMatchObject({ ok: false });
    expect(strictNumber(true)).toMatchObject({ ok: false });
  });
});

describe("state of charge", () => {
  it("rejects the states issue 9 found accepted by the controller", () => {
    for (const bad of ["-5", "150", "100.6", "0x32", "  "]) {
      expect(socPctFromState(sensor(bad, "%"), 9.5), bad).toMatchObject({ ok: false });
    }
  });

  it("reads a Wh or kWh sensor with the capacity, and refuses it without", () => {
    expect(socPct("5000", "Wh", 10)).toEqual({ ok: true, value: 50 });
    expect(socPct("5", "kWh", 10)).toEqual({ ok: true, value: 50 });
    expect(socPct("5000", "Wh", undefined)).toMatchObject({ ok: false });
    expect(socPct("15000", "Wh", 9.5)).toMatchObject({ ok: false, implausible: true });
  });

  it("clamps rounding overshoot and refuses unknown units", () => {
    expect(socPct("100.4", "%")).toEqual({ ok: true, value: 100 });
    expect(socPct("-0.3", undefined)).toEqual({ ok: true, value: 0 });
    expect(socPct("50", "V")).toMatchObject({ ok: false });
  });
});

describe("power, energy and prices", () => {
  it("converts power units and keeps the sign", () => {
    expect(powerW("1.5", "kW")).toEqual({ ok: true, value: 1500 });
    expect(powerWFromState(sensor("-1250", "W"))).toEqual({ ok: true, value: -1250 });
    expect(powerWFromState(sensor("300"))).toEqual({ ok: true, value: 300 });
    expect(powerW("3", "A")).toMatchObject({ ok: false });
    expect(powerW("1e9", "kW")).toMatchObject({ ok: false, implausible: true });
  });

  it("converts energy units", () => {
    expect(energyKwh("2500", "Wh")).toEqual({ ok: true, value: 2.5 });
    expect(energyKwh(2, "MWh")).toEqual({ ok: true, value: 2000 });
    expect(energyKwh("1", "J")).toMatchObject({ ok: false });
  });

  it("converts price units to the main currency per kWh", () => {
    expect(priceUnitFactor("GBP/kWh")).toBe(1);
    expect(priceUnitFactor("p/kWh")).toBeCloseTo(0.01);
    expect(priceUnitFactor("c/kWh")).toBeCloseTo(0.01);
    expect(priceUnitFactor("öre/kWh")).toBeCloseTo(0.01);
    expect(priceUnitFactor("€/MWh")).toBeCloseTo(0.001);
    expect(priceUnitFactor("EUR")).toBeUndefined();
    expect(pricePerKwh("250", "EUR/MWh")).toEqual({ ok: true, value: 0.25 });
    expect(pricePerKwh("25", "p/kWh")).toEqual({ ok: true, value: 0.25 });
    expect(pricePerKwh("0x19", "GBP/kWh")).toMatchObject({ ok: false });
  });
});
