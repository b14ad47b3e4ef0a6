// GivEnergy through GivTCP (github.com/britkat1980/giv_tcp): MQTT entities named
// givtcp_<serial>_<name>, so set control.entity_prefix to givtcp_<your serial>. "Eco" is normal
// self-use; "Eco (Paused)" sets the reserve to 100 % so the battery does not discharge (GivTCP's
// read.py derives the mode from eco_mode, enable_discharge and that reserve); "Timed Export"
// discharges during the discharge schedule. The inverter stops AC charging at Target_SOC only while
// Enable_Charge_Target is on (GivTCP entity_lut.py: a switch; register 20); with it off a charge
// slot runs to 100 %, so a charge turns it on. GivTCP itself switches it off when the target is
// set to 100, which the step after the target undoes: on with a target of 100 charges to 100 too.
import { defineProfile } from "../profile-schema.js";

export const givtcpProfile = defineProfile({
  name: "givtcp",
  title: "GivEnergy (GivTCP)",
  integration: "GivTCP",
  source: "https://github.com/britkat1980/giv_tcp",
  prefix: "",
  prefixNeeded: "givtcp_<serial>, e.g. givtcp_ce1234g567 (the start of GivTCP's entity ids)",
  roles: {
    mode: {
      domain: "select",
      defaultEntity: "select.{prefix}_mode",
      description: "Battery mode",
      options: ["Eco", "Eco (Paused)", "Timed Demand", "Timed Export"],
    },
    charge_schedule: {
      domain: "switch",
      defaultEntity: "switch.{prefix}_enable_charge_schedule",
      description: "Enable charge schedule (AC charging in the charge slot)",
    },
    charge_target: {
      domain: "number",
      defaultEntity: "number.{prefix}_target_soc",
      description: "Charge target SOC",
      min: 4,
      max: 100,
      unit: "%",
    },
    charge_target_enable: {
      domain: "switch",
      defaultEntity: "switch.{prefix}_enable_charge_target",
      description: "Enable charge target (stop AC charging at the target SOC)",
    },
    charge_rate: {
      domain: "number",
      defaultEntity: "number.{prefix}_battery_charge_rate",
      description: "Battery charge rate",
      min: 0,
      unit: "W",
    },
    discharge_rate: {
      domain: "number",
      defaultEntity: "number.{prefix}_battery_discharge_rate",
      description: "Battery discharge rate",
      min: 0,
      unit: "W",
    },
    discharge_schedule: {
      domain: "switch",
      defaultEntity: "switch.{prefix}_enable_discharge_schedule",
      description: "Enable discharge schedule (export in the discharge slot)",
    },
  },
  modes: {
    "self-use": [
      { role: "charge_schedule", value: false },
      { role: "discharge_schedule", value: false },
      { role: "discharge_rate", value: { from: "maxDischargeW" } },
      { role: "mode", value: "Eco" },
    ],
    charge: [
      { role: "charge_target", value: { from: "targetSocPct", min: 4, max: 100 } },
      { role: "charge_target_enable", value: true },
      { role: "charge_rate", value: { from: "powerW" } },
      { role: "discharge_schedule", value: false },
      { role: "mode", value: "Eco" },
      { role: "charge_schedule", value: true },
    ],
    hold: [
      { role: "charge_schedule", value: false },
      { role: "discharge_schedule", value: false },
      { role: "mode", value: "Eco (Paused)" },
    ],
    export: [
      { role: "charge_schedule", value: false },
      { role: "discharge_rate", value: { from: "powerW" } },
      { role: "mode", value: "Timed Export" },
      { role: "discharge_schedule", value: true },
    ],
  },
  settleMs: 15_000,
  notes: [
    "Set charge slot 1 and discharge slot 1 in GivTCP to cover the whole day once (00:00–23:59); the planner then switches the schedules on and off.",
    "A charge turns Enable Charge Target on, so that the inverter stops at the plan's target SOC instead of charging to 100 %.",
    "Export stops at the plan's target because the planner switches mode when the target is reached; GivTCP has no export target per slot that works on every model.",
  ],
});
