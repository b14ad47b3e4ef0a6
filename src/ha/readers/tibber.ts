// Tibber core integration action `tibber.get_prices` (start, end): response
// {prices: {<home name>: [{start_time, price, level}]}}, price per kWh incl. taxes. Entries carry
// only their start; each lasts until the next one (hourly, or 15 minutes since late 2025).
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import { pricePerKwh } from "../quantities.js";
import { parseInstant } from "../states.js";
import type { RateReadOptions } from "./octopus.js";
import { dropIfImplausible } from "./plausibility.js";
import { clipEntries, field, normaliseRates, type ReadResult, Rejections } from "./series.js";

const responseSchema = z.object({ prices: z.record(z.string(), z.array(z.unknown())) });
const entrySchema = z.object({ start_time: z.string(), price: z.unknown() });
const HOUR_MS = 3_600_000;

export function readTibberResponse(
  response: unknown,
  home?: string,
  options: RateReadOptions = {},
): ReadResult<RatePoint> {
  const parsed = responseSchema.safeParse(response);
  if (!parsed.success) return { points: [], warnings: ["tibber.get_prices: unexpected response shape"] };
  const homes = Object.keys(parsed.data.prices);
  const chosen = home ?? homes.find((name) => (parsed.data.prices[name]?.length ?? 0) > 0);
  const warnings: string[] = [];
  if (home === undefined && homes.length > 1)
    warnings.push(`tibber.get_prices: several homes, using '${chosen}'`);
  const source = "tibber.get_prices";
  const clipped = clipEntries(
    source,
    chosen === undefined ? [] : (parsed.data.prices[chosen] ?? []),
    field("start_time"),
    options.window,
  );
  warnings.push(...clipped.warnings);
  const starts: { startMs: number; price: number }[] = [];
  const rejected = new Rejections();
  for (const raw of clipped.entries) {
    const entry = entrySchema.safeParse(raw);
    const startMs = entry.success ? parseInstant(entry.data.start_time) : undefined;
    if (!entry.success || startMs === undefined) {
      rejected.reject("not a {start_time, price} entry");
      continue;
    }
    // Tibber's price is per kWh in the home's currency (EUR, NOK, SEK), which the response omits.
    const price = rejected.take(pricePerKwh(entry.data.price, "currency/kWh"));
    if (price !== undefined) starts.push({ startMs, price });
  }
  starts.sort((a, b) => a.startMs - b.startMs);
  const points: RatePoint[] = starts.map((entry, i) => {
    const next = starts[i + 1];
    const previous = starts[i - 1];
    const stepMs = next
      ? next.startMs - entry.startMs
      : previous
        ? entry.startMs - previous.startMs
        : HOUR_MS;
    // A hole in the data would stretch one price over it; cap at an hour so the gap shows.
    return {
      startMs: entry.startMs,
      endMs: entry.startMs + Math.min(stepMs, HOUR_MS),
      pricePerKwh: entry.price,
    };
  });
  warnings.push(...rejected.warnings(source, "price"));
  if (chosen === undefined) warnings.push("tibber.get_prices: no prices for any home");
  const merged = normaliseRates(points, source, options.prefer);
  return dropIfImplausible(
    { points: merged.points, warnings: [...warnings, ...merged.warnings] },
    source,
    rejected.implausible,
  );
}
