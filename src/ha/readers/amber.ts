// Amber Electric (core integration): the `forecasts` attribute of the *_forecast sensors and the
// response of `amberelectric.get_forecasts` are lists of {start_time, end_time, per_kwh, …} with
// per_kwh in $/kWh; for the feed-in channel HA has already flipped the sign so that a positive
// value is what you are paid. Amber's intervals start one second past the boundary
// ("11:00:01"), so starts are floored to the minute. The "Amber Express" custom integration uses
// `forecast: [{time, value}]` instead, each value holding until the next time.
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { parseInstant, parseNumber } from "../states.js";
import { normaliseSeries, type ReadResult } from "./series.js";

const amberInterval = z.object({ start_time: z.string(), end_time: z.string(), per_kwh: z.unknown() });
const expressPoint = z.object({ time: z.string(), value: z.unknown() });
const MINUTE_MS = 60_000;

export function readAmberForecasts(source: string, forecasts: unknown): ReadResult<RatePoint> {
  if (!Array.isArray(forecasts)) return { points: [], warnings: [`${source}: no forecasts list`] };
  const points: RatePoint[] = [];
  let skipped = 0;
  for (const raw of forecasts) {
    const parsed = amberInterval.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.start_time) : undefined;
    const endMs = parsed.success ? parseInstant(parsed.data.end_time) : undefined;
    const price = parsed.success ? parseNumber(parsed.data.per_kwh) : undefined;
    if (startMs === undefined || endMs === undefined || price === undefined) {
      skipped += 1;
      continue;
    }
    const flooredStart = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
    if (endMs > flooredStart) points.push({ startMs: flooredStart, endMs, pricePerKwh: price });
  }
  const warnings = skipped > 0 ? [`${source}: ignored ${skipped} malformed forecast(s)`] : [];
  return { points: normaliseSeries(points), warnings };
}

function readExpress(source: string, forecast: unknown[]): ReadResult<RatePoint> {
  const starts: { startMs: number; price: number }[] = [];
  let skipped = 0;
  for (const raw of forecast) {
    const parsed = expressPoint.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.time) : undefined;
    const price = parsed.success ? parseNumber(parsed.data.value) : undefined;
    if (startMs === undefined || price === undefined) skipped += 1;
    else starts.push({ startMs, price });
  }
  starts.sort((a, b) => a.startMs - b.startMs);
  const points: RatePoint[] = [];
  for (let i = 0; i + 1 < starts.length; i += 1) {
    const current = starts[i] as { startMs: number; price: number };
    points.push({
      startMs: current.startMs,
      endMs: (starts[i + 1] as { startMs: number }).startMs,
      pricePerKwh: current.price,
    });
  }
  const warnings = skipped > 0 ? [`${source}: ignored ${skipped} malformed forecast point(s)`] : [];
  return { points: normaliseSeries(points), warnings };
}

/** A configured Amber sensor: the forecast sensor's list, Amber Express's list, or the current
 * price sensor's own interval. */
export function readAmberSensor(entityId: string, state: HaEntityState | undefined): ReadResult<RatePoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  const attrs = state.attributes;
  if (Array.isArray(attrs.forecasts)) return readAmberForecasts(entityId, attrs.forecasts);
  if (Array.isArray(attrs.forecast)) return readExpress(entityId, attrs.forecast);
  if (attrs.start_time !== undefined && attrs.end_time !== undefined) {
    return readAmberForecasts(entityId, [{ ...attrs, per_kwh: attrs.per_kwh ?? state.state }]);
  }
  return { points: [], warnings: [`${entityId}: no Amber forecast attributes`] };
}
