// Solar forecasts, each mapped to energy per UTC interval, several sources or arrays summed:
// - Solcast (BJReplay/ha-solcast-solar): `detailedForecast: [{period_start, pv_estimate,
//   pv_estimate10, pv_estimate90}]`, average kW over each 30-minute period (energy = kW × h).
// - Forecast.Solar / Open-Meteo style sensors: `wh_period: {iso: Wh in the period starting then}`
//   (preferred), or `watts: {iso: W}` (held until the next key).
// - HA's `energy/solar_forecast`: {config_entry_id: {wh_hours: {iso: Wh in that hour}}}.
import { z } from "zod";
import type { EnergyPoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { attributeArray, parseInstant, parseNumber } from "../states.js";
import { normaliseSeries, type ReadResult, sumEnergySeries } from "./series.js";

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

export function readSolcast(entityId: string, state: HaEntityState | undefined): ReadResult<EnergyPoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  const periods = attributeArray(state, "detailedForecast");
  if (!periods) return { points: [], warnings: [`${entityId}: no detailedForecast attribute`] };
  const entries: { startMs: number; kw: number; p10?: number; p90?: number }[] = [];
  let skipped = 0;
  for (const raw of periods) {
    const parsed = solcastPeriod.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.period_start) : undefined;
    const kw = parsed.success ? parseNumber(parsed.data.pv_estimate) : undefined;
    if (startMs === undefined || kw === undefined || kw < 0) {
      skipped += 1;
      continue;
    }
    const p10 = parsed.success ? parseNumber(parsed.data.pv_estimate10) : undefined;
    const p90 = parsed.success ? parseNumber(parsed.data.pv_estimate90) : undefined;
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
  const warnings = skipped > 0 ? [`${entityId}: ignored ${skipped} missing or malformed period(s)`] : [];
  return { points: normaliseSeries(points), warnings };
}

function readTimeMap(
  source: string,
  map: unknown,
  toKwh: (value: number, hours: number) => number,
  defaultStepMs: number,
): ReadResult<EnergyPoint> {
  if (!map || typeof map !== "object" || Array.isArray(map))
    return { points: [], warnings: [`${source}: no data`] };
  const entries: { startMs: number; value: number }[] = [];
  let skipped = 0;
  for (const [key, raw] of Object.entries(map)) {
    const startMs = parseInstant(key);
    const value = parseNumber(raw);
    if (startMs === undefined || value === undefined || value < 0) skipped += 1;
    else entries.push({ startMs, value });
  }
  const points = withEnds(entries, defaultStepMs).map((e) => ({
    startMs: e.startMs,
    endMs: e.endMs,
    energyKwh: toKwh(e.value, (e.endMs - e.startMs) / HOUR_MS),
  }));
  const warnings = skipped > 0 ? [`${source}: ignored ${skipped} missing or malformed value(s)`] : [];
  return { points: normaliseSeries(points), warnings };
}

export function readForecastSolar(
  entityId: string,
  state: HaEntityState | undefined,
): ReadResult<EnergyPoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  if (state.attributes.wh_period !== undefined) {
    return readTimeMap(entityId, state.attributes.wh_period, (wh) => wh / 1000, HOUR_MS);
  }
  if (state.attributes.watts !== undefined) {
    return readTimeMap(entityId, state.attributes.watts, (w, hours) => (w / 1000) * hours, HOUR_MS / 4);
  }
  return { points: [], warnings: [`${entityId}: neither wh_period nor watts attribute`] };
}

/** HA's energy/solar_forecast result; `configEntry` picks one forecast, otherwise all are summed. */
export function readEnergySolarForecast(result: unknown, configEntry?: string): ReadResult<EnergyPoint> {
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
      (wh) => wh / 1000,
      HOUR_MS,
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
  read: (entityId: string, state: HaEntityState | undefined) => ReadResult<EnergyPoint>,
): ReadResult<EnergyPoint> {
  const results = entityIds.map((id) => read(id, states[id]));
  return {
    points: sumEnergySeries(results.map((r) => r.points)),
    warnings: results.flatMap((r) => r.warnings),
  };
}
