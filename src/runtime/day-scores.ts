// The scored days (`day-scores.json`), newest last, for the page and for publishing the last one
// again after a restart. A report, not state the battery depends on: a damaged record is dropped
// on its own and the original file kept aside.
import { join } from "node:path";
import { z } from "zod";
import { createLogger } from "../log.js";
import { damagedFileNote, moveAside, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";
import type { DayScoreRecord } from "./ports.js";
import { isSaneInstant } from "./time-bounds.js";

const log = createLogger("store");
/** Two months: enough to see a season turn on the page, a few kilobytes on disk. */
export const DAY_SCORES_KEPT = 62;

const money = z.number().finite();
const recordSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  startMs: z.number().refine(isSaneInstant),
  endMs: z.number().refine(isSaneInstant),
  scoredAtMs: z.number().refine(isSaneInstant),
  replayed: z.boolean(),
  score: z
    .object({
      idleCost: money,
      hindsightCost: money,
      realisedCost: money,
      saving: money,
      possibleSaving: money,
      share: money,
    })
    .optional(),
  reason: z.string().max(2_000).optional(),
  bill: z.object({ modelled: money, metered: money.optional() }).optional(),
  slotsScored: z.number().int().min(0),
  slotsInDay: z.number().int().min(0),
});

export interface DayScoreBook {
  list(): DayScoreRecord[];
  /** Adds (or replaces) the day's record and saves the book. */
  add(record: DayScoreRecord): Promise<void>;
}

export async function openDayScores(dataDir: string): Promise<DayScoreBook> {
  const path = join(dataDir, "day-scores.json");
  let records: DayScoreRecord[] = [];
  const read = await readJsonFileChecked(path, z.array(z.unknown()));
  if (read.status === "damaged") {
    log.error(`${path} ${read.problem}; ${damagedFileNote(read.movedTo)} (the scores start again)`);
  } else if (read.status === "ok") {
    let lost = 0;
    for (const raw of read.value) {
      const parsed = recordSchema.safeParse(raw);
      if (parsed.success) records.push(parsed.data as DayScoreRecord);
      else lost++;
    }
    records.sort((a, b) => a.startMs - b.startMs);
    if (lost > 0) {
      const movedTo = await moveAside(path);
      log.error(
        `${path}: dropped ${lost} bad record(s)` + (movedTo ? `; the original is kept as ${movedTo}` : ""),
      );
    }
  }
  return {
    list: () => records.map((r) => ({ ...r })),
    async add(record) {
      records = [...records.filter((r) => r.date !== record.date), record]
        .sort((a, b) => a.startMs - b.startMs)
        .slice(-DAY_SCORES_KEPT);
      await writeFileAtomic(path, JSON.stringify(records));
    },
  };
}
