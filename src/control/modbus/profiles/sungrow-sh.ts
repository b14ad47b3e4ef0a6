// Sungrow SH hybrids (SH-RT, SH-RS) through the inverter's Modbus TCP or the WiNet-S dongle.
// Addresses are protocol (0-based) addresses, one less than the numbers in Sungrow's document.
// 32-bit values are sent low word first. EMS mode 2 ("forced") obeys the charge/discharge command
// and power; mode 0 is the inverter's own self-consumption. Forced mode with "stop" is Sungrow's
// "battery bypass" (PV goes to the house and the grid, the battery neither charges nor discharges),
// so hold is self-consumption with the battery's max discharge power (33047, 0.01 kW units) at
// its documented minimum of 10 W: PV surplus still charges it, the house does not drain it. Every
// other mode puts the discharge limit back.
import type { ModbusProfileInput } from "../profile-schema.js";

const STOP = 0xcc;
const CHARGE = 0xaa;
const DISCHARGE = 0xbb;
/** The lowest max discharge power the register takes (Sungrow's document: 0.01 kW). */
const HOLD_DISCHARGE_W = 10;
const restoreDischarge = { register: "max_discharge_power", value: { from: "maxDischargeW" } } as const;

const holding = (address: number, description: string, extra: object = {}) => ({
  address,
  writable: true,
  description,
  ...extra,
});
const percent = { scale: 0.1, min: 0, max: 100 };

export const sungrowShProfile = {
  name: "sungrow-sh",
  title: "Sungrow SH hybrid (EMS forced mode)",
  description:
    "EMS mode 13049, command 13050, power 13051, SOC limits 13057/13058, max discharge power 33047",
  defaultUnitId: 1,
  registers: {
    ems_mode: holding(13049, "EMS mode: 0 self-consumption, 2 forced, 3 external EMS"),
    charge_command: holding(13050, "forced command: 0xAA charge, 0xBB discharge, 0xCC stop"),
    charge_power: holding(13051, "forced charge/discharge power (W)", { min: 0 }),
    max_soc: holding(13057, "maximum SOC (0.1 %)", percent),
    min_soc: holding(13058, "minimum SOC (0.1 %)", percent),
    max_discharge_power: holding(33047, "battery max discharge power (0.01 kW, at least 10 W)", {
      scale: 10,
      min: HOLD_DISCHARGE_W,
    }),
    battery_soc: { address: 13022, table: "input", scale: 0.1, description: "battery level (0.1 %)" },
    battery_power: {
      address: 13021,
      table: "input",
      description: "battery power magnitude (W); the direction is in running_state",
    },
    running_state: {
      address: 13000,
      table: "input",
      description: "running state bits: 0x2 battery charging, 0x4 battery discharging",
    },
    pv_power: {
      address: 5016,
      table: "input",
      type: "u32",
      wordOrder: "low-first",
      description: "total DC (PV) power (W)",
    },
    export_power: {
      address: 13009,
      table: "input",
      type: "s32",
      wordOrder: "low-first",
      description: "export power at the meter (W, + export)",
    },
  },
  reads: {
    socPct: { add: ["battery_soc"] },
    batteryPowerW: { add: ["battery_power"], negateWhen: { register: "running_state", mask: 0x4 } },
    pvPowerW: { add: ["pv_power"] },
    gridPowerW: { add: ["export_power"], factor: -1 },
  },
  modes: {
    "self-use": {
      writes: [
        { register: "max_soc", value: { const: 100 } },
        { register: "min_soc", value: { from: "reservePct" } },
        restoreDischarge,
        { register: "charge_command", value: { const: STOP } },
        { register: "ems_mode", value: { const: 0 } },
      ],
      match: [{ register: "ems_mode", equals: 0 }],
    },
    charge: {
      writes: [
        { register: "max_soc", value: { from: "targetSocPct" } },
        { register: "min_soc", value: { from: "reservePct" } },
        restoreDischarge,
        { register: "charge_power", value: { from: "powerW" } },
        { register: "charge_command", value: { const: CHARGE } },
        { register: "ems_mode", value: { const: 2 } },
      ],
      match: [
        { register: "ems_mode", equals: 2 },
        { register: "charge_command", equals: CHARGE },
      ],
      powerRegister: "charge_power",
    },
    hold: {
      writes: [
        // PV surplus fills the battery up to the plan's cap, then goes to the grid.
        { register: "max_soc", value: { from: "targetSocPct" } },
        { register: "min_soc", value: { from: "reservePct" } },
        { register: "max_discharge_power", value: { const: HOLD_DISCHARGE_W } },
        { register: "charge_command", value: { const: STOP } },
        { register: "ems_mode", value: { const: 0 } },
      ],
      match: [
        { register: "ems_mode", equals: 0 },
        { register: "max_discharge_power", below: HOLD_DISCHARGE_W + 1 },
      ],
    },
    export: {
      writes: [
        { register: "max_soc", value: { const: 100 } },
        { register: "min_soc", value: { from: "targetSocPct" } },
        restoreDischarge,
        { register: "charge_power", value: { from: "powerW" } },
        { register: "charge_command", value: { const: DISCHARGE } },
        { register: "ems_mode", value: { const: 2 } },
      ],
      match: [
        { register: "ems_mode", equals: 2 },
        { register: "charge_command", equals: DISCHARGE },
      ],
      powerRegister: "charge_power",
    },
  },
  notes: [
    "Hold is self-consumption with the max discharge power at 10 W: PV surplus still charges the battery.",
    "Charge and export stop at their target through the max/min SOC limits.",
  ],
} satisfies ModbusProfileInput;
