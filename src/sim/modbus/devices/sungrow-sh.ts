// A Sungrow SH hybrid: EMS registers in the holding table (protocol addresses 13049…13058), live
// values in the input table, 32-bit values low word first. What the EMS registers do is the
// device's behaviour as Sungrow's register document and mkaiser's Sungrow SHx Modbus configuration
// describe it: forced mode with command "stop" is "battery bypass" — the battery neither charges
// nor discharges, PV feeds the house and the grid; self-consumption mode charges from PV surplus
// and discharges for the load, each within the battery's max charge/discharge power (33046/33047,
// 0.01 kW per unit, 10 W at the least).

import { type BatteryParams, type DeviceModel, type Flows, setU32 } from "../device-model.js";
import { emptyBank } from "../modbus-tcp-server.js";

export const SUNGROW = {
  ems_mode: 13049,
  charge_command: 13050,
  charge_power: 13051,
  max_soc: 13057,
  min_soc: 13058,
  max_charge_power: 33046,
  max_discharge_power: 33047,
  export_power: 13009,
  battery_power: 13021,
  battery_soc: 13022,
  pv_power: 5016,
  running_state: 13000,
} as const;

export function sungrowDevice(battery: BatteryParams, socPct: number): DeviceModel {
  const bank = emptyBank();
  const h = bank.holding;
  for (let a = 13049; a <= 13058; a += 1) {
    h.set(a, 0);
    bank.writable.add(a);
  }
  h.set(SUNGROW.charge_command, 0xcc);
  h.set(SUNGROW.max_soc, 1000);
  h.set(SUNGROW.min_soc, Math.round(battery.reservePct * 10));
  for (const [address, w] of [
    [SUNGROW.max_charge_power, battery.maxChargeW],
    [SUNGROW.max_discharge_power, battery.maxDischargeW],
  ] as const) {
    h.set(address, Math.round(w / 10));
    bank.writable.add(address);
  }
  for (let a = 13000; a <= 13030; a += 1) bank.input.set(a, 0);
  for (let a = 5000; a <= 5020; a += 1) bank.input.set(a, 0);
  bank.input.set(SUNGROW.battery_soc, Math.round(socPct * 10));
  const labels: DeviceModel["labels"] = {};
  for (const [name, address] of Object.entries(SUNGROW)) labels[name] = { unitId: 1, address };
  return {
    unitId: 1,
    banks: new Map([[1, bank]]),
    labels,
    directive(params) {
      const power = Math.min(
        h.get(SUNGROW.charge_power) ?? 0,
        Math.max(params.maxChargeW, params.maxDischargeW),
      );
      const minSocPct = (h.get(SUNGROW.min_soc) ?? 0) / 10;
      const maxSocPct = (h.get(SUNGROW.max_soc) ?? 1000) / 10;
      const base = { minSocPct, maxSocPct };
      // The battery's own limits (10 W units) cap it in every mode.
      const chargeLimitW = Math.min(params.maxChargeW, (h.get(SUNGROW.max_charge_power) ?? 0) * 10);
      const dischargeLimitW = Math.min(params.maxDischargeW, (h.get(SUNGROW.max_discharge_power) ?? 0) * 10);
      if (h.get(SUNGROW.ems_mode) !== 2) {
        // Self-consumption with discharge held at its 10 W floor is what a "hold" looks like here.
        const mode = dischargeLimitW <= 10 ? "hold" : "self-use";
        return { ...base, mode, minW: -dischargeLimitW, maxW: chargeLimitW };
      }
      switch (h.get(SUNGROW.charge_command)) {
        case 0xaa:
          return {
            ...base,
            mode: "charge",
            minW: Math.min(power, chargeLimitW),
            maxW: Math.min(power, chargeLimitW),
          };
        case 0xbb: {
          const w = Math.min(power, dischargeLimitW);
          return { ...base, mode: "export", minW: -w, maxW: -w };
        }
        default:
          // Forced stop: the battery is bypassed, PV surplus goes to the grid.
          return { ...base, mode: "hold", minW: 0, maxW: 0 };
      }
    },
    publish(flows: Flows) {
      bank.input.set(SUNGROW.battery_soc, Math.round(flows.socPct * 10));
      // Magnitude only; the direction is in the running state bits (0x2 charging, 0x4 discharging).
      bank.input.set(SUNGROW.battery_power, Math.round(Math.abs(flows.batteryW)));
      const state =
        (flows.pvW > 0 ? 0x1 : 0) | (flows.batteryW > 0 ? 0x2 : 0) | (flows.batteryW < 0 ? 0x4 : 0);
      bank.input.set(SUNGROW.running_state, state);
      setU32(bank.input, SUNGROW.pv_power, flows.pvW, true);
      setU32(bank.input, SUNGROW.export_power, -flows.gridW, true);
    },
  };
}
