// Nord Pool, two integrations:
// - the custom component (custom-components/nordpool): sensor attributes `raw_today` and
//   `raw_tomorrow` = [{start, end, value}] at 60 or 15 minutes, already in the sensor's unit:
//   `unit` (kWh, MWh, Wh) and `price_in_cents` (öre/øre/cent) — unit_of_measurement says the
//   same as "Öre/kWh", "EUR/MWh"; `value` is null for hours not published yet.
// - the core integration's action `nordpool.get_prices_for_date` (config_entry, date): response
//   {AREA: [{start, end, price}]}, instants in UTC, price per MWh in the entry's currency.
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { pricePerKwh, priceUnitFactor } from "../quantities.js";
import { attributeArray, attributeString, parseInstant } from "../states.js";
import type { RateReadOptions } from "./octopus.js";
import { checkPrices, dropIfImplausible } from "./plausibility.js";
import { clipEntries, field, normaliseRates, type ReadResult, Rejections } from "./series.js";

const rawItem = z.object({ start: z.string(), end: z.string(), value: z.unknown() });

/** The sensor's price unit as "<money>/<energy>", from `unit` and `price_in_cents` where the
 * component sets them, else unit_of_measurement; undefined when it cannot tell. */
export function nordpoolPriceUnit(state: HaEntityState): string | undefined {
  const uom = attributeString(state, "unit_of_measurement") ?? "";
  const [moneyPart = "", energyPart = ""] = uom.split("/").map((part) => part.trim());
  const energy = (attributeString(state, "unit") ?? energyPart).trim();
  const unit = `${state.attributes.price_in_cents === true ? "c" : moneyPart || "currency"}/${energy}`;
  return priceUnitFactor(unit) === undefined ? undefined : unit;
}

/** Factor from the sensor's price unit to currency per kWh, or undefined when it cannot tell. */
export function nordpoolFactor(state: HaEntityState): number | undefined {
  const unit = nordpoolPriceUnit(state);
  return unit === undefined ? undefined : priceUnitFactor(unit);
}

export function readNordpoolSensor(
  entityId: string,
  state: HaEntityState | undefined,
  options: RateReadOptions = {},
): ReadResult<RatePoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  const unit = nordpoolPriceUnit(state);
  if (unit === undefined) {
    return {
      points: [],
      warnings: [`${entityId}: cannot tell the price unit (unit_of_measurement missing)`],
    };
  }
  const points: RatePoint[] = [];
  const warnings: string[] = [];
  const rejected = new Rejections();
  for (const key of ["raw_today", "raw_tomorrow"]) {
    const clipped = clipEntries(
      `${entityId} ${key}`,
      attributeArray(state, key) ?? [],
      field("start"),
      options.window,
    );
    warnings.push(...clipped.warnings);
    for (const raw of clipped.entries) {
      const parsed = rawItem.safeParse(raw);
      const startMs = parsed.success ? parseInstant(parsed.data.start) : undefined;
      const endMs = parsed.success ? parseInstant(parsed.data.end) : undefined;
      if (!parsed.success || startMs === undefined || endMs === undefined || endMs <= startMs) {
        rejected.reject("not a {start, end, value} interval");
        continue;
      }
      const price = rejected.take(pricePerKwh(parsed.data.value, unit));
      if (price !== undefined) points.push({ startMs, endMs, pricePerKwh: price });
    }
  }
  warnings.push(...rejected.warnings(entityId, "price"));
  if (!attributeArray(state, "raw_today")) warnings.push(`${entityId}: no raw_today attribute`);
  const merged = normaliseRates(points, entityId, options.prefer);
  const currency = attributeString(state, "currency");
  return checkPrices(
    dropIfImplausible(
      { points: merged.points, warnings: [...warnings, ...merged.warnings] },
      entityId,
      rejected.implausible,
    ),
    entityId,
    currency,
  );
}

const coreItem = z.object({ start: z.string(), end: z.string(), price: z.unknown() });

export function readNordpoolCoreResponse(
  response: unknown,
  area: string | undefined,
  options: RateReadOptions = {},
): ReadResult<RatePoint> {
  if (!response || typeof response !== "object") {
    return { points: [], warnings: ["nordpool.get_prices_for_date: empty response"] };
  }
  const areas = Object.keys(response);
  const chosen = area ?? areas[0];
  const entries = chosen === undefined ? undefined : (response as Record<string, unknown>)[chosen];
  if (!Array.isArray(entries)) {
    return {
      points: [],
      warnings: [
        `nordpool.get_prices_for_date: no prices for area ${chosen ?? "?"} (got ${areas.join(", ")})`,
      ],
    };
  }
  const source = "nordpool.get_prices_for_date";
  const clipped = clipEntries(source, entries, field("start"), options.window);
  const points: RatePoint[] = [];
  const rejected = new Rejections();
  for (const raw of clipped.entries) {
    const parsed = coreItem.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.start) : undefined;
    const endMs = parsed.success ? parseInstant(parsed.data.end) : undefined;
    if (!parsed.success || startMs === undefined || endMs === undefined || endMs <= startMs) {
      rejected.reject("not a {start, end, price} interval");
      continue;
    }
    const price = rejected.take(pricePerKwh(parsed.data.price, "currency/MWh"));
    if (price !== undefined) points.push({ startMs, endMs, pricePerKwh: price });
  }
  const merged = normaliseRates(points, source, options.prefer);
  return dropIfImplausible(
    {
      points: merged.points,
      warnings: [...clipped.warnings, ...rejected.warnings(source, "price"), ...merged.warnings],
    },
    source,
    rejected.implausible,
  );
}
