// Turns a planning scenario (test/fixtures/scenarios, battery-planner-scenario/1) into what a
// Home Assistant serving it would hold: Octopus-style import/export rate events split by local day,
// Solcast-style forecast sensors, a SOC sensor and hourly consumption statistics for the recorder,
// plus the add-on options a user would enter for them. Lets tests and the demo run the add-on
// against any scenario through the simulator.
import { DateTime } from "luxon";
import type { ConfigInput } from "../../config/schema.js";
import type { HaEntityState } from "../../ha/client.js";
import type { StatisticRow } from "./statistics.js";

export interface ScenarioLike {
  name: string;
  timezone: string;
  start: string;
  slotMinutes: number;
  battery: { capacityKwh: number; initialSocKwh: number; maxChargeKw: number; maxDischargeKw: number };
  slots: { importPrice: number; exportPrice: number; loadKwh: number; pvKwh: number }[];
}

export interface ScenarioSeed {
  states: HaEntityState[];
  statistics: Record<string, StatisticRow[]>;
  options: ConfigInput;
  /** Where the scenario's slot 0 starts: the instant to plan at. */
  startMs: number;
}

const METER = "19l0000001_1900000000001";
const EXPORT_METER = "19l0000001_1900000000002_export";
const SOC = "sensor.battery_soc";
const CONSUMPTION = "sensor.house_consumption_energy";
const HOUR_MS = 3_600_000;

function entity(
  entityId: string,
  state: string,
  attributes: Record<string, unknown>,
  when: string,
): HaEntityState {
  return {
    entity_id: entityId,
    state,
    attributes,
    last_changed: when,
    last_updated: when,
    context: { id: `01SEED${entityId.length}`, parent_id: null, user_id: null },
  };
}

export function scenarioToHa(scenario: ScenarioLike): ScenarioSeed {
  const startMs = Date.parse(scenario.start);
  const slotMs = scenario.slotMinutes * 60_000;
  const zone = scenario.timezone;
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO() as string;
  const dayOf = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate() as string;
  const firstDay = dayOf(startMs);
  const when = iso(startMs - 60_000);
  const slots = scenario.slots.map((slot, i) => ({ ...slot, startMs: startMs + i * slotMs }));
  const today = slots.filter((s) => dayOf(s.startMs) === firstDay);
  const later = slots.filter((s) => dayOf(s.startMs) !== firstDay);

  const rates = (list: typeof slots, price: (s: (typeof slots)[number]) => number) =>
    list.map((s) => ({
      start: iso(s.startMs),
      end: iso(s.startMs + slotMs),
      value_inc_vat: price(s),
      is_capped: false,
    }));
  const rateEvent = (meter: string, day: "current" | "next", list: typeof slots, exportSide: boolean) =>
    entity(
      `event.octopus_energy_electricity_${meter}_${day}_day_rates`,
      when,
      {
        event_types: [`octopus_energy_electricity${exportSide ? "_export" : ""}_${day}_day_rates`],
        event_type: `octopus_energy_electricity${exportSide ? "_export" : ""}_${day}_day_rates`,
        rates: rates(list, (s) => (exportSide ? s.exportPrice : s.importPrice)),
        friendly_name: `Octopus ${exportSide ? "export " : ""}${day} day rates`,
      },
      when,
    );

  const days = [...new Set(slots.map((s) => dayOf(s.startMs)))].slice(0, 3);
  const solcastNames = ["today", "tomorrow", "day_3"];
  const solcast = days.map((day, i) => {
    const periods = slots
      .filter((s) => dayOf(s.startMs) === day)
      .map((s) => {
        const kw = s.pvKwh / (slotMs / HOUR_MS);
        return {
          period_start: iso(s.startMs),
          pv_estimate: kw,
          pv_estimate10: kw * 0.6,
          pv_estimate90: kw * 1.2,
        };
      });
    const total = periods.reduce((sum, p) => sum + (p.pv_estimate * slotMs) / HOUR_MS, 0);
    return entity(
      `sensor.solcast_pv_forecast_forecast_${solcastNames[i]}`,
      total.toFixed(4),
      {
        detailedForecast: periods,
        unit_of_measurement: "kWh",
        device_class: "energy",
        attribution: "Solcast (seeded)",
      },
      when,
    );
  });

  const socPct = (scenario.battery.initialSocKwh / scenario.battery.capacityKwh) * 100;
  const states = [
    rateEvent(METER, "current", today, false),
    rateEvent(METER, "next", later, false),
    rateEvent(EXPORT_METER, "current", today, true),
    rateEvent(EXPORT_METER, "next", later, true),
    ...solcast,
    entity(SOC, socPct.toFixed(1), { unit_of_measurement: "%", device_class: "battery" }, when),
    entity(
      CONSUMPTION,
      "10000",
      { unit_of_measurement: "kWh", device_class: "energy", state_class: "total_increasing" },
      when,
    ),
  ];

  // Two weeks of hourly history that repeat the scenario's first day, so the load forecast
  // learned from "the recorder" matches the scenario's own load profile.
  const firstDaySlots = slots.filter((s) => s.startMs < startMs + 24 * HOUR_MS);
  const loadInHour = (offsetMs: number) =>
    firstDaySlots
      .filter((s) => s.startMs - startMs >= offsetMs && s.startMs - startMs < offsetMs + HOUR_MS)
      .reduce((sum, s) => sum + s.loadKwh, 0);
  const rows: StatisticRow[] = [];
  let sum = 10_000;
  const historyStart = Math.floor(startMs / HOUR_MS) * HOUR_MS - 14 * 24 * HOUR_MS;
  for (let t = historyStart; t < startMs; t += HOUR_MS) {
    sum += loadInHour((t - historyStart) % (24 * HOUR_MS));
    rows.push({ start: t, sum: Math.round(sum * 1000) / 1000 });
  }

  const options: ConfigInput = {
    timezone: zone,
    battery: {
      soc_entity: SOC,
      capacity_kwh: scenario.battery.capacityKwh,
      max_charge_kw: scenario.battery.maxChargeKw,
      max_discharge_kw: scenario.battery.maxDischargeKw,
    },
    import_tariff: {
      source: "octopus",
      entities: [
        `event.octopus_energy_electricity_${METER}_current_day_rates`,
        `event.octopus_energy_electricity_${METER}_next_day_rates`,
      ],
    },
    export_tariff: {
      source: "octopus",
      entities: [
        `event.octopus_energy_electricity_${EXPORT_METER}_current_day_rates`,
        `event.octopus_energy_electricity_${EXPORT_METER}_next_day_rates`,
      ],
    },
    solar: { source: "solcast", entities: solcast.map((s) => s.entity_id) },
    load: { consumption_entity: CONSUMPTION, history_days: 14 },
  };
  return { states, statistics: { [CONSUMPTION]: rows }, options, startMs };
}
