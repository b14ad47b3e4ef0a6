// Huawei SUN2000 with LUNA2000 battery, through the SDongle or the inverter's own Modbus TCP (unit
// 1). Forcible charge/discharge is set up by power, target SOC and setting mode (1 = stop at the
// target SOC), and started by the command register, which therefore is written last.
import type { ModbusProfileInput } from "../profile-schema.js";

const STOP = 0;
const FORCE_CHARGE = 1;
const FORCE_DISCHARGE = 2;
const MAXIMISE_SELF_CONSUMPTION = 2;

const w = (address: number, description: string) => ({
  address,
  type: "u32" as const,
  writable: true,
  min: 0,
  description,
});

export const huaweiSun2000Profile = {
  name: "huawei-sun2000",
  title: "Huawei SUN2000 + LUNA2000 (forcible charge/discharge)",
  description: "forcible charge/discharge 47100 with power 47247/47249, target SOC 47101, mode 47246",
  defaultUnitId: 1,
  // The SDongle and the inverter's own server drop requests sent right after connecting.
  connectDelayMs: 1000,
  registers: {
    working_mode: {
      address: 47086,
      writable: true,
      description: "storage working mode: 2 maximise self-consumption",
    },
    max_discharging_power: w(47077, "maximum discharging power (W)"),
    forcible_charge_power: w(47247, "forcible charge power (W)"),
    forcible_discharge_power: w(47249, "forcible discharge power (W)"),
    forcible_target_soc: {
      address: 47101,
      scale: 0.1,
      writable: true,
      min: 0,
      max: 100,
      description: "forcible charge/discharge target SOC (0.1 %)",
    },
    forcible_setting_mode: { address: 47246, writable: true, description: "0 by duration, 1 to target SOC" },
    forcible_command: { address: 47100, writable: true, description: "0 stop, 1 charge, 2 discharge" },
    battery_soc: { address: 37760, scale: 0.1, description: "state of capacity (0.1 %)" },
    battery_power: { address: 37765, type: "s32", description: "charge/discharge power (W, + charging)" },
    pv_power: { address: 32064, type: "s32", description: "input (PV) power (W)" },
    meter_power: { address: 37113, type: "s32", description: "meter active power (W, + export)" },
  },
  reads: {
    socPct: { add: ["battery_soc"] },
    batteryPowerW: { add: ["battery_power"] },
    pvPowerW: { add: ["pv_power"] },
    gridPowerW: { add: ["meter_power"], factor: -1 },
  },
  modes: {
    "self-use": {
      writes: [
        { register: "working_mode", value: { const: MAXIMISE_SELF_CONSUMPTION } },
        { register: "max_discharging_power", value: { from: "maxDischargeW" } },
        { register: "forcible_command", value: { const: STOP } },
      ],
      match: [{ register: "forcible_command", equals: STOP }],
    },
    charge: {
      writes: [
        { register: "working_mode", value: { const: MAXIMISE_SELF_CONSUMPTION } },
        { register: "max_discharging_power", value: { from: "maxDischargeW" } },
        { register: "forcible_charge_power", value: { from: "powerW" } },
        { register: "forcible_target_soc", value: { from: "targetSocPct" } },
        { register: "forcible_setting_mode", value: { const: 1 } },
        { register: "forcible_command", value: { const: FORCE_CHARGE } },
      ],
      match: [{ register: "forcible_command", equals: FORCE_CHARGE }],
      powerRegister: "forcible_charge_power",
    },
    hold: {
      writes: [
        { register: "working_mode", value: { const: MAXIMISE_SELF_CONSUMPTION } },
        { register: "max_discharging_power", value: { const: 0 } },
        { register: "forcible_command", value: { const: STOP } },
      ],
      match: [
        { register: "forcible_command", equals: STOP },
        { register: "max_discharging_power", equals: 0 },
      ],
    },
    export: {
      writes: [
        { register: "working_mode", value: { const: MAXIMISE_SELF_CONSUMPTION } },
        { register: "max_discharging_power", value: { from: "maxDischargeW" } },
        { register: "forcible_discharge_power", value: { from: "powerW" } },
        { register: "forcible_target_soc", value: { from: "targetSocPct" } },
        { register: "forcible_setting_mode", value: { const: 1 } },
        { register: "forcible_command", value: { const: FORCE_DISCHARGE } },
      ],
      match: [{ register: "forcible_command", equals: FORCE_DISCHARGE }],
      powerRegister: "forcible_discharge_power",
    },
  },
  notes: ["Hold stops any forcible command and sets the maximum discharging power to 0."],
} satisfies ModbusProfileInput;
