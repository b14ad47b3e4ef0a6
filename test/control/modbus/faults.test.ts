// Real-world faults, over real Modbus TCP on loopback: writes that do not stick, dropped
// connections, one-client devices, exception responses, silent devices and reverting watchdogs.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createModbusController, type ModbusController } from "../../../src/control/modbus/controller.js";
import {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusProfileError,
  ModbusWriteNotAppliedError,
} from "../../../src/control/modbus/errors.js";
import { ControlError } from "../../../src/errors.js";
import type { FakeInverter } from "../../../src/sim/modbus/fake-inverter.js";
import { deviceAndController, manualClock } from "./helpers.js";

let fake: FakeInverter | undefined;
let controller: ModbusController | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await controller?.close();
  await fake?.close();
  fake = undefined;
  controller = undefined;
});

async function start(...args: Parameters<typeof deviceAndController>) {
  ({ fake, controller } = await deviceAndController(...args));
  return { fake, controller };
}

describe("a device that acknowledges a write but does not apply it", () => {
  it("retries, then fails naming the register that did not stick", async () => {
    const { fake: f, controller: c } = await start({ profile: "sungrow-sh" }, { retries: 2 });
    f.ignoreWrites("ems_mode");
    const error = await c.apply({ mode: "charge", powerW: 3000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModbusWriteNotAppliedError);
    expect(error).toBeInstanceOf(ControlError);
    expect((error as ModbusWriteNotAppliedError).mismatches.map((m) => m.register)).toEqual(["ems_mode"]);
    expect((error as Error).message).toMatch(/'ems_mode' \(unit 1, address 13049\): wrote 2, read back 0/);
    expect((error as ModbusWriteNotAppliedError).report.mismatches).toEqual([
      "ems_mode: wrote 2, read back 0",
    ]);
    // First write plus two retries.
    expect(f.writes.filter((w) => w.address === 13049)).toHaveLength(3);
  });
});

describe("connection faults", () => {
  it("reconnects after the device drops the connection", async () => {
    const { fake: f, controller: c } = await start({ profile: "huawei-sun2000" });
    await c.readState();
    f.dropConnections();
    await expect(c.apply({ mode: "hold" })).resolves.toMatchObject({ verified: true });
    expect(f.server.connectionCount).toBe(2);
  });

  it("keeps one request in flight even when asked for several things at once", async () => {
    const { fake: f, controller: c } = await start({ profile: "huawei-sun2000" });
    f.faults.replyDelayMs = 5;
    await Promise.all([c.readState(), c.apply({ mode: "hold" }), c.readRegisters(), c.readState()]);
    expect(f.server.maxInFlight).toBe(1);
  });

  it("uses a single connection for all its requests", async () => {
    const { fake: f, controller: c } = await start({ profile: "victron-gx" }, {});
    await c.apply({ mode: "charge", powerW: 1000 });
    await c.readState();
    await c.apply({ mode: "self-use" });
    expect(f.server.connectionCount).toBe(1);
  });

  it("reports a busy one-client device as retryable and works once the other client leaves", async () => {
    const { fake: f, controller: c } = await start({ profile: "sungrow-sh", maxClients: 1 });
    const other = connect(f.port, f.host);
    sockets.push(other);
    await vi.waitFor(() => expect(f.server.openConnections).toBe(1));
    const error = await c.readState().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModbusConnectionError);
    expect((error as ModbusConnectionError).retryable).toBe(true);
    other.destroy();
    await vi.waitFor(() => expect(f.server.openConnections).toBe(0));
    await expect(c.readState()).resolves.toMatchObject({ socPct: 50 });
  });

  it("times out on a device that never answers", async () => {
    const { fake: f, controller: c } = await start({ profile: "sungrow-sh" }, { timeoutMs: 200 });
    f.faults.silent = true;
    await expect(c.readState()).rejects.toBeInstanceOf(ModbusConnectionError);
    expect(c.connected).toBe(false);
    f.faults.silent = false;
    await expect(c.readState()).resolves.toMatchObject({ socPct: 50 });
    expect(c.connected).toBe(true);
  });
});

describe("exception responses", () => {
  it("turn into a typed error with the code, and the link keeps working", async () => {
    const { fake: f, controller: c } = await start({ profile: "sungrow-sh" });
    f.failWith("ems_mode", 4);
    const error = await c.apply({ mode: "hold" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModbusExceptionError);
    expect((error as ModbusExceptionError).exceptionCode).toBe(4);
    expect((error as Error).message).toMatch(/server device failure/);
    f.faults.exceptions.clear();
    await expect(c.apply({ mode: "hold" })).resolves.toMatchObject({ verified: true });
  });

  it("names a wrong unit id through the gateway's exception", async () => {
    const { controller: c } = await start({ profile: "victron-gx" }, { unitId: 1 });
    const error = await c.readState().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModbusExceptionError);
    expect((error as ModbusExceptionError).exceptionCode).toBe(11);
    expect((error as ModbusExceptionError).retryable).toBe(true);
  });
});

describe("values a device does not have", () => {
  it("refuses to report a SOC the device marks as not implemented", async () => {
    const { fake: f, controller: c } = await start({ profile: "sunspec" });
    const { address } = f.address("ChaState");
    f.setHolding(address, 0xffff);
    await expect(c.readState()).rejects.toBeInstanceOf(ModbusProfileError);
  });

  it("still reports the SOC when the grid meter is missing", async () => {
    const { fake: f, controller: c } = await start({ profile: "sunspec" });
    f.server.banks.delete(200);
    const state = await c.readState();
    expect(state.socPct).toBe(50);
    expect(state.gridPowerW).toBeUndefined();
  });
});

describe("watchdog setpoints (SunSpec revert timer)", () => {
  it("repairs setpoints the device reverted", async () => {
    const clock = manualClock();
    const { fake: f, controller: c } = await start({ profile: "sunspec" }, { clock });
    await c.apply({ mode: "charge", powerW: 3000 });
    f.advanceMs(900_000);
    expect(f.state.reverts).toBe(1);
    expect(f.holding("StorCtl_Mod")).toBe(0);
    clock.advance(c.refreshIntervalMs ?? 0);
    await vi.waitFor(() => expect(f.holding("StorCtl_Mod")).toBe(3));
    expect(f.holding("InWRte")).toBe(6000);
  });

  it("rewrites the rates before the device reverts them", async () => {
    const clock = manualClock();
    const { fake: f, controller: c } = await start({ profile: "sunspec" }, { clock });
    await c.apply({ mode: "export", powerW: 2000 });
    const writes = f.writes.length;
    for (let i = 0; i < 6; i += 1) {
      // The next refresh is armed when the previous one has read back, a little after its writes.
      await vi.waitFor(() => expect(clock.pending()).toBe(1));
      f.advanceMs(c.refreshIntervalMs ?? 0);
      const before = f.writes.length;
      clock.advance(c.refreshIntervalMs ?? 0);
      await vi.waitFor(() => expect(f.writes.length).toBeGreaterThan(before));
    }
    expect(f.writes.length).toBeGreaterThan(writes);
    expect(f.state.reverts).toBe(0);
    expect(f.holding("StorCtl_Mod")).toBe(3);
  });

  it("stops refreshing once back in self-use", async () => {
    const clock = manualClock();
    const { controller: c } = await start({ profile: "sunspec" }, { clock });
    await c.apply({ mode: "hold" });
    expect(clock.pending()).toBe(1);
    await c.restoreSelfUse();
    expect(clock.pending()).toBe(0);
  });
});

describe("limits", () => {
  it("writes a reserve changed at runtime on the next apply", async () => {
    const { fake: f, controller: c } = await start({ profile: "sungrow-sh" });
    await c.apply({ mode: "hold" });
    c.updateLimits({ reservePct: 25 });
    await c.apply({ mode: "hold" });
    expect(f.holding(13058)).toBe(250);
  });

  it("clamps power to the battery's limit and the export target to the reserve", async () => {
    const { fake: f, controller: c } = await start({ profile: "sungrow-sh" });
    const report = await c.apply({ mode: "export", powerW: 99_000, targetSocPct: 2 });
    expect(report.command).toEqual({ mode: "export", powerW: 5000, targetSocPct: 10 });
    expect(f.holding(13051)).toBe(5000);
    expect(f.holding(13058)).toBe(100);
  });
});

describe("Modbus RTU", () => {
  it("reports a serial device that does not exist as a connection error", async () => {
    const rtu = createModbusController({
      profile: "sungrow-sh",
      serial_port: "/dev/battery-planner-no-such-tty",
      timeout_ms: 500,
      gap_ms: 0,
      limits: { maxChargeW: 5000, maxDischargeW: 5000, reservePct: 10 },
    });
    try {
      const error = await rtu.readState().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModbusConnectionError);
      expect((error as Error).message).toMatch(/battery-planner-no-such-tty/);
    } finally {
      await rtu.close();
    }
  });
});

describe("SolaX remote control block", () => {
  it("takes the live PV off the active power", async () => {
    const { fake: f, controller: c } = await start({ profile: "solax-gen4" });
    f.step(0.1, 0, 2);
    await c.apply({ mode: "charge", powerW: 3000 });
    expect(f.holding("rc_active_power")).toBe(1000);
    expect(f.writes.filter((w) => w.address === 0x7c).map((w) => w.values.length)).toEqual([13]);
  });

  it("re-sends the block before its duration runs out, with PV recomputed", async () => {
    const clock = manualClock();
    const { fake: f, controller: c } = await start({ profile: "solax-gen4" }, { clock });
    await c.apply({ mode: "export", powerW: 2000 });
    f.step(0.01, 0, 1);
    f.advanceMs(c.refreshIntervalMs ?? 0);
    clock.advance(c.refreshIntervalMs ?? 0);
    await vi.waitFor(() => expect(f.writes.filter((w) => w.address === 0x7c)).toHaveLength(2));
    // −2000 W battery with 1 kW of PV: active power −3000 W.
    expect(f.holding("rc_active_power")).toBe(0x10000 - 3000);
    f.advanceMs(100_000);
    expect(f.state.reverts).toBe(0);
    expect(f.holding("rc_mode")).toBe(1);
  });

  it("falls back to the inverter's own mode when nobody re-sends", async () => {
    const { fake: f, controller: c } = await start({ profile: "solax-gen4" });
    await c.apply({ mode: "hold" });
    await c.close();
    f.advanceMs(120_000);
    expect(f.holding("rc_mode")).toBe(0);
  });
});
