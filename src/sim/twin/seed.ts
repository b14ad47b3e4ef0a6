// What a Home Assistant serving a home-history day holds when the day begins: the Octopus
// Energy integration's rate events for the day (import and export), Solcast's forecast sensors
// for today and tomorrow with their detailedForecast (p10/p50/p90), the battery's SOC sensor, the consumption meter and its
// hourly long-term statistics for the weeks before — plus the add-on options a user would enter
// for them. Nothing here is a forecast of ours: the add-on makes its own from these.
import { DateTime } from "luxon";
import type { ConfigInput } from "../../config/schema.js";
import type { HaEntityState } from "../../ha/client.js";
import type { EnergyPreferences, StatisticRow } from "../ha/index.js";
import type { HomeHistory } from "../home-history.js";

export const TWIN_ENTITIES = {
  soc: "sensor.battery_soc",
  consumption: "sensor.house_consumption_energy",
  /** The PV inverter's production meter and the grid meter's import and export registers. */
  pvEnergy: "sensor.twin_pv_energy_total",
  gridImportEnergy: "sensor.twin_grid_import_energy_total",
  gridExportEnergy: "sensor.twin_grid_export_energy_total",
  importRates: "event.octopus_energy_electricity_19l0000001_1900000000001_current_day_rates",
  exportRates: "event.octopus_energy_electricity_19l0000001_1900000000002_export_current_day_rates",
  importNextDay: "event.octopus_energy_electricity_19l0000001_1900000000001_next_day_rates",
  exportNextDay: "event.octopus_energy_electricity_19l0000001_1900000000002_export_next_day_rates",
  solcastToday: "sensor.solcast_pv_forecast_forecast_today",
  solcastTomorrow: "sensor.solcast_pv_forecast_forecast_tomorrow",
} as const;

const HOUR_MS = 3_600_000;
/** The consumption meter's reading before the history starts (an arbitrary odometer value). */
const METER_START_KWH = 10_000;
/** The other meters' readings when the day (or run) begins, odometers too. */
export const METER_START_KWH_AT_DAY = { pv: 2_000, gridImport: 6_000, gridExport: 1_000 } as const;

export interface TwinSeed {
  states: HaEntityState[];
  statistics: StatisticRow[];
  /** The meter's cumulative kWh at the end of the history (where the day's rows continue). */
  meterKwh: number;
  /** The PV and grid meters' readings as the day begins (their statistics begin with it). */
  meterStartKwh: Record<"pv" | "gridImport" | "gridExport", number>;
  /** HA's Energy dashboard as the home's owner set it up: the grid meter's import and export
   * registers and the PV production meter (energy/get_prefs). */
  energyPrefs: EnergyPreferences;
  options: ConfigInput;
}

function entity(entityId: string, state: string, attributes: Record<string, unknown>, when: string) {
  return {
    entity_id: entityId,
    state,
    attributes,
    last_changed: when,
    last_updated: when,
    context: { id: `01TWIN${entityId.length}`, parent_id: null, user_id: null },
  };
}

type RateEntry = { start: string; end: string; value_inc_vat: number; is_capped: boolean };

/** An Octopus Energy rates event entity: its state is when the event last fired. */
function rateEvent(
  entityId: string,
  day: "current" | "next",
  exportSide: boolean,
  rates: RateEntry[],
  when: string,
) {
  const eventType = `octopus_energy_electricity${exportSide ? "_export" : ""}_${day}_day_rates`;
  return entity(
    entityId,
    when,
    {
      event_types: [eventType],
      event_type: eventType,
      rates,
      friendly_name: `Octopus ${exportSide ? "export " : ""}${day} day rates`,
    },
    when,
  );
}

type Prices = readonly { importPrice: number; exportPrice: number }[];

/** Rate entries of consecutive 30-minute periods from `fromMs`, as the integration lists them
 * (local ISO times, £/kWh). */
function rateEntries(prices: Prices, fromMs: number, slotMs: number, zone: string, exportSide: boolean) {
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO() as string;
  return prices.map((r, i) => ({
    start: iso(fromMs + i * slotMs),
    end: iso(fromMs + (i + 1) * slotMs),
    value_inc_vat: exportSide ? r.exportPrice : r.importPrice,
    is_capped: false,
  }));
}

/** The integration's next_day_rates events (import and export) firing at `whenMs` with `prices`
 * from `fromMs` (none: before tomorrow's rates are out, the entities hold no rates). */
export function nextDayRateEvents(
  prices: Prices,
  fromMs: number,
  whenMs: number,
  zone: string,
  slotMs = 1_800_000,
) {
  const when = DateTime.fromMillis(whenMs, { zone }).toISO() as string;
  return [
    rateEvent(
      TWIN_ENTITIES.importNextDay,
      "next",
      false,
      rateEntries(prices, fromMs, slotMs, zone, false),
      when,
    ),
    rateEvent(
      TWIN_ENTITIES.exportNextDay,
      "next",
      true,
      rateEntries(prices, fromMs, slotMs, zone, true),
      when,
    ),
  ];
}

/** The integration's current_day_rates events for a day, firing at `whenMs` (the integration
 * refreshes them as the day begins). */
export function currentDayRateEvents(day: HomeHistory, whenMs: number) {
  const zone = day.timezone;
  const when = DateTime.fromMillis(whenMs, { zone }).toISO() as string;
  const fromMs = Date.parse(day.start);
  const slotMs = day.slotMinutes * 60_000;
  return [
    rateEvent(
      TWIN_ENTITIES.importRates,
      "current",
      false,
      rateEntries(day.slots, fromMs, slotMs, zone, false),
      when,
    ),
    rateEvent(
      TWIN_ENTITIES.exportRates,
      "current",
      true,
      rateEntries(day.slots, fromMs, slotMs, zone, true),
      when,
    ),
  ];
}

type SolcastPeriods = HomeHistory["solcast"];

/** Solcast's forecast_today or forecast_tomorrow sensor: the day's kWh, its detailedForecast. */
export function solcastSensor(entityId: string, periods: SolcastPeriods, whenMs: number, zone: string) {
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO() as string;
  const forecastKwh = periods.reduce((sum, p) => sum + p.pv_estimate * 0.5, 0);
  return entity(
    entityId,
    forecastKwh.toFixed(4),
    {
      detailedForecast: periods.map((p) => ({ ...p, period_start: iso(Date.parse(p.period_start)) })),
      unit_of_measurement: "kWh",
      device_class: "energy",
      attribution: "Solcast (home history)",
    },
    iso(whenMs),
  );
}

/** The recorder's hourly rows of a meter that read `startSumKwh` before `hourlyKwh` began, one
 * row before the first hour so that its first hour has a `change` too (null: no row, a gap). */
export function hourlyMeterRows(
  historyStartMs: number,
  hourlyKwh: readonly (number | null)[],
  startSumKwh: number,
): StatisticRow[] {
  let sum = startSumKwh;
  const rows: StatisticRow[] = [{ start: historyStartMs - HOUR_MS, sum }];
  hourlyKwh.forEach((kwh, i) => {
    if (kwh === null) return;
    sum += kwh;
    rows.push({ start: historyStartMs + i * HOUR_MS, sum: roundKwh(sum) });
  });
  return rows;
}

/** Statistics keep four decimals of a kWh, as HA's recorder rounds them in practice. */
export const roundKwh = (kwh: number) => Math.round(kwh * 10_000) / 10_000;

/** What HA holds as `history` begins; `tomorrowPv` is Solcast's forecast_tomorrow (in a run of
 * days, the next day's forecast; otherwise the file's `solcastTomorrow`), none: no such sensor. */
/** The Energy dashboard's preferences in HA's current format (energy/data.py, storage minor
 * version 3: one grid source per import/export pair). No prices: the rates live in the Octopus
 * events, not in a price entity the dashboard could name. No solar forecast config entry: the
 * twin's Solcast is its sensors, and HA's energy/solar_forecast serves nothing for it. */
export function energyPreferences(): EnergyPreferences {
  return {
    energy_sources: [
      {
        type: "grid",
        stat_energy_from: TWIN_ENTITIES.gridImportEnergy,
        stat_energy_to: TWIN_ENTITIES.gridExportEnergy,
        stat_cost: null,
        entity_energy_price: null,
        number_energy_price: null,
        stat_compensation: null,
        entity_energy_price_export: null,
        number_energy_price_export: null,
        cost_adjustment_day: 0,
      },
      { type: "solar", stat_energy_from: TWIN_ENTITIES.pvEnergy, config_entry_solar_forecast: null },
    ],
    device_consumption: [],
  };
}

export function seedHomeHistory(
  history: HomeHistory,
  tomorrowPv: SolcastPeriods | undefined = history.solcastTomorrow,
): TwinSeed {
  const startMs = Date.parse(history.start);
  const zone = history.timezone;
  const whenMs = startMs - 60_000;
  const when = DateTime.fromMillis(whenMs, { zone }).toISO() as string;
  const states = [
    ...currentDayRateEvents(history, whenMs),
    // Before tomorrow's rates are out the integration's next-day entities hold none.
    ...nextDayRateEvents([], startMs, whenMs, zone),
    solcastSensor(TWIN_ENTITIES.solcastToday, history.solcast, whenMs, zone),
    ...(tomorrowPv ? [solcastSensor(TWIN_ENTITIES.solcastTomorrow, tomorrowPv, whenMs, zone)] : []),
  ];
  const { battery } = history;
  const socPct = (battery.initialSocKwh / battery.capacityKwh) * 100;
  const statistics = hourlyMeterRows(
    Date.parse(history.loadHistory.start),
    history.loadHistory.hourlyKwh,
    METER_START_KWH,
  );
  const sum = statistics.at(-1)!.sum!;
  states.push(
    entity(
      TWIN_ENTITIES.soc,
      socPct.toFixed(1),
      { unit_of_measurement: "%", device_class: "battery", state_class: "measurement" },
      when,
    ),
    entity(
      TWIN_ENTITIES.consumption,
      sum.toFixed(3),
      { unit_of_measurement: "kWh", device_class: "energy", state_class: "total_increasing" },
      when,
    ),
    ...(["pv", "gridImport", "gridExport"] as const).map((meter) =>
      entity(
        {
          pv: TWIN_ENTITIES.pvEnergy,
          gridImport: TWIN_ENTITIES.gridImportEnergy,
          gridExport: TWIN_ENTITIES.gridExportEnergy,
        }[meter],
        METER_START_KWH_AT_DAY[meter].toFixed(3),
        { unit_of_measurement: "kWh", device_class: "energy", state_class: "total_increasing" },
        when,
      ),
    ),
  );
  const options: ConfigInput = {
    timezone: zone,
    battery: {
      soc_entity: TWIN_ENTITIES.soc,
      capacity_kwh: battery.capacityKwh,
      reserve_pct: (battery.minSocKwh / battery.capacityKwh) * 100,
      max_charge_kw: battery.maxChargeKw,
      max_discharge_kw: battery.maxDischargeKw,
      charge_efficiency: battery.chargeEfficiency,
      discharge_efficiency: battery.dischargeEfficiency,
      cycle_cost_per_kwh: battery.cycleCostPerKwh,
    },
    grid: { max_import_kw: history.grid.maxImportKw, max_export_kw: history.grid.maxExportKw },
    import_tariff: {
      source: "octopus",
      entities: [TWIN_ENTITIES.importRates, TWIN_ENTITIES.importNextDay],
    },
    export_tariff: {
      source: "octopus",
      entities: [TWIN_ENTITIES.exportRates, TWIN_ENTITIES.exportNextDay],
    },
    solar: {
      source: "solcast",
      entities: tomorrowPv
        ? [TWIN_ENTITIES.solcastToday, TWIN_ENTITIES.solcastTomorrow]
        : [TWIN_ENTITIES.solcastToday],
    },
    load: {
      consumption_entity: TWIN_ENTITIES.consumption,
      history_days: Math.min(90, Math.max(1, Math.floor(history.loadHistory.hourlyKwh.length / 24))),
    },
    planner: {
      slot_minutes: 30,
      horizon_hours: 48,
      terminal_value_per_kwh: history.terminalValuePerKwh,
    },
    mqtt: { mode: "never" },
    log_level: "warning",
  };
  return {
    states,
    statistics,
    meterKwh: sum,
    meterStartKwh: { ...METER_START_KWH_AT_DAY },
    energyPrefs: energyPreferences(),
    options,
  };
}
