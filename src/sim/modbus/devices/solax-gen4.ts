// A SolaX Gen4 hybrid with remote control mode 1: the block at 0x7C holds for `duration` seconds
// after it was written, then the inverter falls back to its own mode. While it holds, the battery
// runs at active power + PV. Live values are input registers; 32-bit values low word first.

import { type BatteryParams, type DeviceModel, type Flows, getS32, setU32, toU16 } from "../device-model.js";
import { emptyBank } from "../modbus-tcp-server.js";

export const SOLAX = {
  rc_mode: 0x7c,
  rc_set_type: 0x7d,
  rc_active_power: 0x7e,
  rc_duration: 0x82,
  rc_timeout: 0x88,
  pv1_power: 0x0a,
  pv2_power: 0x0b,
  battery_power: 0x16,
  battery_soc: 0x1c,
  feedin_power: 0x46,
} as const;

export function solaxDevice(_battery: BatteryParams, socPct: number): DeviceModel {
  const bank = emptyBank();
  const h = bank.holding;
  for (let a = 0x7c; a <= 0x88; a += 1) {
    h.set(a, 0);
    bank.writable.add(a);
  }
  for (let a = 0x00; a <= 0x50; a += 1) bank.input.set(a, 0);
  bank.input.set(SOLAX.battery_soc, Math.round(socPct));
  const labels: DeviceModel["labels"] = {};
  for (const [name, address] of Object.entries(SOLAX)) labels[name] = { unitId: 1, address };
  return {
    unitId: 1,
    banks: new Map([[1, bank]]),
    labels,
    directive(params) {
      const base = { minSocPct: params.reservePct, maxSocPct: 100 };
      if (h.get(SOLAX.rc_mode) !== 1) {
        return { ...base, mode: "self-use", minW: -params.maxDischargeW, maxW: params.maxChargeW };
      }
      const active = getS32(h, SOLAX.rc_active_power, true);
      return {
        ...base,
        mode: "hold",
        minW: -params.maxDischargeW,
        maxW: params.maxChargeW,
        activePowerW: active,
      };
    },
    publish(flows: Flows) {
      bank.input.set(SOLAX.battery_soc, Math.round(flows.socPct));
      bank.input.set(SOLAX.battery_power, toU16(flows.batteryW));
      bank.input.set(SOLAX.pv1_power, Math.round(Math.max(0, flows.pvW) / 2));
      bank.input.set(
        SOLAX.pv2_power,
        Math.round(Math.max(0, flows.pvW) - Math.round(Math.max(0, flows.pvW) / 2)),
      );
      setU32(bank.input, SOLAX.feedin_power, -flows.gridW, true);
    },
    watchdog: {
      restarts: (event) =>
        event.address <= SOLAX.rc_mode && SOLAX.rc_mode < event.address + event.values.length,
      revertAfterMs: () => (h.get(SOLAX.rc_mode) === 1 ? (h.get(SOLAX.rc_duration) ?? 0) * 1000 : 0),
      revert: () => {
        h.set(SOLAX.rc_mode, 0);
      },
    },
  };
}
