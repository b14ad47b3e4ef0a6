// The Energy dashboard's preferences, as `energy/get_prefs` answers them
// (homeassistant/components/energy/websocket_api.py `ws_get_prefs`, data.py): the stored
// preferences as they are, or — when nobody ever saved any — the error not_found "No prefs".
// The types follow data.py's TypedDicts (storage minor version 3, the unified grid format: one
// grid source per import/export pair); HA migrates older stores on load, so the answer never has
// the legacy `flow_from`/`flow_to` grid unless a test sets one to play an older HA.
// Not modelled: energy/save_prefs (and its validation), energy/info, energy/validate,
// energy/fossil_energy_consumption, energy/wind_forecast. energy/solar_forecast answers whatever
// setSolarForecast set, without checking the solar sources' `config_entry_solar_forecast` as HA
// does.
import { SimServiceError } from "./services.js";

/** How a power sensor is wired: one signed sensor, one inverted, or a pair (data.py PowerConfig). */
export interface EnergyPowerConfig {
  stat_rate?: string;
  stat_rate_inverted?: string;
  stat_rate_from?: string;
  stat_rate_to?: string;
}

/** One grid connection: import and/or export meter, their prices, optionally power. */
export interface EnergyGridSource {
  type: "grid";
  /** statistic_id of the import meter (kWh); null for an export-only connection. */
  stat_energy_from: string | null;
  /** statistic_id of the export meter (kWh). */
  stat_energy_to: string | null;
  stat_cost: string | null;
  entity_energy_price: string | null;
  number_energy_price: number | null;
  stat_compensation: string | null;
  entity_energy_price_export: string | null;
  number_energy_price_export: number | null;
  /** Power (kW), positive importing. */
  stat_rate?: string;
  power_config?: EnergyPowerConfig;
  cost_adjustment_day: number;
}

/** The grid source of stores before the unified format (HA migrates it on load). */
export interface EnergyLegacyGridSource {
  type: "grid";
  flow_from: {
    stat_energy_from: string;
    stat_cost: string | null;
    entity_energy_price: string | null;
    number_energy_price: number | null;
  }[];
  flow_to: {
    stat_energy_to: string;
    stat_compensation: string | null;
    entity_energy_price: string | null;
    number_energy_price: number | null;
  }[];
  power?: { stat_rate?: string; power_config?: EnergyPowerConfig }[];
  cost_adjustment_day: number;
}

export interface EnergySolarSource {
  type: "solar";
  /** statistic_id of the PV production meter (kWh). */
  stat_energy_from: string;
  stat_rate?: string;
  config_entry_solar_forecast: string[] | null;
}

export interface EnergyWindSource {
  type: "wind";
  stat_energy_from: string;
  stat_rate?: string;
  config_entry_wind_forecast: string[] | null;
}

export interface EnergyBatterySource {
  type: "battery";
  /** statistic_id of the discharge meter (kWh out of the battery). */
  stat_energy_from: string;
  /** statistic_id of the charge meter (kWh into the battery). */
  stat_energy_to: string;
  /** Power, positive discharging. */
  stat_rate?: string;
  power_config?: EnergyPowerConfig;
}

/** Gas or water: a consumption meter (m³, L…) and its cost. */
export interface EnergyMeteredSource {
  type: "gas" | "water";
  stat_energy_from: string;
  stat_rate?: string;
  stat_cost: string | null;
  entity_energy_price: string | null;
  number_energy_price: number | null;
}

export type EnergySource =
  | EnergyGridSource
  | EnergyLegacyGridSource
  | EnergySolarSource
  | EnergyWindSource
  | EnergyBatterySource
  | EnergyMeteredSource;

export interface EnergyDeviceConsumption {
  stat_consumption: string;
  stat_rate?: string;
  /** data.py types it `str | None`; the frontend leaves it out when the user gave no name. */
  name?: string | null;
  /** statistic_id of a device whose consumption includes this one's. */
  included_in_stat?: string;
}

export interface EnergyPreferences {
  energy_sources: EnergySource[];
  device_consumption: EnergyDeviceConsumption[];
  /** Always there in HA's answer (the store's 1.2 migration adds it); [] when left out here. */
  device_consumption_water?: EnergyDeviceConsumption[];
}

export class EnergyPrefsStore {
  private prefs: EnergyPreferences | undefined;

  set(prefs: EnergyPreferences | undefined): void {
    this.prefs =
      prefs === undefined
        ? undefined
        : {
            ...structuredClone(prefs),
            device_consumption_water: structuredClone(prefs.device_consumption_water ?? []),
          };
  }

  /** The `energy/get_prefs` result, or HA's error when none were ever saved. */
  get(): EnergyPreferences {
    if (!this.prefs) throw new SimServiceError("not_found", "No prefs");
    return structuredClone(this.prefs);
  }
}
