// Fox ESS H1/H3/KH through the foxess_modbus integration (github.com/nathanmarlor/foxess_modbus).
// With remote control available its "Work Mode" select gains "Force Charge" and "Force Discharge"
// (modbus_work_mode_select.py), driven by the "Force Charge Power" / "Force Discharge Power"
// numbers, which are in kW.
import { defineProfile } from "../profile-schema.js";

export const foxessProfile = defineProfile({
  name: "foxess",
  title: "Fox ESS (foxess_modbus)",
  integration: "FoxESS - Modbus",
  source: "https://github.com/nathanmarlor/foxess_modbus",
  prefix: "",
  roles: {
    work_mode: {
      domain: "select",
      defaultEntity: "select.{prefix}_work_mode",
      description: "Work mode",
      options: ["Self Use", "Feed-in First", "Back-up", "Force Charge", "Force Discharge"],
    },
    charge_power: {
      domain: "number",
      defaultEntity: "number.{prefix}_force_charge_power",
      description: "Force charge power",
      min: 0,
      unit: "kW",
    },
    discharge_power: {
      domain: "number",
      defaultEntity: "number.{prefix}_force_discharge_power",
      description: "Force discharge power",
      min: 0,
      unit: "kW",
    },
    max_soc: {
      domain: "number",
      defaultEntity: "number.{prefix}_max_soc",
      description: "Max SoC (where force charge stops)",
      optional: true,
      min: 10,
      max: 100,
      unit: "%",
    },
    min_soc_on_grid: {
      domain: "number",
      defaultEntity: "number.{prefix}_min_soc_on_grid",
      description: "Min SoC (on grid), where force discharge stops",
      optional: true,
      min: 10,
      max: 100,
      unit: "%",
    },
  },
  modes: {
    "self-use": [
      { role: "max_soc", value: 100 },
      { role: "min_soc_on_grid", value: { from: "reservePct", min: 10, max: 100 } },
      { role: "work_mode", value: "Self Use" },
    ],
    charge: [
      { role: "charge_power", value: { from: "powerW", factor: 0.001, digits: 3 }, tolerance: 0.01 },
      { role: "max_soc", value: { from: "targetSocPct", min: 10, max: 100 } },
      { role: "work_mode", value: "Force Charge" },
    ],
    hold: [{ role: "work_mode", value: "Back-up" }],
    export: [
      { role: "discharge_power", value: { from: "powerW", factor: 0.001, digits: 3 }, tolerance: 0.01 },
      { role: "min_soc_on_grid", value: { from: "targetSocPct", min: 10, max: 100 } },
      { role: "work_mode", value: "Force Discharge" },
    ],
  },
  settleMs: 10_000,
  notes: [
    "'Back-up' keeps the battery for outages: it does not discharge while the grid is up, which is what hold needs.",
    "Entity ids carry the inverter's friendly-name prefix when one was set in the integration; set control.entity_prefix to that prefix (e.g. inverter for select.inverter_work_mode).",
  ],
});
