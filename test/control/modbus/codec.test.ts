import { describe, expect, it } from "vitest";
import { decodeRaw, encodeRaw } from "../../../src/control/modbus/codec.js";

describe("register codec", () => {
  it("puts the high word first for high-first 32-bit values", () => {
    expect(encodeRaw(0x12345678, "u32", "high-first")).toEqual([0x1234, 0x5678]);
  });

  it("puts the low word first for low-first 32-bit values (Sungrow)", () => {
    expect(encodeRaw(0x12345678, "u32", "low-first")).toEqual([0x5678, 0x1234]);
    expect(decodeRaw([0x5678, 0x1234], "u32", "low-first")).toBe(0x12345678);
  });

  it("round-trips negative signed values", () => {
    expect(decodeRaw(encodeRaw(-2000, "s32", "high-first"), "s32", "high-first")).toBe(-2000);
    expect(decodeRaw(encodeRaw(-6000, "s16", "high-first"), "s16", "high-first")).toBe(-6000);
    expect(encodeRaw(-1, "s16", "high-first")).toEqual([0xffff]);
  });

  it("reads an unsigned register as unsigned", () => {
    expect(decodeRaw([0xffff], "u16", "high-first")).toBe(65535);
  });
});
