// Solar forecasts, each mapped to energy per UTC interval, several sources or arrays summed:
// - Solcast (BJReplay/ha-solcast-solar): `detailedForecast: [{period_start, pv_estimate,
//   pv_estimate10, pv_estimate90}]`, average kW over each 30-minute period (energy = kW × h).
// - Forecast.Solar / Open-Meteo style sensors: `wh_period: {iso: Wh in the period starting then}`
//   (preferred), or `watts: {iso: W}` (held until the next key).
// - HA's `energy/solar_forecast`: {config_entry_id: {wh_hours: {iso: Wh in that hour}}}.
import { z } from "zod";
import type { EnergyPoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { energyKwh, powerW } from "../quantities.js";
import { attributeArray, parseInstant } from "../states.js";
import { checkPv, dropIfImplausible } from "./plausibility.js";
import {
  clipEntries,
  field,
  normaliseSeries,
  type ReadResult,
  type ReadWindow,
  Rejections,
  sumEnergySeries,
} from "./series.js";

const HOUR_MS = 3_600_000;
const solcastPeriod = z.object({ period_start: z.string() }).passthrough();

/** Fills in each entry's end from the next entry's start (the last one: the previous step). */
function withEnds<T extends { startMs: number }>(
  entries: T[],
  defaultStepMs: number,
): (T & { endMs: number })[] {
  const sorted = [...entries].sort((a, b) => a.startMs - b.startMs);
  let step = defaultStepMs;
  return sorted.map((entry, i) => {
    const next = sorted[i + 1];
    if (next && next.startMs - entry.startMs <= 2 * defaultStepMs) step = next.startMs - entry.startMs;
    return { ...entry, endMs: entry.startMs + step };
  });
}

/** Solcast's kW (PV power is never negative); an absent percentile is no percentile. */
function pvKw(raw: unknown, rejected: Rejections, optional: boolean): number | undefined {
  if (optional && (raw === undefined || raw === null)) return undefined;
  const watts = rejected.take(powerW(raw, "kW"));
  if (watts === undefined) return undefined;
  if (watts >= 0) return watts / 1000;
  rejected.reject(`negative PV ${watts / 1000} kW`);
  return undefined;
}

export function readSolcast(
  entityId: string,
  state: HaEntityState | undefined,
  window?: ReadWindow,
): ReadResult<EnergyPoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  const periods = attributeArray(state, "detailedForecast");
  if (!periods) return { points: [], warnings: [`${entityId}: no detailedForecast attribute`] };
  const clipped = clipEntries(entityId, periods, field("period_start"), window);
  const entries: { startMs: number; kw: number; p10?: number; p90?: number }[] = [];
  const rejected = new Rejections();
  const percentiles = new Rejections();
  for (const raw of clipped.entries) {
    const parsed = solcastPeriod.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.period_start) : undefined;
    if (!parsed.success || startMs === undefined) {
      rejected.reject("not a {period_start, pv_estimate} period");
      continue;
    }
    const kw = pvKw(parsed.data.pv_estimate, rejected, false);
    if (kw === undefined) continue;
    const p10 = pvKw(parsed.data.pv_estimate10, percentiles, true);
    const p90 = pvKw(parsed.data.pv_estimate90, percentiles, true);
    entries.push({
      startMs,
      kw,
      ...(p10 === undefined ? {} : { p10 }),
      ...(p90 === undefined ? {} : { p90 }),
    });
  }
  const points = withEnds(entries, HOUR_MS / 2).map((e) => {
    const hours = (e.endMs - e.startMs) / HOUR_MS;
    const point: EnergyPoint = { startMs: e.startMs, endMs: e.endMs, energyKwh: e.kw * hours };
    if (e.p10 !== undefined) point.p10Kwh = e.p10 * hours;
    if (e.p90 !== undefined) point.p90Kwh = e.p90 * hours;
    return point;
  });
  const result = {
    points: normaliseSeries(points),
    warnings: [...clipped.warnings, ...rejected.warnings(entityId, "period")],
  };
  return checkPv(
    dropIfImplausible(result, entityId, rejected.implausible ?? percentiles.implausible),
    entityId,
  );
}

/** A map {iso instant: value} of Wh per period ("Wh") or W held until the next key ("W"). */
function readTimeMap(
  source: string,
  map: unknown,
  unit: "Wh" | "W",
  defaultStepMs: number,
  window: ReadWindow | undefined,
): ReadResult<EnergyPoint> {
  if (!map || typeof map !== "object" || Array.isArray(map))
    return { points: [], warnings: [`${source}: no data`] };
  const clipped = clipEntries(source, Object.entries(map), (entry) => (entry as [string])[0], window);
  const entries: { startMs: number; value: number }[] = [];
  const rejected = new Rejections();
  for (const [key, raw] of clipped.entries as [string, unknown][]) {
    const startMs = parseInstant(key);
    if (startMs === undefined) {
      rejected.reject(`'${key.slice(0, 40)}' is not an instant`);
      continue;
    }
    const value = rejected.take(unit === "Wh" ? energyKwh(raw, "Wh") : powerW(raw, "W"));
    if (value === undefined) continue;
    if (value < 0) rejected.reject(`negative PV ${value}`);
    else entries.push({ startMs, value });
  }
  const points = withEnds(entries, defaultStepMs).map((e) => ({
    startMs: e.startMs,
    endMs: e.endMs,
    energyKwh: unit === "Wh" ? e.value : (e.value / 1000) * ((e.endMs - e.startMs) / HOUR_MS),
  }));
  const result = {
    points: normaliseSeries(points),
    warnings: [...clipped.warnings, ...rejected.warnings(source, "value")],
  };
  return checkPv(dropIfImplausible(result, source, rejected.implausible), source);
}

export function readForecastSolar(
  entityId: string,
  state: HaEntityState | undefined,
  window?: ReadWindow,
): ReadResult<EnergyPoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  if (state.attributes.wh_period !== undefined) {
    return readTimeMap(entityId, state.attributes.wh_period, "Wh", HOUR_MS, window);
  }
  if (state.attributes.watts !== undefined) {
    return readTimeMap(entityId, state.attributes.watts, "W", HOUR_MS / 4, window);
  }
  return { points: [], warnings: [`${entityId}: neither wh_period nor watts attribute`] };
}

/** HA's energy/solar_forecast result; `configEntry` picks one forecast, otherwise all are summed. */
export function readEnergySolarForecast(
  result: unknown,
  configEntry?: string,
  window?: ReadWindow,
): ReadResult<EnergyPoint> {
  if (!result || typeof result !== "object")
    return { points: [], warnings: ["energy/solar_forecast: no result"] };
  const entries = Object.entries(result as Record<string, unknown>).filter(
    ([id]) => configEntry === undefined || id === configEntry,
  );
  if (entries.length === 0) {
    return {
      points: [],
      warnings: [`energy/solar_forecast: no forecast${configEntry ? ` for ${configEntry}` : ""}`],
    };
  }
  const series = entries.map(([id, value]) =>
    readTimeMap(
      `energy/solar_forecast ${id}`,
      (value as { wh_hours?: unknown })?.wh_hours,
      "Wh",
      HOUR_MS,
      window,
    ),
  );
  return {
    points: sumEnergySeries(series.map((s) => s.points)),
    warnings: series.flatMap((s) => s.warnings),
  };
}

/** Reads every configured sensor with `read` and sums them (arrays, and today/tomorrow/day 3). */
export function readSolarSensors(
  entityIds: readonly string[],
  states: Record<string, HaEntityState>,
  read: (entityId: string, state: HaEntityState | undefined, window?: ReadWindow) => ReadResult<EnergyPoint>,
  window?: ReadWindow,
): ReadResult<EnergyPoint> {
  const results = entityIds.map((id) => read(id, states[id], window));
  return {
    points: sumEnergySeries(results.map((r) => r.points)),
    warnings: results.flatMap((r) => r.warnings),
  };
}
