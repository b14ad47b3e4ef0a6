// How HA's recorder turns its two tables into the periods `recorder/statistics_during_period`
// answers (homeassistant/components/recorder/statistics.py):
// - the short-term table holds one row per 5 minutes; once the 5-minute period starting at :55
//   is compiled, `_compile_hourly_statistics` writes the hour to the long-term table: mean = the
//   average of the 5-minute means, min/max = their extremes, and state/sum/last_reset = those of
//   the hour's last 5-minute row;
// - "day", "week" and "month" are never stored: `_reduce_statistics` folds the hourly rows into
//   periods of the HA time zone (`reduce_day_ts_factory` and siblings: local midnight, Monday,
//   the 1st), each taking state/sum/last_reset of its last hour, the plain mean of the hourly
//   means and the extremes of min/max. A local day is 23 or 25 hours across a DST change.
import { DateTime } from "luxon";

export const FIVE_MINUTES_MS = 300_000;
export const HOUR_MS = 3_600_000;

/** One row of either table, as the recorder stores it (null: the column is empty). */
export interface StoredRow {
  startMs: number;
  state: number | null;
  sum: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  lastResetMs: number | null;
}

/** A row of an answer before the types asked for are picked from it. */
export interface PeriodRow extends StoredRow {
  endMs: number;
}

export type ReducedPeriod = "day" | "week" | "month";

/** The long-term rows the recorder would have compiled from these 5-minute rows (sorted by
 * start). Only hours the recorder has finished: HA compiles an hour when it compiles the hour's
 * :55 period, so an hour appears once a 5-minute row at or after its :55 exists. */
export function compileHours(fiveMinuteRows: readonly StoredRow[]): StoredRow[] {
  const last = fiveMinuteRows.at(-1);
  if (!last) return [];
  const lastCompiledHourStartMs = Math.floor((last.startMs - 55 * 60_000) / HOUR_MS) * HOUR_MS;
  const byHour = new Map<number, StoredRow[]>();
  for (const row of fiveMinuteRows) {
    const hourStartMs = Math.floor(row.startMs / HOUR_MS) * HOUR_MS;
    if (hourStartMs > lastCompiledHourStartMs) break;
    const rows = byHour.get(hourStartMs) ?? [];
    rows.push(row);
    byHour.set(hourStartMs, rows);
  }
  return [...byHour].map(([startMs, rows]) => folded(startMs, rows));
}

/** Several rows as one from `startMs`: state, sum and last reset of the last row; the mean of the
 * means, the least minimum and the greatest maximum (SQL's AVG/MIN/MAX skip empty columns and
 * give NULL when every row is empty). `rows` is not empty. */
function folded(startMs: number, rows: readonly StoredRow[]): StoredRow {
  const lastRow = rows.at(-1) as StoredRow;
  const means = nonNull(rows.map((r) => r.mean));
  const mins = nonNull(rows.map((r) => r.min));
  const maxes = nonNull(rows.map((r) => r.max));
  return {
    startMs,
    state: lastRow.state,
    sum: lastRow.sum,
    lastResetMs: lastRow.lastResetMs,
    mean: means.length > 0 ? means.reduce((a, b) => a + b, 0) / means.length : null,
    min: mins.length > 0 ? Math.min(...mins) : null,
    max: maxes.length > 0 ? Math.max(...maxes) : null,
  };
}

/** The local period (start, end) an instant falls in, in the HA time zone. */
export function periodBounds(period: ReducedPeriod, atMs: number, timeZone: string): [number, number] {
  const local = DateTime.fromMillis(atMs, { zone: timeZone });
  // luxon's startOf("week") is the ISO week (Monday), as Python's weekday() counts.
  const start = local.startOf(period === "day" ? "day" : period === "week" ? "week" : "month");
  const end = start.plus(period === "day" ? { days: 1 } : period === "week" ? { weeks: 1 } : { months: 1 });
  return [start.toMillis(), end.toMillis()];
}

/** The query window HA uses for a reduced period: start moved back to its period's start, end
 * (when given) moved to the end of the period it falls in — so an end exactly at local midnight
 * still takes in the whole day that starts there, as HA's `_statistics_during_period_with_session`
 * does. */
export function alignWindow(
  period: ReducedPeriod,
  startMs: number,
  endMs: number | undefined,
  timeZone: string,
): { startMs: number; endMs: number | undefined } {
  return {
    startMs: periodBounds(period, startMs, timeZone)[0],
    endMs: endMs === undefined ? undefined : periodBounds(period, endMs, timeZone)[1],
  };
}

/** Hourly rows (sorted) folded into local days, weeks or months. */
export function reduceHours(
  hours: readonly StoredRow[],
  period: ReducedPeriod,
  timeZone: string,
): PeriodRow[] {
  const out: PeriodRow[] = [];
  let group: StoredRow[] = [];
  let bounds: [number, number] | undefined;
  const flush = () => {
    if (group.length === 0 || !bounds) return;
    out.push({ ...folded(bounds[0], group), endMs: bounds[1] });
  };
  for (const hour of hours) {
    if (!bounds || hour.startMs < bounds[0] || hour.startMs >= bounds[1]) {
      flush();
      group = [];
      bounds = periodBounds(period, hour.startMs, timeZone);
    }
    group.push(hour);
  }
  flush();
  return out;
}

function nonNull(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}
