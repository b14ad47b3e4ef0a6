// The day score's meters, read from the HA simulator over a real websocket: the recorder's
// 5-minute statistics of the consumption and PV meters (hourly ones where a meter has no 5-minute
// rows), the EV charger taken out, the PV meters named by HA's Energy dashboard preferences.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { ConfigInput } from "../../src/config/schema.js";
import { InputError } from "../../src/errors.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { createMeasuredEnergyReader } from "../../src/ha/measured-energy.js";
import { daySlots } from "../../src/runtime/day-scoring.js";
import { type HaSim, type StatisticRow, startHaSim } from "../../src/sim/ha/index.js";

const TOKEN = "meters-token";
const FIVE_MIN = 300_000;
const HOUR = 3_600_000;
const DAY_START = Date.parse("2026-11-29T00:00:00Z");
const LOAD = "sensor.house_consumption_energy";
const EV = "sensor.zappi_energy";
const PV_EAST = "sensor.pv_east_energy_total";
const PV_WEST = "sensor.pv_west_energy_total";

const options: ConfigInput = {
  battery: { soc_entity: "sensor.soc", capacity_kwh: 9.5, max_charge_kw: 3.6, max_discharge_kw: 3.6 },
  import_tariff: { source: "octopus", entities: ["event.octopus_current_day_rates"] },
  solar: { source: "solcast", entities: ["sensor.solcast_pv_forecast_forecast_today"] },
  load: { consumption_entity: LOAD, ev_entity: EV },
};

/** A cumulative meter's rows: `kwhAt(startMs)` is the energy of the row starting then. */
function meter(
  periodMs: number,
  fromMs: number,
  toMs: number,
  kwhAt: (startMs: number) => number,
): StatisticRow[] {
  const rows: StatisticRow[] = [];
  let sumKwh = 1234;
  for (let startMs = fromMs; startMs < toMs; startMs += periodMs) {
    sumKwh += kwhAt(startMs);
    rows.push({ start: startMs, sum: sumKwh, state: sumKwh });
  }
  return rows;
}

/** Daylight PV: 0.025 kWh per 5 minutes between 09:00 and 15:00 (0.15 kWh a half hour). */
const daylight = (startMs: number) => {
  const hour = (startMs - DAY_START) / HOUR;
  return hour >= 9 && hour < 15 ? 0.025 : 0;
};

let sim: HaSim | undefined;
let conn: HaConnection | undefined;

afterEach(async () => {
  await conn?.close();
  await sim?.close();
  conn = undefined;
  sim = undefined;
});

async function setUp(config: ConfigInput = options) {
  sim = await startHaSim({ token: TOKEN, timeZone: "Europe/London" });
  const from = DAY_START - HOUR;
  const to = DAY_START + 25 * HOUR;
  // 0.05 kWh every 5 minutes (0.3 kWh a half hour), doubled 18:00–19:00.
  sim.setStatistics(
    LOAD,
    meter(FIVE_MIN, from, to, (t) =>
      (t - DAY_START) / HOUR >= 18 && (t - DAY_START) / HOUR < 19 ? 0.1 : 0.05,
    ),
    { period: "5minute" },
  );
  // The charger has only long-term (hourly) statistics: 1 kWh in 02:00–03:00.
  sim.setStatistics(
    EV,
    meter(HOUR, from, to, (t) => (t === DAY_START + 2 * HOUR ? 1 : 0)),
  );
  sim.setStatistics(PV_EAST, meter(FIVE_MIN, from, to, daylight), { period: "5minute" });
  sim.setStatistics(PV_WEST, meter(FIVE_MIN, from, to, daylight), { period: "5minute" });
  conn = await connectHa({
    ...endpointsFromBaseUrl(sim.url, TOKEN, "HA_TOKEN"),
    connectAttempts: 1,
    heartbeatMs: 0,
  });
  return createMeasuredEnergyReader(conn, parseConfig(config));
}

const solarSource = (stat: string) => ({
  type: "solar" as const,
  stat_energy_from: stat,
  config_entry_solar_forecast: null,
});
const slots = daySlots({ date: "2026-11-29", startMs: DAY_START, endMs: DAY_START + 24 * HOUR }, 30);

describe("measured energy for the day score", () => {
  it("sums each meter's 5-minute rows into slots, takes the EV out and adds the Energy dashboard's PV meters", async () => {
    const reader = await setUp();
    sim!.setEnergyPrefs({
      energy_sources: [solarSource(PV_EAST), solarSource(PV_WEST)],
      device_consumption: [],
    });
    const measured = await reader.read(slots);
    expect(measured.notes).toEqual([]);
    expect(measured.loadKwh).toHaveLength(48);
    expect(measured.loadKwh[0]).toBeCloseTo(0.3, 9);
    // 02:00–03:00: the hour's 1 kWh of car charging spread over its two slots, out of the load.
    expect(measured.loadKwh[4]).toBeCloseTo(0, 9);
    expect(measured.loadKwh[5]).toBeCloseTo(0, 9);
    expect(measured.loadKwh[36]).toBeCloseTo(0.6, 9);
    expect(measured.pvKwh[17]).toBeCloseTo(0, 9);
    expect(measured.pvKwh[18]).toBeCloseTo(0.3, 9);
    expect(measured.pvKwh.reduce((a, b) => a! + b!, 0)).toBeCloseTo(2 * 6 * 0.3, 9);
  });

  it("reads the grid meters the Energy dashboard names, in HA's current and older formats", async () => {
    const reader = await setUp();
    const GRID_IN = "sensor.grid_import_energy";
    const GRID_OUT = "sensor.grid_export_energy";
    sim!.setStatistics(
      GRID_IN,
      meter(FIVE_MIN, DAY_START - HOUR, DAY_START + 25 * HOUR, () => 0.04),
      {
        period: "5minute",
      },
    );
    sim!.setStatistics(
      GRID_OUT,
      meter(FIVE_MIN, DAY_START - HOUR, DAY_START + 25 * HOUR, () => 0.01),
      {
        period: "5minute",
      },
    );
    const unified = {
      type: "grid" as const,
      stat_energy_from: GRID_IN,
      stat_energy_to: GRID_OUT,
      stat_cost: null,
      entity_energy_price: null,
      number_energy_price: null,
      stat_compensation: null,
      entity_energy_price_export: null,
      number_energy_price_export: null,
      cost_adjustment_day: 0,
    };
    const legacy = {
      type: "grid" as const,
      flow_from: [
        { stat_energy_from: GRID_IN, stat_cost: null, entity_energy_price: null, number_energy_price: null },
      ],
      flow_to: [
        {
          stat_energy_to: GRID_OUT,
          stat_compensation: null,
          entity_energy_price: null,
          number_energy_price: null,
        },
      ],
      cost_adjustment_day: 0,
    };
    for (const grid of [unified, legacy]) {
      sim!.setEnergyPrefs({ energy_sources: [grid, solarSource(PV_EAST)], device_consumption: [] });
      const measured = await reader.read(slots);
      expect(measured.gridImportKwh?.[0]).toBeCloseTo(0.24, 9);
      expect(measured.gridExportKwh?.[47]).toBeCloseTo(0.06, 9);
    }
    sim!.setEnergyPrefs({ energy_sources: [solarSource(PV_EAST)], device_consumption: [] });
    expect((await reader.read(slots)).gridImportKwh).toBeUndefined();
  });

  it("says where to name the PV meter when the Energy dashboard has none", async () => {
    const reader = await setUp();
    const measured = await reader.read(slots);
    expect(measured.pvKwh.every((v) => v === undefined)).toBe(true);
    expect(measured.loadKwh[0]).toBeCloseTo(0.3, 9);
    expect(measured.notes.join(" ")).toMatch(/Energy dashboard.*(No prefs|not_found)/);
    expect(measured.notes.join(" ")).toContain("Settings → Dashboards → Energy → Solar panels");
  });

  it("says at start what will keep the days from being scored", async () => {
    const reader = await setUp({ ...options, load: {} });
    const notes = await reader.missingMeters();
    expect(notes.join(" ")).toContain("Settings → Dashboards → Energy → Solar panels");
    expect(notes.join(" ")).toContain("load.consumption_entity is not set");
    sim!.setEnergyPrefs({ energy_sources: [solarSource(PV_EAST)], device_consumption: [] });
    expect(await reader.missingMeters()).toEqual([
      "load.consumption_entity is not set: the day's load is not measured",
    ]);
  });

  it("needs no PV meter in a home without PV", async () => {
    const reader = await setUp({ ...options, solar: { source: "none" } });
    const measured = await reader.read(slots);
    expect(measured.pvKwh.every((v) => v === 0)).toBe(true);
    expect(measured.notes).toEqual([]);
  });

  it("spreads a short gap's energy over the gap, and leaves a long one unmeasured", async () => {
    const reader = await setUp();
    sim!.setEnergyPrefs({ energy_sources: [solarSource(PV_EAST)], device_consumption: [] });
    // The meter was unavailable 10:00–10:05 (HA wrote no row; the 10:05 row's change holds both
    // five minutes) and 14:00–16:00.
    const rows = meter(FIVE_MIN, DAY_START - HOUR, DAY_START + 25 * HOUR, () => 0.05).filter((r) => {
      const t = Number(r.start) - DAY_START;
      return t !== 10 * HOUR && !(t >= 14 * HOUR && t < 16 * HOUR);
    });
    sim!.setStatistics(LOAD, rows, { period: "5minute" });
    const measured = await reader.read(slots);
    expect(measured.loadKwh[20]).toBeCloseTo(0.3, 9);
    expect(measured.loadKwh[21]).toBeCloseTo(0.3, 9);
    // The 16:00 row holds two hours of energy that cannot be placed: its slot is unmeasured too.
    for (const i of [28, 29, 30, 31, 32]) expect(measured.loadKwh[i]).toBeUndefined();
    expect(measured.loadKwh[33]).toBeCloseTo(0.3, 9);
  });

  it("throws a retryable InputError when HA cannot answer", async () => {
    const reader = await setUp();
    sim!.setEnergyPrefs({ energy_sources: [solarSource(PV_EAST)], device_consumption: [] });
    await sim!.close();
    sim = undefined;
    const error = await reader.read(slots).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).retryable).toBe(true);
  });
});
