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
import { attributeArray, attributeString, parseInstant, parseNumber } from "../states.js";
import { normaliseSeries, type ReadResult } from "./series.js";

const rawItem = z.object({ start: z.string(), end: z.string(), value: z.unknown() });
const SUBUNITS = new Set(["öre", "ore", "øre", "c", "ct", "cent", "cents", "snt", "p", "pence"]);

/** Factor from the sensor's price unit to currency per kWh, or undefined when it cannot tell. */
export function nordpoolFactor(state: HaEntityState): number | undefined {
  const uom = attributeString(state, "unit_of_measurement") ?? "";
  const [moneyPart = "", energyPart = ""] = uom.split("/").map((part) => part.trim().toLowerCase());
  const energy = (attributeString(state, "unit") ?? energyPart).trim().toLowerCase();
  const perKwh = energy === "mwh" ? 1 / 1000 : energy === "wh" ? 1000 : energy === "kwh" ? 1 : undefined;
  if (perKwh === undefined) return undefined;
  const cents = state.attributes.price_in_cents === true || SUBUNITS.has(moneyPart);
  return perKwh * (cents ? 0.01 : 1);
}

export function readNordpoolSensor(
  entityId: string,
  state: HaEntityState | undefined,
): ReadResult<RatePoint> {
  if (!state) return { points: [], warnings: [`${entityId}: entity not found`] };
  const factor = nordpoolFactor(state);
  if (factor === undefined) {
    return {
      points: [],
      warnings: [`${entityId}: cannot tell the price unit (unit_of_measurement missing)`],
    };
  }
  const points: RatePoint[] = [];
  let skipped = 0;
  for (const key of ["raw_today", "raw_tomorrow"]) {
    for (const raw of attributeArray(state, key) ?? []) {
      const parsed = rawItem.safeParse(raw);
      const startMs = parsed.success ? parseInstant(parsed.data.start) : undefined;
      const endMs = parsed.success ? parseInstant(parsed.data.end) : undefined;
      const value = parsed.success ? parseNumber(parsed.data.value) : undefined;
      if (startMs === undefined || endMs === undefined || value === undefined || endMs <= startMs) {
        skipped += 1;
        continue;
      }
      points.push({ startMs, endMs, pricePerKwh: value * factor });
    }
  }
  const warnings = skipped > 0 ? [`${entityId}: ignored ${skipped} missing or malformed price(s)`] : [];
  if (!attributeArray(state, "raw_today")) warnings.push(`${entityId}: no raw_today attribute`);
  return { points: normaliseSeries(points), warnings };
}

const coreItem = z.object({ start: z.string(), end: z.string(), price: z.unknown() });

export function readNordpoolCoreResponse(response: unknown, area: string | undefined): ReadResult<RatePoint> {
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
  const points: RatePoint[] = [];
  let skipped = 0;
  for (const raw of entries) {
    const parsed = coreItem.safeParse(raw);
    const startMs = parsed.success ? parseInstant(parsed.data.start) : undefined;
    const endMs = parsed.success ? parseInstant(parsed.data.end) : undefined;
    const perMwh = parsed.success ? parseNumber(parsed.data.price) : undefined;
    if (startMs === undefined || endMs === undefined || perMwh === undefined || endMs <= startMs) {
      skipped += 1;
      continue;
    }
    points.push({ startMs, endMs, pricePerKwh: perMwh / 1000 });
  }
  const warnings = skipped > 0 ? [`nordpool.get_prices_for_date: ignored ${skipped} malformed price(s)`] : [];
  return { points: normaliseSeries(points), warnings };
}
