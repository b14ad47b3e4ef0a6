// Octopus Energy integration (BottlecapDave/HomeAssistant-OctopusEnergy): the event entities
// `event.octopus_energy_electricity_<serial>_<mpan>[_export]_{current,next}_day_rates` carry the
// day's rates as `rates: [{start, end, value_inc_vat, is_capped}]`, `value_inc_vat` in £/kWh
// (pounds, not pence). Import and export meters have separate entities; the reader does not care.
import { z } from "zod";
import type { RatePoint } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { attributeArray, parseInstant, parseNumber } from "../states.js";
import { normaliseSeries, type ReadResult } from "./series.js";

const rateSchema = z.object({
  start: z.string(),
  end: z.string(),
  value_inc_vat: z.unknown(),
});

export function readOctopusRates(
  entityIds: readonly string[],
  states: Record<string, HaEntityState>,
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
    let skipped = 0;
    for (const raw of rates) {
      const parsed = rateSchema.safeParse(raw);
      const startMs = parsed.success ? parseInstant(parsed.data.start) : undefined;
      const endMs = parsed.success ? parseInstant(parsed.data.end) : undefined;
      const price = parsed.success ? parseNumber(parsed.data.value_inc_vat) : undefined;
      if (startMs === undefined || endMs === undefined || price === undefined || endMs <= startMs) {
        skipped += 1;
        continue;
      }
      points.push({ startMs, endMs, pricePerKwh: price });
    }
    if (skipped > 0) warnings.push(`${entityId}: ignored ${skipped} malformed rate(s)`);
  }
  return { points: normaliseSeries(points), warnings };
}
