// Victron GX (Cerbo, Venus) with ESS, through the GX's Modbus TCP server. Settings and system values
// live on unit 100. The grid setpoint goes to 2716/2717 (int32), the volatile copy Victron recommends
// since Venus OS 3.50 for frequent writes: 2700/2703 persist to flash and to the VRM log on every
// write. The ESS loop then drives the Multi so the grid meter reads the setpoint, so "charge at P"
// is "import P from the grid" here (the house load comes on top).
import type { ModbusProfileInput } from "../profile-schema.js";

const NO_LIMIT = -1;

export const victronGxProfile = {
  name: "victron-gx",
  title: "Victron GX with ESS (grid setpoint)",
  description:
    "ESS grid setpoint 2716 (int32, volatile), max discharge power 2704, minimum SOC 2901; unit 100",
  defaultUnitId: 100,
  powerMeaning: "grid",
  registers: {
    grid_setpoint: {
      address: 2716,
      type: "s32",
      writable: true,
      description: "ESS grid setpoint (W, + import), volatile, Venus OS >= 3.50",
    },
    max_discharge_power: {
      address: 2704,
      type: "s16",
      scale: 10,
      writable: true,
      description: "ESS max inverter (discharge) power (raw × 10 W, -1 = no limit)",
    },
    min_soc: {
      address: 2901,
      scale: 0.1,
      writable: true,
      min: 0,
      max: 100,
      description: "ESS minimum SOC unless grid fails (0.1 %)",
    },
    battery_soc: { address: 843, description: "battery state of charge (system, %)" },
    battery_power: { address: 842, type: "s16", description: "battery power (system, W, + charging)" },
    pv_dc: { address: 850, description: "PV DC-coupled power (W)" },
    pv_ac_out_l1: { address: 808, description: "PV AC-coupled on output L1 (W)" },
    pv_ac_out_l2: { address: 809, description: "PV AC-coupled on output L2 (W)" },
    pv_ac_out_l3: { address: 810, description: "PV AC-coupled on output L3 (W)" },
    grid_l1: { address: 820, type: "s16", description: "grid L1 (W, + import)" },
    grid_l2: { address: 821, type: "s16", description: "grid L2 (W, + import)" },
    grid_l3: { address: 822, type: "s16", description: "grid L3 (W, + import)" },
  },
  reads: {
    socPct: { add: ["battery_soc"] },
    batteryPowerW: { add: ["battery_power"] },
    pvPowerW: { add: ["pv_dc", "pv_ac_out_l1", "pv_ac_out_l2", "pv_ac_out_l3"] },
    gridPowerW: { add: ["grid_l1", "grid_l2", "grid_l3"] },
  },
  modes: {
    "self-use": {
      writes: [
        { register: "min_soc", value: { from: "reservePct" } },
        { register: "max_discharge_power", value: { raw: NO_LIMIT } },
        { register: "grid_setpoint", value: { const: 0 } },
      ],
      match: [
        { register: "grid_setpoint", equals: 0 },
        { register: "max_discharge_power", below: 0 },
      ],
    },
    charge: {
      writes: [
        { register: "min_soc", value: { from: "reservePct" } },
        { register: "max_discharge_power", value: { raw: NO_LIMIT } },
        { register: "grid_setpoint", value: { from: "powerW" } },
      ],
      match: [{ register: "grid_setpoint", above: 0 }],
      powerRegister: "grid_setpoint",
    },
    hold: {
      writes: [
        { register: "min_soc", value: { from: "reservePct" } },
        { register: "max_discharge_power", value: { const: 0 } },
        { register: "grid_setpoint", value: { const: 0 } },
      ],
      match: [{ register: "max_discharge_power", equals: 0 }],
    },
    export: {
      writes: [
        { register: "min_soc", value: { from: "targetSocPct" } },
        { register: "max_discharge_power", value: { raw: NO_LIMIT } },
        { register: "grid_setpoint", value: { from: "powerW", factor: -1 } },
      ],
      match: [{ register: "grid_setpoint", below: 0 }],
      powerRegister: "grid_setpoint",
    },
  },
  notes: [
    "Charge/export power is grid power; it is clamped to the grid's import/export limits.",
    "Export stops at its target through the ESS minimum SOC; charge ends when the executor says so.",
    "Needs Venus OS >= 3.50 for register 2716.",
  ],
} satisfies ModbusProfileInput;
