// For any integration: the user maps a mode select (and, where the inverter has them, power and
// target numbers, force switches and a reserve number) in control.entities, and the select's
// option for each mode in control.values. Role names match the add-on's options (config.yaml).
import { defineProfile } from "../profile-schema.js";

export const genericProfile = defineProfile({
  name: "generic",
  title: "Generic (map your own entities)",
  integration: "any",
  source: "https://www.home-assistant.io/integrations/select/",
  prefix: "",
  values: {
    self_use_option: "Self Use",
    charge_option: "Force Charge",
    hold_option: "Hold",
    export_option: "Force Discharge",
  },
  valueDescriptions: {
    self_use_option: "The mode select's option for self-use.",
    charge_option: "The mode select's option for charging from the grid.",
    hold_option: "The mode select's option that stops discharging.",
    export_option: "The mode select's option for forced discharge.",
  },
  roles: {
    mode_select: { domain: "select", description: "The inverter's work mode select" },
    charge_power: { domain: "number", description: "Charge power in W", optional: true, unit: "W" },
    discharge_power: { domain: "number", description: "Discharge power in W", optional: true, unit: "W" },
    target_soc: {
      domain: "number",
      description: "Where a charge or export stops, %",
      optional: true,
      unit: "%",
    },
    charge_switch: { domain: "switch", description: "Enables forced/timed charging", optional: true },
    discharge_switch: { domain: "switch", description: "Enables forced/timed discharging", optional: true },
    reserve_soc: { domain: "number", description: "Discharge floor, %", optional: true, unit: "%" },
  },
  modes: {
    "self-use": [
      { role: "charge_switch", value: false },
      { role: "discharge_switch", value: false },
      { role: "reserve_soc", value: { from: "reservePct" } },
      { role: "mode_select", value: "{self_use_option}" },
    ],
    charge: [
      { role: "charge_power", value: { from: "powerW" }, tolerance: 10 },
      { role: "target_soc", value: { from: "targetSocPct" } },
      { role: "discharge_switch", value: false },
      { role: "mode_select", value: "{charge_option}" },
      { role: "charge_switch", value: true },
    ],
    hold: [
      { role: "charge_switch", value: false },
      { role: "discharge_switch", value: false },
      { role: "mode_select", value: "{hold_option}" },
    ],
    export: [
      { role: "discharge_power", value: { from: "powerW" }, tolerance: 10 },
      { role: "target_soc", value: { from: "targetSocPct" } },
      { role: "reserve_soc", value: { from: "targetSocPct" } },
      { role: "charge_switch", value: false },
      { role: "mode_select", value: "{export_option}" },
      { role: "discharge_switch", value: true },
    ],
  },
  settleMs: 5_000,
  notes: [
    "Map control.entities.mode_select (required) and any of charge_power, discharge_power, target_soc, charge_switch, discharge_switch, reserve_soc.",
    "Set control.values.self_use_option, charge_option, hold_option and export_option to the select's options.",
  ],
});
