// A Victron GX with ESS: settings and system values on unit 100, a VE.Bus device on 227; any other
// unit id is answered with exception 11 (gateway target failed), as the GX does.

import { type BatteryParams, type DeviceModel, type Flows, fromS16, getS32, toU16 } from "../device-model.js";
import { emptyBank } from "../modbus-tcp-server.js";

export const VICTRON = {
  grid_setpoint: 2716,
  max_discharge_power: 2704,
  min_soc: 2901,
  battery_power: 842,
  battery_soc: 843,
  pv_dc: 850,
  pv_ac_out_l1: 808,
  grid_l1: 820,
} as const;

export function victronDevice(battery: BatteryParams, socPct: number): DeviceModel {
  const system = emptyBank();
  const vebus = emptyBank();
  const h = system.holding;
  for (let a = 800; a <= 860; a += 1) h.set(a, 0);
  for (let a = 2700; a <= 2720; a += 1) {
    h.set(a, 0);
    system.writable.add(a);
  }
  for (let a = 2900; a <= 2903; a += 1) {
    h.set(a, 0);
    system.writable.add(a);
  }
  h.set(VICTRON.max_discharge_power, 0xffff);
  h.set(VICTRON.min_soc, Math.round(battery.reservePct * 10));
  h.set(2902, 1);
  h.set(VICTRON.battery_soc, Math.round(socPct));
  for (let a = 0; a <= 60; a += 1) vebus.holding.set(a, 0);
  const labels: DeviceModel["labels"] = {};
  for (const [name, address] of Object.entries(VICTRON)) labels[name] = { unitId: 100, address };
  return {
    unitId: 100,
    banks: new Map([
      [100, system],
      [227, vebus],
    ]),
    labels,
    directive(params) {
      const setpoint = getS32(h, VICTRON.grid_setpoint);
      const limitRaw = fromS16(h.get(VICTRON.max_discharge_power) ?? 0);
      const maxDischarge =
        limitRaw < 0 ? params.maxDischargeW : Math.min(params.maxDischargeW, limitRaw * 10);
      const mode =
        setpoint > 0 ? "charge" : setpoint < 0 ? "export" : maxDischarge === 0 ? "hold" : "self-use";
      return {
        mode,
        minW: -maxDischarge,
        maxW: params.maxChargeW,
        minSocPct: (h.get(VICTRON.min_soc) ?? 0) / 10,
        maxSocPct: 100,
        gridSetpointW: setpoint,
      };
    },
    publish(flows: Flows) {
      h.set(VICTRON.battery_soc, Math.round(flows.socPct));
      h.set(VICTRON.battery_power, toU16(flows.batteryW));
      h.set(VICTRON.pv_dc, Math.round(Math.max(0, flows.pvW)));
      const third = Math.trunc(flows.gridW / 3);
      h.set(VICTRON.grid_l1, toU16(third));
      h.set(VICTRON.grid_l1 + 1, toU16(third));
      h.set(VICTRON.grid_l1 + 2, toU16(flows.gridW - 2 * third));
    },
  };
}
