// The day-score card: how each finished day went against leaving the battery idle and against
// the hindsight optimum (src/core/day-score.ts). Pure: `nowMs` and the home's zone come in, so
// "Yesterday" is the home's yesterday by the runtime's clock, whoever browses and from wherever.
// The wording is made here, not in the browser, so that it is tested without one.
import { DateTime } from "luxon";
import type { DayScoreRecord } from "../runtime/ports.js";
import { currencyDisplay, formatMoney } from "./view.js";

/** How many days the list shows: a week to see a trend, short enough for a phone. */
export const DAYS_LISTED = 7;

/** Below this (in the home's currency) a day had nothing to gain: a 100 % share of nothing says
 * nothing, so the card says that instead. */
const NOTHING_TO_GAIN = 0.005;

export interface DayScoreLine {
  term: string;
  value: string;
}

export interface LatestDayView {
  /** YYYY-MM-DD in the home's zone. */
  date: string;
  /** "Yesterday", else the day ("Sat 28 Nov", with the year when it is not this year). */
  label: string;
  replayed: boolean;
  /** The share of the hindsight optimum in whole percent; absent when the day was not scored. */
  sharePct?: number;
  /** "87 % of the best possible", or "not scored: …". */
  headline: string;
  /** Money, in the home's currency. Empty when the day was not scored. */
  lines: DayScoreLine[];
  /** What the figures are (measured, or what the plans would have saved), and how much of the day. */
  note?: string;
}

export interface DayRowView {
  date: string;
  label: string;
  /** "87 %", or "not scored". */
  share: string;
  /** "£1.20", or "–" when not scored. */
  saving: string;
  /** Figures of a day the battery was not driven: what the plans would have saved. */
  replayed: boolean;
}

export interface DayScoresView {
  latest?: LatestDayView;
  /** The last DAYS_LISTED days, newest first, when more than one is scored (else empty). */
  recent: DayRowView[];
  /** Said instead of the card before the first day is scored. */
  empty?: string;
}

export const NO_DAY_SCORED_YET =
  "No day scored yet: the first score appears after the first full day the add-on has run.";

export const REPLAYED_NOTE =
  "Dry run or control off: the battery was not driven. The figures are what the plans would have saved, replayed against what the house used and the panels made.";

function dayLabel(date: string, nowMs: number, timeZone: string | undefined): string {
  const now = DateTime.fromMillis(nowMs, timeZone ? { zone: timeZone } : {});
  if (now.minus({ days: 1 }).toISODate() === date) return "Yesterday";
  // The record's date is already the home's; read it as a calendar date, in no zone.
  const day = DateTime.fromISO(date, { zone: "UTC" }).setLocale("en-GB");
  if (!day.isValid) return date;
  return day.toFormat(day.year === now.year ? "ccc d LLL" : "ccc d LLL yyyy");
}

function sharePctOf(share: number): number {
  return Math.round(share * 100);
}

function latestView(
  record: DayScoreRecord,
  nowMs: number,
  timeZone: string | undefined,
  currencyCode: string | undefined,
): LatestDayView {
  const label = dayLabel(record.date, nowMs, timeZone);
  const base = { date: record.date, label, replayed: record.replayed };
  const score = record.score;
  if (!score) return { ...base, headline: `not scored: ${record.reason ?? "no reason recorded"}`, lines: [] };
  const currency = currencyDisplay(currencyCode);
  const money = (value: number) => formatMoney(value, currency);
  const sharePct = sharePctOf(score.share);
  const nothingToGain = score.possibleSaving < NOTHING_TO_GAIN;
  const headline = nothingToGain
    ? "nothing could be saved: no plan could have beaten leaving the battery idle"
    : `${sharePct} % of the best possible`;
  // Short values: on a phone the terms take half the card.
  const saved = score.saving < 0 ? `${money(score.saving)} (cost more than idle)` : money(score.saving);
  const lines: DayScoreLine[] = [
    { term: record.replayed ? "Would have saved" : "Saved", value: saved },
    { term: "Possible saving", value: money(score.possibleSaving) },
    { term: "Cost without the battery", value: money(score.idleCost) },
    {
      term: record.replayed ? "Cost had the plans run" : "Cost with the battery",
      value: money(score.realisedCost),
    },
    { term: "Best possible (hindsight)", value: money(score.hindsightCost) },
  ];
  // The bill the battery model makes of the day beside the one the grid meters make: when they
  // agree, the score stands on what really happened.
  if (record.bill?.metered !== undefined)
    lines.push({
      term: "Bill: grid meters / model",
      value: `${money(record.bill.metered)} / ${money(record.bill.modelled)}`,
    });
  const notes: string[] = [
    record.replayed ? REPLAYED_NOTE : "Measured from the battery's state of charge and the meters.",
  ];
  // A day with gaps (HA down, a meter missing) is scored on the slots that have data: say so.
  if (record.slotsScored < record.slotsInDay)
    notes.push(`Scored on ${record.slotsScored} of the day's ${record.slotsInDay} slots.`);
  return { ...base, sharePct, headline, lines, note: notes.join(" ") };
}

function rowView(
  record: DayScoreRecord,
  nowMs: number,
  timeZone: string | undefined,
  currencyCode: string | undefined,
): DayRowView {
  const score = record.score;
  return {
    date: record.date,
    label: dayLabel(record.date, nowMs, timeZone),
    share: score ? `${sharePctOf(score.share)} %` : "not scored",
    saving: score ? formatMoney(score.saving, currencyDisplay(currencyCode)) : "–",
    replayed: record.replayed,
  };
}

/** `records` in any order (the runtime keeps them newest last); the newest is the card. */
export function dayScoresView(
  records: readonly DayScoreRecord[],
  nowMs: number,
  timeZone: string | undefined,
  currencyCode: string | undefined,
): DayScoresView {
  const sorted = [...records].sort((a, b) => a.startMs - b.startMs);
  const newest = sorted[sorted.length - 1];
  if (!newest) return { recent: [], empty: NO_DAY_SCORED_YET };
  const recent =
    sorted.length > 1
      ? sorted
          .slice(-DAYS_LISTED)
          .reverse()
          .map((r) => rowView(r, nowMs, timeZone, currencyCode))
      : [];
  return { latest: latestView(newest, nowMs, timeZone, currencyCode), recent };
}
