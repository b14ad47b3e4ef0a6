// SolaX Gen4+ through the SolaX Modbus integration (github.com/wills106/homeassistant-solax-modbus),
// using its "Mode 1" remote control (docs/solax-mode1-modbus-power-control.md): parameters in
// non-persistent registers (no EEPROM wear, unlike "Manual Mode"), started by the trigger button
// and repeated by the integration for the autorepeat duration. When the add-on stops pressing,
// the inverter falls back to its own mode once that duration runs out — a fail-safe.
import { defineProfile } from "../profile-schema.js";

const AUTOREPEAT_S = 3_600;

export const solaxModbusProfile = defineProfile({
  name: "solax_modbus",
  title: "SolaX (SolaX Modbus, Gen4+ remote control)",
  integration: "SolaX Inverter Modbus",
  source: "https://github.com/wills106/homeassistant-solax-modbus",
  prefix: "solax",
  roles: {
    power_control: {
      domain: "select",
      defaultEntity: "select.{prefix}_remotecontrol_power_control",
      description: "Remote control power control mode",
      options: [
        "Disabled",
        "Enabled Power Control",
        "Enabled Grid Control",
        "Enabled Battery Control",
        "Enabled Self Use",
        "Enabled Feedin Priority",
        "Enabled No Discharge",
      ],
    },
    active_power: {
      domain: "number",
      defaultEntity: "number.{prefix}_remotecontrol_active_power",
      description: "Remote control target power at the battery (+ charge, − discharge)",
      min: -30_000,
      max: 30_000,
      unit: "W",
    },
    autorepeat: {
      domain: "number",
      defaultEntity: "number.{prefix}_remotecontrol_autorepeat_duration",
      description: "How long the integration repeats the last trigger",
      min: 0,
      max: 172_800,
      unit: "s",
    },
    trigger: {
      domain: "button",
      defaultEntity: "button.{prefix}_remotecontrol_trigger",
      description: "Sends the remote control parameters to the inverter",
    },
  },
  modes: {
    "self-use": [
      { role: "power_control", value: "Disabled" },
      { role: "autorepeat", value: 0 },
      { role: "trigger", press: "on_change" },
    ],
    charge: [
      { role: "active_power", value: { from: "powerW" }, tolerance: 50 },
      { role: "autorepeat", value: AUTOREPEAT_S },
      { role: "power_control", value: "Enabled Battery Control" },
      // Pressed at every apply (each slot) so the autorepeat window never lapses while planned.
      { role: "trigger", press: "always" },
    ],
    hold: [
      { role: "autorepeat", value: AUTOREPEAT_S },
      { role: "power_control", value: "Enabled No Discharge" },
      { role: "trigger", press: "always" },
    ],
    export: [
      { role: "active_power", value: { from: "powerW", factor: -1 }, tolerance: 50 },
      { role: "autorepeat", value: AUTOREPEAT_S },
      { role: "power_control", value: "Enabled Battery Control" },
      { role: "trigger", press: "always" },
    ],
  },
  settleMs: 10_000,
  notes: [
    "Needs a Gen4 or later hybrid; set the integration's fastest poll interval to 5 s or less.",
    "Mode 1 has no SOC target: the planner switches mode when the plan's target SOC is reached.",
  ],
});
