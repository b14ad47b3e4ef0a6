// What the meters measured in finished slots, for the day score: the household load from the
// recorder statistics of `load.consumption_entity` (less `load.ev_entity`), the PV from the solar
// production statistics HA's Energy dashboard names (`energy/get_prefs`, the sources of type
// "solar"). The recorder's 5-minute statistics (kept about ten days) resolve half-hour slots;
// where a statistic has none, its hourly rows are spread evenly over their slots.
import { z } from "zod";
import type { Config } from "../config/schema.js";
import type { GridSlot } from "../core/slot-grid.js";
import { resampleEnergy } from "../core/slot-grid.js";
import { errorMessage, InputError } from "../errors.js";
import type { MeasuredEnergy } from "../runtime/ports.js";
import { isSaneInstant } from "../runtime/time-bounds.js";
import type { HaClient } from "./client.js";
import { energyKwh, parsedValue } from "./quantities.js";
import { parseInstant } from "./states.js";

const FIVE_MINUTES_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
/** More than any house or roof meters in five minutes (a 1.2 MW rate); beyond it: a unit slip. */
const MAX_KWH_PER_HOUR = 100;

type Period = "5minute" | "hour";
const PERIOD_MS: Record<Period, number> = { "5minute": FIVE_MINUTES_MS, hour: HOUR_MS };

const statRow = z.object({ start: z.union([z.number(), z.string()]) }).passthrough();

interface MeteredPoint {
  startMs: number;
  endMs: number;
  energyKwh: number;
}

/** Longest stretch without rows whose energy is still spread over it (the row after a gap
 * carries the gap's energy in its change); beyond it the stretch is left unmeasured. */
const MAX_SPREAD_GAP_MS = HOUR_MS;

/** Energy per statistics row: `change`, else the difference of `sum` to the row before. A row
 * after a short gap (the meter unavailable for a while: HA wrote no row) covers the gap too, since
 * its change holds the gap's energy. A negative or absurd change (a meter reset, a unit slip) is
 * left out. */
export function meteredPoints(rows: unknown, period: Period): MeteredPoint[] {
  const out: MeteredPoint[] = [];
  if (!Array.isArray(rows)) return out;
  const periodMs = PERIOD_MS[period];
  let previousSum: number | undefined;
  let previousEndMs: number | undefined;
  for (const raw of rows) {
    const parsed = statRow.safeParse(raw);
    if (!parsed.success) continue;
    const startMs = parseInstant(parsed.data.start);
    // A start outside 2000–2100 is no statistics row (a number that is not an instant).
    if (!isSaneInstant(startMs)) continue;
    // The statistics are asked for in kWh (units: {energy: "kWh"}).
    const sum = parsedValue(energyKwh(parsed.data.sum, "kWh"));
    let change = parsedValue(energyKwh(parsed.data.change, "kWh"));
    if (sum !== undefined && previousSum !== undefined) change = sum - previousSum;
    const gapMs = previousEndMs === undefined ? 0 : startMs - previousEndMs;
    const fromMs = gapMs > 0 && gapMs <= MAX_SPREAD_GAP_MS ? previousEndMs! : startMs;
    const longGap = gapMs > MAX_SPREAD_GAP_MS;
    if (sum !== undefined) previousSum = sum;
    previousEndMs = startMs + periodMs;
    if (change === undefined || longGap) continue;
    if (change < 0 || change > (MAX_KWH_PER_HOUR * (previousEndMs - fromMs)) / HOUR_MS) continue;
    out.push({ startMs: fromMs, endMs: previousEndMs, energyKwh: change });
  }
  return out;
}

const energySourceSchema = z
  .object({ type: z.string(), stat_energy_from: z.string().nullish() })
  .passthrough();
const energyPrefsSchema = z.object({ energy_sources: z.array(z.unknown()) }).passthrough();

/** The solar production statistics the Energy dashboard names, in its order. */
export function solarStatisticIds(prefs: unknown): string[] {
  const parsed = energyPrefsSchema.safeParse(prefs);
  if (!parsed.success) return [];
  const ids: string[] = [];
  for (const raw of parsed.data.energy_sources) {
    const source = energySourceSchema.safeParse(raw);
    if (source.success && source.data.type === "solar" && source.data.stat_energy_from)
      ids.push(source.data.stat_energy_from);
  }
  return [...new Set(ids)];
}

const unifiedGridSchema = z
  .object({
    type: z.literal("grid"),
    stat_energy_from: z.string().nullish(),
    stat_energy_to: z.string().nullish(),
  })
  .passthrough();
const legacyGridSchema = z
  .object({
    type: z.literal("grid"),
    flow_from: z.array(z.object({ stat_energy_from: z.string() }).passthrough()),
    flow_to: z.array(z.object({ stat_energy_to: z.string() }).passthrough()),
  })
  .passthrough();

/** The grid import and export meters the Energy dashboard names: HA's current format (one source
 * per import/export pair) and the older `flow_from`/`flow_to` lists (energy/data.py). */
export function gridStatisticIds(prefs: unknown): { importIds: string[]; exportIds: string[] } {
  const importIds: string[] = [];
  const exportIds: string[] = [];
  const parsed = energyPrefsSchema.safeParse(prefs);
  if (!parsed.success) return { importIds, exportIds };
  for (const raw of parsed.data.energy_sources) {
    const legacy = legacyGridSchema.safeParse(raw);
    if (legacy.success) {
      importIds.push(...legacy.data.flow_from.map((f) => f.stat_energy_from));
      exportIds.push(...legacy.data.flow_to.map((f) => f.stat_energy_to));
      continue;
    }
    const unified = unifiedGridSchema.safeParse(raw);
    if (!unified.success) continue;
    if (unified.data.stat_energy_from) importIds.push(unified.data.stat_energy_from);
    if (unified.data.stat_energy_to) exportIds.push(unified.data.stat_energy_to);
  }
  return { importIds: [...new Set(importIds)], exportIds: [...new Set(exportIds)] };
}

export interface MeasuredEnergyReader {
  read(slots: readonly GridSlot[]): Promise<MeasuredEnergy>;
  /** What stops days from being scored, said at start rather than after the first night. */
  missingMeters(): Promise<string[]>;
}

export function createMeasuredEnergyReader(client: HaClient, config: Config): MeasuredEnergyReader {
  const statistics = async (ids: string[], fromMs: number, toMs: number, period: Period) => {
    if (ids.length === 0) return {} as Record<string, unknown>;
    // One row before the first slot: the first slot's energy is then a difference of two sums,
    // whatever the recorder's first `change` counts from.
    return client.sendMessage<Record<string, unknown>>({
      type: "recorder/statistics_during_period",
      start_time: new Date(fromMs - PERIOD_MS[period]).toISOString(),
      end_time: new Date(toMs).toISOString(),
      statistic_ids: ids,
      period,
      types: ["change", "sum"],
      units: { energy: "kWh" },
    });
  };

  /** Per statistic: its 5-minute rows, else its hourly rows. */
  const pointsOf = async (ids: string[], fromMs: number, toMs: number) => {
    const out = new Map<string, MeteredPoint[]>();
    const fine = await statistics(ids, fromMs, toMs, "5minute");
    for (const id of ids) {
      const points = meteredPoints(fine[id], "5minute").filter((p) => p.startMs >= fromMs);
      if (points.length > 0) out.set(id, points);
    }
    const coarseIds = ids.filter((id) => !out.has(id));
    if (coarseIds.length > 0) {
      const coarse = await statistics(coarseIds, fromMs, toMs, "hour");
      for (const id of coarseIds)
        out.set(
          id,
          meteredPoints(coarse[id], "hour").filter((p) => p.startMs >= fromMs),
        );
    }
    return out;
  };

  /** The Energy dashboard's PV meters, with a note when there are none (or HA cannot say), and
   * its grid meters. */
  const dashboardMeters = async (): Promise<{
    ids: string[];
    grid: { importIds: string[]; exportIds: string[] };
    notes: string[];
  }> => {
    const notes: string[] = [];
    let ids: string[] = [];
    let grid = { importIds: [] as string[], exportIds: [] as string[] };
    try {
      const prefs = await client.sendMessage({ type: "energy/get_prefs" });
      ids = solarStatisticIds(prefs);
      grid = gridStatisticIds(prefs);
    } catch (error) {
      if (config.solar.source !== "none")
        notes.push(`HA's Energy dashboard preferences could not be read (${errorMessage(error)})`);
    }
    if (config.solar.source === "none") return { ids: [], grid, notes: [] };
    if (ids.length === 0)
      notes.push(
        "HA's Energy dashboard names no solar production: add the PV energy sensor there " +
          "(Settings → Dashboards → Energy → Solar panels) so that days can be scored",
      );
    return { ids, grid, notes };
  };

  return {
    async missingMeters() {
      const { notes } = await dashboardMeters();
      if (!config.load.consumption_entity)
        notes.push("load.consumption_entity is not set: the day's load is not measured");
      return notes;
    },

    async read(slots) {
      const notes: string[] = [];
      const none = slots.map(() => undefined);
      if (slots.length === 0) return { loadKwh: [], pvKwh: [], notes };
      const fromMs = slots[0]!.startMs;
      const toMs = slots.at(-1)!.endMs;
      const { consumption_entity: consumptionId, ev_entity: evId } = config.load;
      const solar = await dashboardMeters();
      const solarIds = solar.ids;
      notes.push(...solar.notes);
      if (!consumptionId) notes.push("load.consumption_entity is not set: the day's load is not measured");
      const { importIds, exportIds } = solar.grid;
      const ids = [consumptionId, evId, ...solarIds, ...importIds, ...exportIds].filter((id): id is string =>
        Boolean(id),
      );
      let points: Map<string, MeteredPoint[]>;
      try {
        points = await pointsOf([...new Set(ids)], fromMs, toMs);
      } catch (error) {
        // HA down or restarting: worth trying again later, not a day lost.
        throw new InputError("recorder", `cannot read the recorder's statistics: ${errorMessage(error)}`, {
          cause: error,
          retryable: true,
        });
      }
      const perSlot = (id: string) => {
        const resampled = resampleEnergy(points.get(id) ?? [], slots, (p) => p.energyKwh);
        // A slot the meter covers only in part is not measured: scaling it up would be a guess.
        for (const gap of resampled.gaps) resampled.values[gap] = undefined;
        return resampled.values;
      };
      const consumption = consumptionId ? perSlot(consumptionId) : none;
      const ev = evId ? perSlot(evId) : undefined;
      const loadKwh = consumption.map((kwh, i) => {
        if (kwh === undefined) return undefined;
        // No EV row for a slot: the charger's meter recorded nothing then, so nothing to take out.
        return Math.max(0, kwh - (ev?.[i] ?? 0));
      });
      /** The sum of several meters per slot; undefined where any of them did not measure it. */
      const summed = (meterIds: string[]) => {
        const arrays = meterIds.map(perSlot);
        return slots.map((_, i) => {
          let total = 0;
          for (const values of arrays) {
            const kwh = values[i];
            if (kwh === undefined) return undefined;
            total += kwh;
          }
          return total;
        });
      };
      const gridKwh =
        importIds.length > 0 && exportIds.length > 0
          ? { gridImportKwh: summed(importIds), gridExportKwh: summed(exportIds) }
          : {};
      let pvKwh: (number | undefined)[] = none;
      if (config.solar.source === "none") pvKwh = slots.map(() => 0);
      else if (solarIds.length > 0) pvKwh = summed(solarIds);
      return { loadKwh, pvKwh, ...gridKwh, notes };
    },
  };
}
