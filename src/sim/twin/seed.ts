// What a Home Assistant serving a home-history day holds when the day begins: the Octopus
// Energy integration's rate events for the day (import and export), Solcast's forecast sensor with
// its detailedForecast (p10/p50/p90), the battery's SOC sensor, the consumption meter and its
// hourly long-term statistics for the weeks before — plus the add-on options a user would enter
// for them. Nothing here is a forecast of ours: the add-on makes its own from these.
import { DateTime } from "luxon";
import type { ConfigInput } from "../../config/schema.js";
import type { HaEntityState } from "../../ha/client.js";
import type { StatisticRow } from "../ha/statistics.js";
import type { HomeHistory } from "../home-history.js";

export const TWIN_ENTITIES = {
  soc: "sensor.battery_soc",
  consumption: "sensor.house_consumption_energy",
  importRates: "event.octopus_energy_electricity_19l0000001_1900000000001_current_day_rates",
  exportRates: "event.octopus_energy_electricity_19l0000001_1900000000002_export_current_day_rates",
  importNextDay: "event.octopus_energy_electricity_19l0000001_1900000000001_next_day_rates",
  exportNextDay: "event.octopus_energy_electricity_19l0000001_1900000000002_export_next_day_rates",
  solcastToday: "sensor.solcast_pv_forecast_forecast_today",
} as const;

const HOUR_MS = 3_600_000;
/** The meter's reading before the history starts (an arbitrary odometer value). */
const METER_START_KWH = 10_000;

export interface TwinSeed {
  states: HaEntityState[];
  statistics: StatisticRow[];
  /** The meter's cumulative kWh at the end of the history (where the day's rows continue). */
  meterKwh: number;
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

/** The next day's rates as the integration publishes them, from where the history's slots end. */
export function nextDayRateEvents(history: HomeHistory) {
  const next = history.nextDayRates;
  if (!next) return [];
  const zone = history.timezone;
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO() as string;
  const slotMs = history.slotMinutes * 60_000;
  const fromMs = Date.parse(history.start) + history.slots.length * slotMs;
  const when = iso(Date.parse(next.publishedAt));
  const rates = (exportSide: boolean) =>
    next.rates.map((r, i) => ({
      start: iso(fromMs + i * slotMs),
      end: iso(fromMs + (i + 1) * slotMs),
      value_inc_vat: exportSide ? r.exportPrice : r.importPrice,
      is_capped: false,
    }));
  return [
    rateEvent(TWIN_ENTITIES.importNextDay, "next", false, rates(false), when),
    rateEvent(TWIN_ENTITIES.exportNextDay, "next", true, rates(true), when),
  ];
}

export function seedHomeHistory(history: HomeHistory): TwinSeed {
  const startMs = Date.parse(history.start);
  const slotMs = history.slotMinutes * 60_000;
  const zone = history.timezone;
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO() as string;
  const when = iso(startMs - 60_000);
  const rates = (price: (s: HomeHistory["slots"][number]) => number) =>
    history.slots.map((s, i) => ({
      start: iso(startMs + i * slotMs),
      end: iso(startMs + (i + 1) * slotMs),
      value_inc_vat: price(s),
      is_capped: false,
    }));
  const states = [
    rateEvent(
      TWIN_ENTITIES.importRates,
      "current",
      false,
      rates((s) => s.importPrice),
      when,
    ),
    rateEvent(
      TWIN_ENTITIES.exportRates,
      "current",
      true,
      rates((s) => s.exportPrice),
      when,
    ),
    // Before tomorrow's rates are out the integration's next-day entities hold none.
    rateEvent(TWIN_ENTITIES.importNextDay, "next", false, [], when),
    rateEvent(TWIN_ENTITIES.exportNextDay, "next", true, [], when),
  ];
  const hours = history.slotMinutes / 60;
  const forecastKwh = history.solcast.reduce((sum, p) => sum + p.pv_estimate * hours, 0);
  const solcast = entity(
    TWIN_ENTITIES.solcastToday,
    forecastKwh.toFixed(4),
    {
      detailedForecast: history.solcast.map((p) => ({ ...p, period_start: iso(Date.parse(p.period_start)) })),
      unit_of_measurement: "kWh",
      device_class: "energy",
      attribution: "Solcast (home history)",
    },
    when,
  );
  const { battery } = history;
  const socPct = (battery.initialSocKwh / battery.capacityKwh) * 100;

  // One row before the history so that its first hour has a `change` too.
  const historyStartMs = Date.parse(history.loadHistory.start);
  let sum = METER_START_KWH;
  const statistics: StatisticRow[] = [{ start: historyStartMs - HOUR_MS, sum }];
  history.loadHistory.hourlyKwh.forEach((kwh, i) => {
    if (kwh === null) return;
    sum += kwh;
    statistics.push({ start: historyStartMs + i * HOUR_MS, sum: Math.round(sum * 10_000) / 10_000 });
  });

  states.push(
    solcast,
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
    solar: { source: "solcast", entities: [TWIN_ENTITIES.solcastToday] },
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
  return { states, statistics, meterKwh: sum, options };
}
