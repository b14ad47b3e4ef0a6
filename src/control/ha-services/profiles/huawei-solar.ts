// Huawei SUN2000 + LUNA2000 through the Huawei Solar integration (github.com/wlcrs/huawei_solar).
// Charging and discharging use its forcible charge services (services.yaml: forcible_charge_soc,
// forcible_discharge_soc, stop_forcible_charge, each taking the battery's device_id); the
// integration's "Forcible charge" summary sensor reads back what the battery was told
// ("Stopped", "Charging at 3000W until 80%", "Discharging at 2000W until 20%").
import { defineProfile } from "../profile-schema.js";

export const huaweiSolarProfile = defineProfile({
  name: "huawei_solar",
  title: "Huawei (Huawei Solar)",
  integration: "Huawei Solar",
  source: "https://github.com/wlcrs/huawei_solar",
  prefix: "batteries",
  values: {},
  valueDescriptions: {
    device_id: "The id of the Huawei 'Batteries' device, for the forcible charge services.",
  },
  roles: {
    forcible: {
      domain: "sensor",
      defaultEntity: "sensor.{prefix}_forcible_charge",
      description: "Forcible charge summary",
    },
    working_mode: {
      domain: "select",
      defaultEntity: "select.{prefix}_working_mode",
      description: "Storage working mode",
      options: [
        "adaptive",
        "fixed_charge_discharge",
        "fully_fed_to_grid",
        "maximise_self_consumption",
        "time_of_use_luna2000",
        "time_of_use_lg",
      ],
    },
    max_discharge: {
      domain: "number",
      defaultEntity: "number.{prefix}_maximum_discharging_power",
      description: "Maximum discharging power",
      min: 0,
      unit: "W",
    },
  },
  modes: {
    "self-use": [
      {
        role: "forcible",
        value: "Stopped",
        call: {
          service: "huawei_solar.stop_forcible_charge",
          data: { device_id: "{device_id}" },
          targetEntity: false,
        },
      },
      { role: "working_mode", value: "maximise_self_consumption" },
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 10 },
    ],
    charge: [
      {
        role: "forcible",
        value: "Charging at {powerW}W until {targetSocPct}%",
        call: {
          service: "huawei_solar.forcible_charge_soc",
          data: { device_id: "{device_id}", target_soc: { from: "targetSocPct" }, power: { from: "powerW" } },
          targetEntity: false,
        },
      },
    ],
    hold: [
      {
        role: "forcible",
        value: "Stopped",
        call: {
          service: "huawei_solar.stop_forcible_charge",
          data: { device_id: "{device_id}" },
          targetEntity: false,
        },
      },
      { role: "working_mode", value: "maximise_self_consumption" },
      { role: "max_discharge", value: 0 },
    ],
    export: [
      { role: "max_discharge", value: { from: "maxDischargeW" }, tolerance: 10 },
      {
        role: "forcible",
        value: "Discharging at {powerW}W until {targetSocPct}%",
        call: {
          service: "huawei_solar.forcible_discharge_soc",
          data: { device_id: "{device_id}", target_soc: { from: "targetSocPct" }, power: { from: "powerW" } },
          targetEntity: false,
        },
      },
    ],
  },
  settleMs: 10_000,
  notes: [
    "Set control.values.device_id to the id of the Huawei 'Batteries' device (Settings → Devices → the device page's URL ends with it).",
  ],
});
