// Victron ESS through the Victron GX Modbus integration (github.com/sfstar/hass-victron), whose
// entities are named victron_<register key> (number.victron_settings_ess_acpowersetpoint…, on
// unit 100). ESS follows the grid setpoint: a positive setpoint imports (the battery charges with
// what the house does not use), a negative one exports from the battery; max discharge power 0
// keeps the battery from discharging.
import { defineProfile } from "../profile-schema.js";

export const victronProfile = defineProfile({
  name: "victron",
  title: "Victron ESS (Victron GX Modbus)",
  integration: "Victron (GX Modbus TCP)",
  source: "https://github.com/sfstar/hass-victron",
  prefix: "victron",
  values: { idle_setpoint_w: 50 },
  valueDescriptions: { idle_setpoint_w: "The grid setpoint in W in self-use (default 50)." },
  roles: {
    grid_setpoint: {
      domain: "number",
      defaultEntity: "number.{prefix}_settings_ess_acpowersetpoint",
      description: "ESS grid setpoint (+ import, − export)",
      unit: "W",
    },
    max_discharge: {
      domain: "number",
      defaultEntity: "number.{prefix}_settings_ess_maxdischargepower",
      description: "ESS max inverter (discharge) power",
      min: 0,
      unit: "W",
    },
    min_soc: {
      domain: "number",
      defaultEntity: "number.{prefix}_settings_ess_batterylife_minimumsoc",
      description: "ESS minimum SOC (unless grid fails)",
      min: 0,
      max: 100,
      unit: "%",
    },
  },
  modes: {
    "self-use": [
      { role: "grid_setpoint", value: "{idle_setpoint_w}", tolerance: 5 },
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 50 },
      { role: "min_soc", value: { from: "reservePct" }, tolerance: 2.5 },
    ],
    charge: [
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 50 },
      { role: "grid_setpoint", value: { from: "powerW" }, tolerance: 5 },
    ],
    hold: [
      { role: "max_discharge", value: 0, tolerance: 1 },
      { role: "grid_setpoint", value: "{idle_setpoint_w}", tolerance: 5 },
    ],
    export: [
      { role: "min_soc", value: { from: "targetSocPct" }, tolerance: 2.5 },
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 50 },
      { role: "grid_setpoint", value: { from: "powerW", factor: -1 }, tolerance: 5 },
    ],
  },
  settleMs: 10_000,
  notes: [
    "ESS mode must be an optimised mode (with or without BatteryLife) and 'grid setpoint' writable over Modbus (Modbus TCP enabled on the GX).",
    "Charge has no SOC stop on the Victron side: the planner switches mode when the target is reached.",
  ],
});
