// Scoring a finished local day from what the add-on kept (the rates it read and the commands it
// chose, day-ledger.ts; the SOC it sampled) and what HA's meters measured. Pure: everything comes
// in as arguments, `nowMs` included. The costing itself is core/day-score.ts.
import { DateTime } from "luxon";
import type { Config } from "../config/schema.js";
import {
  actualsProblem,
  type CommandSpan,
  type FinishedDay,
  type FinishedSlot,
  measuredCosting,
  meteredBillCost,
  replayedNetCost,
  scoreDay,
} from "../core/day-score.js";
import { modeCommandOf } from "../core/modes.js";
import { type GridSlot, resampleRates } from "../core/slot-grid.js";
import type { BatterySpec } from "../core/types.js";
import type { LedgerCommand } from "./day-ledger.js";
import type { DayScoreRecord, MeasuredEnergy, RatePoint, SocSample } from "./ports.js";

/** When yesterday is scored: after midnight, once HA has compiled the last hour's statistics (a
 * few minutes past it). */
export const DAY_SCORE_TIME = "00:30";

/** How far from a slot boundary a SOC sample may be and still say what the SOC was there. */
export const SOC_SAMPLE_REACH_MS = 20 * 60_000;

export interface LocalDay {
  /** YYYY-MM-DD in the home's zone. */
  date: string;
  startMs: number;
  endMs: number;
}

/** The local day before the one `atMs` falls in (23 or 25 hours long across a DST change). */
export function dayBefore(atMs: number, zone: string): LocalDay {
  const start = DateTime.fromMillis(atMs, { zone }).startOf("day").minus({ days: 1 });
  return {
    date: start.toISODate() ?? "",
    startMs: start.toMillis(),
    endMs: start.plus({ days: 1 }).toMillis(),
  };
}

/** The day's slots on the planner's grid (epoch-aligned, so they meet the local midnight). */
export function daySlots(day: LocalDay, slotMinutes: number): GridSlot[] {
  const slotMs = slotMinutes * 60_000;
  const slots: GridSlot[] = [];
  for (let startMs = day.startMs; startMs < day.endMs; startMs += slotMs) {
    slots.push({ startMs, endMs: Math.min(day.endMs, startMs + slotMs) });
  }
  return slots;
}

/** The SOC at `atMs`: interpolated between the samples either side, or the nearest one within
 * reach when there is a sample on one side only. */
export function socPctAt(samples: readonly SocSample[], atMs: number): number | undefined {
  let before: SocSample | undefined;
  let after: SocSample | undefined;
  for (const sample of samples) {
    if (sample.atMs <= atMs && (!before || sample.atMs >= before.atMs)) before = sample;
    if (sample.atMs >= atMs && (!after || sample.atMs < after.atMs)) after = sample;
  }
  const near = (s: SocSample | undefined) =>
    s !== undefined && Math.abs(s.atMs - atMs) <= SOC_SAMPLE_REACH_MS;
  if (before && after) {
    if (after.atMs === before.atMs) return before.socPct;
    // Far from both: the add-on was not running, and a straight line would be a guess.
    if (!near(before) && !near(after)) return undefined;
    const t = (atMs - before.atMs) / (after.atMs - before.atMs);
    return before.socPct + t * (after.socPct - before.socPct);
  }
  if (near(before)) return before!.socPct;
  if (near(after)) return after!.socPct;
  return undefined;
}

export interface ScoreInputs {
  day: LocalDay;
  config: Config;
  battery: BatterySpec;
  rates: { importRates: RatePoint[]; exportRates: RatePoint[] };
  commands: readonly LedgerCommand[];
  socSamples: readonly SocSample[];
  measured: MeasuredEnergy;
  slots: readonly GridSlot[];
  nowMs: number;
}

/** Scores the day, or says what stopped it from being scored. */
export function scoreFinishedDay(input: ScoreInputs): DayScoreRecord {
  const { day, config, battery, slots, measured } = input;
  const base = {
    date: day.date,
    startMs: day.startMs,
    endMs: day.endMs,
    scoredAtMs: input.nowMs,
    slotsInDay: slots.length,
  };
  // Nobody drove the battery at any point of the day: what it did was its own, so the day is
  // costed as the plans would have run it.
  const replayed = !input.commands.some((c) => c.driven && c.atMs < day.endMs);
  const notScored = (reason: string, slotsScored = 0): DayScoreRecord => ({
    ...base,
    replayed,
    reason,
    slotsScored,
  });
  const imports = resampleRates(input.rates.importRates, slots);
  const exports = resampleRates(input.rates.exportRates, slots);
  const capacityKwh = battery.capacityKwh;
  const socKwhAt = (atMs: number) => {
    const pct = socPctAt(input.socSamples, atMs);
    return pct === undefined ? undefined : (pct / 100) * capacityKwh;
  };
  const missing = { price: 0, load: 0, pv: 0, soc: 0 };
  const finished: FinishedSlot[] = [];
  slots.forEach((slot, i) => {
    const importPricePerKwh = imports.gaps.includes(i) ? undefined : imports.values[i];
    const loadKwh = measured.loadKwh[i];
    const pvKwh = measured.pvKwh[i];
    const socStartKwh = socKwhAt(slot.startMs);
    const socEndKwh = socKwhAt(slot.endMs);
    if (importPricePerKwh === undefined) missing.price++;
    if (loadKwh === undefined) missing.load++;
    if (pvKwh === undefined) missing.pv++;
    if (!replayed && (socStartKwh === undefined || socEndKwh === undefined)) missing.soc++;
    if (importPricePerKwh === undefined || loadKwh === undefined || pvKwh === undefined) return;
    finished.push({
      startMs: slot.startMs,
      endMs: slot.endMs,
      importPricePerKwh,
      // No export tariff, or no export rate for the slot: exports earn nothing (as the planner).
      exportPricePerKwh: exports.values[i] ?? 0,
      loadKwh,
      pvKwh,
      ...(socStartKwh !== undefined ? { socStartKwh } : {}),
      ...(socEndKwh !== undefined ? { socEndKwh } : {}),
      commands: spansOf(input.commands, slot, capacityKwh),
      ...(measured.gridImportKwh?.[i] !== undefined ? { gridImportKwh: measured.gridImportKwh[i] } : {}),
      ...(measured.gridExportKwh?.[i] !== undefined ? { gridExportKwh: measured.gridExportKwh[i] } : {}),
    });
  });
  const gaps: string[] = [];
  if (missing.price > 0) gaps.push(`no rates for ${missing.price} slot(s)`);
  if (missing.load > 0) gaps.push(`no measured load for ${missing.load} slot(s)`);
  if (missing.pv > 0) gaps.push(`no measured PV for ${missing.pv} slot(s)`);
  if (missing.soc > 0) gaps.push(`no SOC samples near ${missing.soc} slot(s) (the add-on was not running)`);
  // The hindsight optimum needs the whole day: a day with holes is not scored at all rather than
  // scored on the part that happens to be known.
  if (gaps.length > 0) {
    const why = [...new Set(measured.notes)].join("; ");
    return notScored(`${gaps.join(", ")}${why ? ` (${why})` : ""}`, finished.length);
  }
  // Replayed, the day starts where the battery really was; after a start-up mid-day, at the
  // first sample there is.
  const firstSample = input.socSamples.find((s) => s.atMs >= day.startMs && s.atMs < day.endMs);
  const initialSocKwh = replayed
    ? (socKwhAt(day.startMs) ?? (firstSample ? (firstSample.socPct / 100) * capacityKwh : Number.NaN))
    : finished[0]!.socStartKwh!;
  if (!Number.isFinite(initialSocKwh)) return notScored("no SOC sample from the day", finished.length);
  const prices = finished.map((s) => s.importPricePerKwh).sort((a, b) => a - b);
  const finishedDay: FinishedDay = {
    slots: finished,
    battery,
    grid: { maxImportKw: config.grid.max_import_kw, maxExportKw: config.grid.max_export_kw },
    initialSocKwh,
    // As the planner values what is left at the horizon: the option, else the median price.
    terminalValuePerKwh: config.planner.terminal_value_per_kwh ?? prices[Math.floor(prices.length / 2)]!,
  };
  if (replayed) {
    return {
      ...base,
      replayed,
      score: scoreDay(actualsProblem(finishedDay), replayedNetCost(finishedDay)),
      slotsScored: finished.length,
    };
  }
  const costing = measuredCosting(finishedDay);
  const metered = meteredBillCost(finishedDay);
  return {
    ...base,
    replayed,
    score: scoreDay(actualsProblem(finishedDay), costing.netCost),
    bill: { modelled: costing.billCost, ...(metered !== undefined ? { metered } : {}) },
    slotsScored: finished.length,
  };
}

/** The commands of a slot as spans, SOC targets in kWh. */
function spansOf(commands: readonly LedgerCommand[], slot: GridSlot, capacityKwh: number): CommandSpan[] {
  const before = commands.filter((c) => c.atMs <= slot.startMs).at(-1);
  const inside = commands.filter((c) => c.atMs > slot.startMs && c.atMs < slot.endMs);
  return [...(before ? [before] : []), ...inside].map((c) => ({
    fromMs: c.atMs,
    command: modeCommandOf(c.command, capacityKwh),
  }));
}

/** One line for the log and the notification. */
export function describeDayScore(record: DayScoreRecord, currency?: string): string {
  const money = (amount: number) => (currency ? `${amount.toFixed(2)} ${currency}` : amount.toFixed(2));
  if (!record.score) return `${record.date} not scored: ${record.reason ?? "unknown"}`;
  const { score } = record;
  const share = `${(score.share * 100).toFixed(0)}% of the ${money(score.possibleSaving)} the best plan in hindsight would have saved`;
  return record.replayed
    ? `${record.date} (dry run): the plans would have saved ${money(score.saving)} against an idle battery, ${share}`
    : `${record.date}: saved ${money(score.saving)} against an idle battery, ${share}`;
}
