// What each supported inverter integration names its battery sensors by default, next to the
// HA-service profile that controls it. The control roles come from the profile itself; these are
// the read-only sensors the profile does not write. Names are the integrations' defaults (GivTCP's
// MQTT discovery, wills106's SolaX Modbus, wlcrs's Huawei Solar, mkaiser's Sungrow YAML,
// nathanmarlor's Fox ESS Modbus); a renamed entity is simply not detected.

export interface IntegrationHint {
  profile: string;
  /** What a `{prefix}` may look like for this integration, so unrelated entities never match. */
  prefixPattern: RegExp;
  socEntity: string;
  powerEntity?: string;
  /** A cumulative household-load energy sensor the integration provides. */
  loadEnergyEntity?: string;
}

export const INTEGRATION_HINTS: readonly IntegrationHint[] = [
  {
    profile: "givtcp",
    prefixPattern: /^givtcp_[a-z0-9]+$/,
    socEntity: "sensor.{prefix}_soc",
    powerEntity: "sensor.{prefix}_battery_power",
    loadEnergyEntity: "sensor.{prefix}_load_energy_total_kwh",
  },
  {
    profile: "solax_modbus",
    prefixPattern: /^solax[a-z0-9_]*$/,
    socEntity: "sensor.{prefix}_battery_capacity",
    powerEntity: "sensor.{prefix}_battery_power_charge",
  },
  {
    profile: "huawei_solar",
    prefixPattern: /^batteries[a-z0-9_]*$/,
    socEntity: "sensor.{prefix}_state_of_capacity",
    powerEntity: "sensor.{prefix}_charge_discharge_power",
  },
  { profile: "sungrow", prefixPattern: /^$/, socEntity: "sensor.battery_level" },
  { profile: "victron", prefixPattern: /^victron[a-z0-9_]*$/, socEntity: "sensor.{prefix}_battery_soc" },
  {
    profile: "foxess",
    prefixPattern: /^[a-z0-9_]*$/,
    socEntity: "sensor.battery_soc",
    powerEntity: "sensor.battery_charge",
  },
];
