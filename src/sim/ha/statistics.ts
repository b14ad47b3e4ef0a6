// Long-term statistics for `recorder/statistics_during_period`. Rows are hourly; HA (≥ 2023.3)
// answers with `start`/`end` as epoch milliseconds and `change` as the difference of `sum` to the
// previous row. Only the requested `types` are returned.
export interface StatisticRow {
  /** Epoch ms or ISO instant of the hour's start. */
  start: number | string;
  state?: number;
  sum?: number;
}

const HOUR_MS = 3_600_000;
const ALL_TYPES = ["change", "last_reset", "max", "mean", "min", "state", "sum"];

export class StatisticsStore {
  private readonly rows = new Map<string, { startMs: number; state?: number; sum?: number }[]>();

  set(statisticId: string, rows: StatisticRow[]): void {
    const normalised = rows
      .map((row) => ({ ...row, startMs: typeof row.start === "number" ? row.start : Date.parse(row.start) }))
      .sort((a, b) => a.startMs - b.startMs);
    this.rows.set(statisticId, normalised);
  }

  query(msg: Record<string, unknown>): Record<string, Record<string, number | null>[]> {
    if ((msg.period ?? "hour") !== "hour") return {};
    const startMs = Date.parse(String(msg.start_time));
    const endMs = msg.end_time === undefined ? Infinity : Date.parse(String(msg.end_time));
    const ids = Array.isArray(msg.statistic_ids) ? msg.statistic_ids.map(String) : [];
    const types = new Set(Array.isArray(msg.types) ? msg.types.map(String) : ALL_TYPES);
    const out: Record<string, Record<string, number | null>[]> = {};
    for (const id of ids) {
      const rows = this.rows.get(id) ?? [];
      let previousSum: number | undefined;
      const result: Record<string, number | null>[] = [];
      for (const row of rows) {
        const inRange = row.startMs >= startMs && row.startMs < endMs;
        if (inRange) {
          const entry: Record<string, number | null> = { start: row.startMs, end: row.startMs + HOUR_MS };
          if (types.has("state") && row.state !== undefined) entry.state = row.state;
          if (types.has("sum") && row.sum !== undefined) entry.sum = row.sum;
          if (types.has("change") && row.sum !== undefined) {
            entry.change = previousSum === undefined ? null : row.sum - previousSum;
          }
          result.push(entry);
        }
        previousSum = row.sum;
      }
      if (result.length > 0) out[id] = result;
    }
    return out;
  }
}
