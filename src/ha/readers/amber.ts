// Amber Electric (core integration): the `forecasts` attribute of the *_forecast sensors and the
// response of `amberelectric.get_forecasts` are lists of {start_time, end_time, per_kwh, …} with
// per_kwh in $/kWh; for the feed-in channel HA has already flipped the sign so that a positive
// value is what you are paid. Amber's intervals start one second past the boundary
// ("11:00:01"), so starts are floored to the minute. The "Amber Express" custom integration uses
// `forecast: [{time, value}]` instead, each value holding until the next time.
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { pricePerKwh } from "../quantities.js";
import { parseInstant } from "../states.js";
import type { RateReadOptions } from "./octopus.js";
import { checkPrices, dropIfImplausible } from "./plausibility.js";
import { clipEntries, field, normaliseRates, type ReadResult, Rejections } from "./series.js";

const amberInterval = z.object({ start_time: z.string(), end_time: z.string(), per_kwh: z.unknown() });
const expressPoint = z.object({ time: z.string(), value: z.unknown() });
const MINUTE_MS = 60_000;

/** Amber's prices are $/kWh (AUD), checked against what the Australian market can cost. */
function finish(
  source: string,
  points: RatePoint[],
  warnings: string[],
  rejected: Rejections,
  options: RateReadOptions,
): ReadResult<RatePoint> {
  const merged = normaliseRates(points, source, options.prefer);
  const result = {
    points: merged.points,
    warnings: [...warnings, ...rejected.warnings(source, "forecast"), ...merged.warnings],
  };
  return checkPrices(dropIfImplausible(result, source, rejected.implausible), source, "AUD");
}

export function readAmberForecasts(
  source: string,
  forecasts: unknown,
  options: RateReadOptions = {},
): ReadResult<RatePoint> {
  if (!Array.isArray(forecasts)) return { points: [], warnings: [`${source}: no forecasts list`] };
  const clipped = clipEntries(source, forecasts, field("start_time"), options.window);
  const points: RatePoint[] = [];
  const rejected = new Rejections();
  for (const raw of clipped.entries) {
    const parsed = amberInterval.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.start_time) : undefined;
    const endMs = parsed.success ? parseInstant(parsed.data.end_time) : undefined;
    if (!parsed.success || startMs === undefined || endMs === undefined) {
      rejected.reject("not a {start_time, end_time, per_kwh} interval");
      continue;
    }
    const price = rejected.take(pricePerKwh(parsed.data.per_kwh, "AUD/kWh"));
    if (price === undefined) continue;
    const flooredStart = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
    if (endMs > flooredStart) points.push({ startMs: flooredStart, endMs, pricePerKwh: price });
  }
  return finish(source, points, clipped.warnings, rejected, options);
}

function readExpress(source: string, forecast: unknown[], options: RateReadOptions): ReadResult<RatePoint> {
  const clipped = clipEntries(source, forecast, field("time"), options.window);
  const starts: { startMs: number; price: number }[] = [];
  const rejected = new Rejections();
  for (const raw of clipped.entries) {
    const parsed = expressPoint.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.time) : undefined;
    if (!parsed.success || startMs === undefined) {
      rejected.reject("not a {time, value} point");
      continue;
    }
    const price = rejected.take(pricePerKwh(parsed.data.value, "AUD/kWh"));
    if (price !== undefined) starts.push({ startMs, price });
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
  return finish(source, points, clipped.warnings, rejected, options);
}

/** A configured Amber sensor: the forecast sensor's list, Amber Express's list, or the current
 * price sensor's own interval. */
export function readAmberSensor(
  entityId: string,
  state: HaEntityState | undefined,
  options: RateReadOptions = {},
): ReadResult<RatePoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  const attrs = state.attributes;
  if (Array.isArray(attrs.forecasts)) return readAmberForecasts(entityId, attrs.forecasts, options);
  if (Array.isArray(attrs.forecast)) return readExpress(entityId, attrs.forecast, options);
  if (attrs.start_time !== undefined && attrs.end_time !== undefined) {
    return readAmberForecasts(entityId, [{ ...attrs, per_kwh: attrs.per_kwh ?? state.state }], options);
  }
  return { points: [], warnings: [`${entityId}: no Amber forecast attributes`] };
}
