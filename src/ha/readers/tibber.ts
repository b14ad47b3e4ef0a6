// Tibber core integration action `tibber.get_prices` (start, end): response
// {prices: {<home name>: [{start_time, price, level}]}}, price per kWh incl. taxes. Entries carry
// only their start; each lasts until the next one (hourly, or 15 minutes since late 2025).
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import { parseInstant, parseNumber } from "../states.js";
import { normaliseSeries, type ReadResult } from "./series.js";

const responseSchema = z.object({ prices: z.record(z.string(), z.array(z.unknown())) });
const entrySchema = z.object({ start_time: z.string(), price: z.unknown() });
const HOUR_MS = 3_600_000;

export function readTibberResponse(response: unknown, home?: string): ReadResult<RatePoint> {
  const parsed = responseSchema.safeParse(response);
  if (!parsed.success) return { points: [], warnings: ["tibber.get_prices: unexpected response shape"] };
  const homes = Object.keys(parsed.data.prices);
  const chosen = home ?? homes.find((name) => (parsed.data.prices[name]?.length ?? 0) > 0);
  const warnings: string[] = [];
  if (home === undefined && homes.length > 1)
    warnings.push(`tibber.get_prices: several homes, using '${chosen}'`);
  const starts: { startMs: number; price: number }[] = [];
  let skipped = 0;
  for (const raw of chosen === undefined ? [] : (parsed.data.prices[chosen] ?? [])) {
    const entry = entrySchema.safeParse(raw);
    const startMs = entry.success ? parseInstant(entry.data.start_time) : undefined;
    const price = entry.success ? parseNumber(entry.data.price) : undefined;
    if (startMs === undefined || price === undefined) {
      skipped += 1;
      continue;
    }
    starts.push({ startMs, price });
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
  if (skipped > 0) warnings.push(`tibber.get_prices: ignored ${skipped} malformed price(s)`);
  if (chosen === undefined) warnings.push("tibber.get_prices: no prices for any home");
  return { points: normaliseSeries(points), warnings };
}
