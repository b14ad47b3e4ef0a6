// What a simulated inverter must know about its own registers: how to lay them out, what the
// written setpoints tell the battery to do, and where to publish what it measured.
import type { RegisterBank, WriteEvent } from "./modbus-tcp-server.js";

export interface BatteryParams {
  capacityKwh: number;
  maxChargeW: number;
  maxDischargeW: number;
  reservePct: number;
}

/** What the device's setpoints ask of the battery: its AC power stays in [minW, maxW]. */
export interface Directive {
  mode: "self-use" | "charge" | "hold" | "export";
  minW: number;
  maxW: number;
  minSocPct: number;
  maxSocPct: number;
  /** Victron-style control: aim the grid meter at this (battery = pv − load + setpoint, in the window). */
  gridSetpointW?: number;
  /** Forced charge may not draw on the grid (SunSpec ChaGriSet = PV only). */
  pvOnly?: boolean;
  /** SolaX remote control: the battery runs at this + PV power (within the window). */
  activePowerW?: number;
}

export interface Flows {
  socPct: number;
  batteryW: number;
  pvW: number;
  gridW: number;
  loadW: number;
}

export interface DeviceWatchdog {
  /** Does this write restart the revert timer? */
  restarts(event: WriteEvent): boolean;
  /** Revert delay, from the device's registers (0: no revert). */
  revertAfterMs(banks: Map<number, RegisterBank>): number;
  revert(banks: Map<number, RegisterBank>): void;
}

export interface DeviceModel {
  unitId: number;
  banks: Map<number, RegisterBank>;
  /** Named addresses for tests (document names), per unit. */
  labels: Record<string, { unitId: number; address: number }>;
  directive(battery: BatteryParams): Directive;
  publish(flows: Flows): void;
  watchdog?: DeviceWatchdog;
}

export const toU16 = (value: number) => (Math.round(value) + 0x10000) & 0xffff;
export const fromS16 = (word: number) => (word >= 0x8000 ? word - 0x10000 : word);

export function setU32(table: Map<number, number>, address: number, value: number, lowFirst = false): void {
  const unsigned = Math.round(value) < 0 ? Math.round(value) + 0x100000000 : Math.round(value);
  const high = Math.floor(unsigned / 0x10000) & 0xffff;
  const low = unsigned & 0xffff;
  table.set(address, lowFirst ? low : high);
  table.set(address + 1, lowFirst ? high : low);
}

export function getS32(table: Map<number, number>, address: number, lowFirst = false): number {
  const a = table.get(address) ?? 0;
  const b = table.get(address + 1) ?? 0;
  const [high, low] = lowFirst ? [b, a] : [a, b];
  const unsigned = high * 0x10000 + low;
  return unsigned >= 0x80000000 ? unsigned - 0x100000000 : unsigned;
}
