// A Huawei SUN2000 with a LUNA2000 battery: everything in the holding table, 32-bit values high word
// first, meter power positive when exporting.

import { type BatteryParams, type DeviceModel, type Flows, getS32, setU32, toU16 } from "../device-model.js";
import { emptyBank } from "../modbus-tcp-server.js";

export const HUAWEI = {
  forcible_command: 47100,
  forcible_target_soc: 47101,
  forcible_setting_mode: 47246,
  forcible_charge_power: 47247,
  forcible_discharge_power: 47249,
  max_discharging_power: 47077,
  working_mode: 47086,
  battery_soc: 37760,
  battery_power: 37765,
  pv_power: 32064,
  meter_power: 37113,
} as const;

export function huaweiDevice(battery: BatteryParams, socPct: number): DeviceModel {
  const bank = emptyBank();
  const h = bank.holding;
  const writable = (from: number, to: number) => {
    for (let a = from; a <= to; a += 1) {
      h.set(a, 0);
      bank.writable.add(a);
    }
  };
  writable(47075, 47102);
  writable(47242, 47250);
  for (let a = 37760; a <= 37770; a += 1) h.set(a, 0);
  for (let a = 37100; a <= 37140; a += 1) h.set(a, 0);
  for (let a = 32060; a <= 32070; a += 1) h.set(a, 0);
  setU32(h, 47075, battery.maxChargeW);
  setU32(h, HUAWEI.max_discharging_power, battery.maxDischargeW);
  h.set(HUAWEI.working_mode, 2);
  h.set(HUAWEI.forcible_target_soc, 1000);
  h.set(HUAWEI.battery_soc, Math.round(socPct * 10));
  const labels: DeviceModel["labels"] = {};
  for (const [name, address] of Object.entries(HUAWEI)) labels[name] = { unitId: 1, address };
  return {
    unitId: 1,
    banks: new Map([[1, bank]]),
    labels,
    directive(params) {
      const maxDischarge = Math.min(params.maxDischargeW, getS32(h, HUAWEI.max_discharging_power));
      const target = (h.get(HUAWEI.forcible_target_soc) ?? 1000) / 10;
      const command = h.get(HUAWEI.forcible_command);
      const base = { minSocPct: params.reservePct, maxSocPct: 100 };
      if (command === 1) {
        const power = Math.min(params.maxChargeW, getS32(h, HUAWEI.forcible_charge_power));
        return { ...base, mode: "charge", minW: power, maxW: power, maxSocPct: target };
      }
      if (command === 2) {
        const power = Math.min(maxDischarge, getS32(h, HUAWEI.forcible_discharge_power));
        return {
          ...base,
          mode: "export",
          minW: -power,
          maxW: -power,
          minSocPct: Math.max(target, params.reservePct),
        };
      }
      return {
        ...base,
        mode: maxDischarge === 0 ? "hold" : "self-use",
        minW: -maxDischarge,
        maxW: params.maxChargeW,
      };
    },
    publish(flows: Flows) {
      h.set(HUAWEI.battery_soc, Math.round(flows.socPct * 10));
      setU32(h, HUAWEI.battery_power, flows.batteryW);
      setU32(h, HUAWEI.pv_power, flows.pvW);
      setU32(h, HUAWEI.meter_power, -flows.gridW);
      h.set(37770, toU16(0));
    },
  };
}
