// Series that parse but cannot be true: prices a hundred times too high (pence read as pounds, a
// price per MWh read as per kWh), PV of a power station. One such value means the source or its
// unit is wrong, so the whole series is dropped with a warning and one log line, and the planner
// falls back as it does for a missing series: no import rates, no plan (the inverter stays in
// self-use); no export rates, export earns nothing; no PV forecast, no PV is counted on.
import type { EnergyPoint, RatePoint } from "../../runtime/ports.js";
import { formatInstant, logOnce, type ReadResult } from "./series.js";

const HOUR_MS = 3_600_000;

/** Largest believable |price| per kWh, in the currency's main unit. Retail prices with taxes,
 * including the markets' caps: Agile at £1/kWh, Nord Pool's harmonised limits (−500…4000 €/MWh),
 * Amber passing on the NEM's ~$20/kWh spikes. Ten times beyond those is still a slip. */
const MAX_ABS_PRICE_PER_KWH: Record<string, number> = {
  GBP: 5,
  EUR: 10,
  USD: 10,
  CHF: 10,
  PLN: 40,
  AUD: 30,
  NZD: 30,
  DKK: 80,
  SEK: 120,
  NOK: 120,
};

/** Largest believable |price| per kWh for a currency; undefined for one we cannot judge. */
export function maxPricePerKwh(currency: string | undefined): number | undefined {
  return currency === undefined ? undefined : MAX_ABS_PRICE_PER_KWH[currency.trim().toUpperCase()];
}

/** A home's PV array, average kW over a forecast period; a forecast above it is a unit slip. */
export const MAX_PV_KW = 500;

function dropped<T>(result: ReadResult<T>, source: string, why: string): ReadResult<T> {
  const message = `${source}: ${why}; the whole series is ignored`;
  logOnce(`${source}:implausible`, message);
  return { points: [], warnings: [...result.warnings, message] };
}

/** Drops a series a parser already found an implausible value in. */
export function dropIfImplausible<T>(
  result: ReadResult<T>,
  source: string,
  implausible: string | undefined,
): ReadResult<T> {
  return implausible === undefined ? result : dropped(result, source, implausible);
}

/** Drops the rates when any price is beyond what `currency` can plausibly cost per kWh. */
export function checkPrices(
  result: ReadResult<RatePoint>,
  source: string,
  currency: string | undefined,
  zone = "UTC",
): ReadResult<RatePoint> {
  const bound = maxPricePerKwh(currency);
  if (bound === undefined) return result;
  const bad = result.points.find((p) => !(Math.abs(p.pricePerKwh) <= bound));
  if (!bad) return result;
  return dropped(
    result,
    source,
    `price ${bad.pricePerKwh} ${currency}/kWh at ${formatInstant(bad.startMs, zone)} is beyond ±${bound} ` +
      `${currency}/kWh (a price in pence or per MWh read as ${currency}/kWh?)`,
  );
}

/** Drops a PV forecast whose average power in any period is beyond MAX_PV_KW. */
export function checkPv(result: ReadResult<EnergyPoint>, source: string): ReadResult<EnergyPoint> {
  const kw = (p: EnergyPoint, kwh: number | undefined) => (kwh ?? 0) / ((p.endMs - p.startMs) / HOUR_MS);
  const bad = result.points.find(
    (p) => !(kw(p, p.energyKwh) <= MAX_PV_KW && kw(p, p.p10Kwh) <= MAX_PV_KW && kw(p, p.p90Kwh) <= MAX_PV_KW),
  );
  if (!bad) return result;
  return dropped(
    result,
    source,
    `PV of ${Number(kw(bad, Math.max(bad.energyKwh, bad.p90Kwh ?? 0)).toPrecision(3))} kW at ` +
      `${formatInstant(bad.startMs)} is beyond ${MAX_PV_KW} kW`,
  );
}
