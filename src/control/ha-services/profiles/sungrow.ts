// Sungrow SHx through mkaiser's modbus YAML (github.com/mkaiser/Sungrow-SHx-Inverter-Modbus-Home-Assistant):
// template selects "EMS mode" and "Battery forced charge discharge" write the EMS registers, and
// template numbers write forced power and SOC limits. The YAML's own scenes show the recipes:
// forced charge = EMS "Forced mode" + "Forced charge"; "no battery discharge" = self-consumption
// with the max discharge power at its minimum (10 W).
import { defineProfile } from "../profile-schema.js";

export const sungrowProfile = defineProfile({
  name: "sungrow",
  title: "Sungrow SHx (mkaiser modbus YAML)",
  integration: "Modbus (mkaiser Sungrow YAML)",
  source: "https://github.com/mkaiser/Sungrow-SHx-Inverter-Modbus-Home-Assistant",
  prefix: "",
  values: { normal_max_soc: 100 },
  valueDescriptions: { normal_max_soc: "The maximum SOC restored after a forced charge (default 100)." },
  roles: {
    ems_mode: {
      domain: "select",
      defaultEntity: "select.ems_mode",
      description: "EMS mode",
      options: ["Self-consumption mode (default)", "Forced mode", "External EMS", "VPP"],
    },
    forced_cmd: {
      domain: "select",
      defaultEntity: "select.battery_forced_charge_discharge",
      description: "Battery forced charge discharge command",
      options: ["Stop (default)", "Forced charge", "Forced discharge"],
    },
    forced_power: {
      domain: "number",
      defaultEntity: "number.battery_forced_charge_discharge_power",
      description: "Battery forced charge discharge power",
      min: 0,
      unit: "W",
    },
    max_soc: {
      domain: "number",
      defaultEntity: "number.battery_max_soc",
      description: "Battery max SoC",
      min: 50,
      max: 100,
      unit: "%",
    },
    min_soc: {
      domain: "number",
      defaultEntity: "number.battery_min_soc",
      description: "Battery min SoC",
      min: 0,
      max: 50,
      unit: "%",
    },
    max_discharge: {
      domain: "number",
      defaultEntity: "number.battery_max_discharge_power",
      description: "Battery max discharge power",
      min: 10,
      unit: "W",
    },
  },
  modes: {
    "self-use": [
      { role: "ems_mode", value: "Self-consumption mode (default)" },
      { role: "forced_cmd", value: "Stop (default)" },
      { role: "max_soc", value: "{normal_max_soc}" },
      { role: "min_soc", value: { from: "reservePct", min: 0, max: 50 } },
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 10 },
    ],
    charge: [
      { role: "forced_power", value: { from: "powerW" }, tolerance: 10 },
      { role: "max_soc", value: { from: "targetSocPct", min: 50, max: 100 } },
      { role: "ems_mode", value: "Forced mode" },
      { role: "forced_cmd", value: "Forced charge" },
    ],
    hold: [
      { role: "ems_mode", value: "Self-consumption mode (default)" },
      { role: "forced_cmd", value: "Stop (default)" },
      { role: "max_discharge", value: 10 },
    ],
    export: [
      { role: "forced_power", value: { from: "powerW" }, tolerance: 10 },
      { role: "min_soc", value: { from: "targetSocPct", min: 0, max: 50 } },
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 10 },
      { role: "ems_mode", value: "Forced mode" },
      { role: "forced_cmd", value: "Forced discharge" },
    ],
  },
  settleMs: 5_000,
  notes: [
    "The inverter accepts a max SoC of 50–100 % and a min SoC of 0–50 %: charge targets below 50 % and export targets above 50 % are ended by the planner switching mode.",
  ],
});
