// Octopus Energy integration (BottlecapDave/HomeAssistant-OctopusEnergy): the event entities
// `event.octopus_energy_electricity_<serial>_<mpan>[_export]_{current,next}_day_rates` carry the
// day's rates as `rates: [{start, end, value_inc_vat, is_capped}]`, `value_inc_vat` in £/kWh
// (pounds, not pence). Import and export meters have separate entities; the reader does not care.
// An attribute can be huge (a year of rates is 17,520 entries): only the planning window is parsed.
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { pricePerKwh } from "../quantities.js";
import { attributeArray, parseInstant } from "../states.js";
import { checkPrices, dropIfImplausible } from "./plausibility.js";
import {
  clipEntries,
  field,
  normaliseRates,
  type RatePreference,
  type ReadResult,
  type ReadWindow,
  Rejections,
} from "./series.js";

const rateSchema = z.object({
  start: z.string(),
  end: z.string(),
  value_inc_vat: z.unknown(),
});

export interface RateReadOptions {
  /** Only entries starting in it are parsed (see planningWindow). */
  window?: ReadWindow;
  /** Which of two different prices for one slot to keep: import "higher", export "lower". */
  prefer?: RatePreference;
}

export function readOctopusRates(
  entityIds: readonly string[],
  states: Record<string, HaEntityState>,
  options: RateReadOptions = {},
): ReadResult<RatePoint> {
  const points: RatePoint[] = [];
  const warnings: string[] = [];
  for (const entityId of entityIds) {
    const state = states[entityId];
    if (!state) {
      warnings.push(`${entityId}: entity not found`);
      continue;
    }
    const rates = attributeArray(state, "rates");
    if (!rates) {
      warnings.push(`${entityId}: no rates attribute (not an Octopus rates event entity, or no rates yet)`);
      continue;
    }
    const clipped = clipEntries(entityId, rates, field("start"), options.window);
    warnings.push(...clipped.warnings);
    const rejected = new Rejections();
    const own: RatePoint[] = [];
    for (const raw of clipped.entries) {
      const parsed = rateSchema.safeParse(raw);
      if (!parsed.success) {
        rejected.reject("not a {start, end, value_inc_vat} object");
        continue;
      }
      const startMs = parseInstant(parsed.data.start);
      const endMs = parseInstant(parsed.data.end);
      if (startMs === undefined || endMs === undefined || endMs <= startMs) {
        rejected.reject(`start ${parsed.data.start} and end ${parsed.data.end} are not an interval`);
        continue;
      }
      const price = rejected.take(pricePerKwh(parsed.data.value_inc_vat, "GBP/kWh"));
      if (price !== undefined) own.push({ startMs, endMs, pricePerKwh: price });
    }
    warnings.push(...rejected.warnings(entityId, "rate"));
    const checked = checkPrices(
      dropIfImplausible({ points: own, warnings: [] }, entityId, rejected.implausible),
      entityId,
      "GBP",
    );
    warnings.push(...checked.warnings);
    points.push(...checked.points);
  }
  const merged = normaliseRates(points, entityIds.join(", "), options.prefer);
  return { points: merged.points, warnings: [...warnings, ...merged.warnings] };
}
