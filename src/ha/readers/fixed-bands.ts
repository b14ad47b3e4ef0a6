// A fixed time-of-use tariff from the options (Octopus Go, Flux, Cosy style): bands of local
// wall-clock time, e.g. 00:30–05:30 at 0.085. Bands are laid out per local calendar day with luxon
// so that a 23- or 25-hour day gets the right UTC instants; a band whose end is not after its
// start runs past midnight. Anything no band covers costs `default_price`, or the first band's.
import { DateTime } from "luxon";
import type { RatePoint } from "../../runtime/ports.js";
import { normaliseSeries, type ReadResult } from "./series.js";

export interface FixedBand {
  start: string;
  end: string;
  price: number;
}

function at(day: DateTime, hhmm: string): DateTime {
  const [hour = 0, minute = 0] = hhmm.split(":").map((part) => Number.parseInt(part, 10));
  // A time the clocks skip (01:30 on the spring-forward day) resolves to the next real instant.
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

export function fixedBandRates(
  bands: readonly FixedBand[],
  defaultPrice: number | undefined,
  zone: string,
  fromMs: number,
  toMs: number,
): ReadResult<RatePoint> {
  const fallback = defaultPrice ?? bands[0]?.price;
  if (fallback === undefined)
    return { points: [], warnings: ["fixed tariff: no bands and no default_price"] };
  const banded: RatePoint[] = [];
  let day = DateTime.fromMillis(fromMs, { zone }).startOf("day").minus({ days: 1 });
  const lastDay = DateTime.fromMillis(toMs, { zone }).startOf("day").plus({ days: 1 });
  while (day <= lastDay) {
    for (const band of bands) {
      const start = at(day, band.start);
      let end = at(day, band.end);
      if (end <= start) end = at(day.plus({ days: 1 }), band.end);
      banded.push({ startMs: start.toMillis(), endMs: end.toMillis(), pricePerKwh: band.price });
    }
    day = day.plus({ days: 1 });
  }
  // Later bands win where bands overlap; then fill what is left with the fallback price.
  const cuts = new Set<number>([fromMs, toMs]);
  for (const b of banded) {
    if (b.startMs > fromMs && b.startMs < toMs) cuts.add(b.startMs);
    if (b.endMs > fromMs && b.endMs < toMs) cuts.add(b.endMs);
  }
  const edges = [...cuts].sort((a, b) => a - b);
  const points: RatePoint[] = [];
  for (let i = 0; i + 1 < edges.length; i += 1) {
    const startMs = edges[i] as number;
    const endMs = edges[i + 1] as number;
    const covering = banded.filter((b) => b.startMs <= startMs && b.endMs >= endMs).at(-1);
    const price = covering?.pricePerKwh ?? fallback;
    const last = points.at(-1);
    if (last && last.endMs === startMs && last.pricePerKwh === price) last.endMs = endMs;
    else points.push({ startMs, endMs, pricePerKwh: price });
  }
  return { points: normaliseSeries(points), warnings: [] };
}
