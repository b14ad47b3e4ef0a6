// What the add-on saw and did through the day, kept for scoring the day once it is over
// (`day-ledger.json`): the rates as the inputs last read them for each instant (the Octopus rate
// events move on at midnight, a service forgets yesterday), and the commands it chose, with
// whether a controller carried them out. Only the last few days are kept. Like the SOC history it
// only feeds a report, so a damaged file costs its damaged records, never the add-on.
import { join } from "node:path";
import { z } from "zod";
import { type Command, MODES, type Mode } from "../core/types.js";
import { createLogger } from "../log.js";
import { damagedFileNote, moveAside, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";
import { sameCommand } from "./journal.js";
import type { RatePoint } from "./ports.js";
import { isSaneInstant } from "./time-bounds.js";

const log = createLogger("store");

/** Long enough to score yesterday after a restart that lasted a day; short enough to stay small. */
export const LEDGER_KEEP_MS = 3 * 86_400_000;
/** At most one write in this long for rate updates (commands are written when they change). */
const SAVE_EVERY_MS = 5 * 60_000;

export interface LedgerCommand {
  atMs: number;
  command: Command;
  /** A controller carried it out (false: dry run, control off, or a fallback that wrote nothing). */
  driven: boolean;
}

export interface DayLedger {
  /** Rates read at `nowMs`; what a later read says about the same instant wins. */
  recordRates(
    importRates: readonly RatePoint[],
    exportRates: readonly RatePoint[],
    nowMs: number,
  ): Promise<void>;
  /** The command of now; recorded only when it or `driven` differs from the last one. */
  recordCommand(entry: LedgerCommand): Promise<void>;
  /** Rates overlapping [fromMs, toMs), in time order. */
  ratesBetween(fromMs: number, toMs: number): { importRates: RatePoint[]; exportRates: RatePoint[] };
  /** Commands in [fromMs, toMs), with the one in force at fromMs first when there is one. */
  commandsBetween(fromMs: number, toMs: number): LedgerCommand[];
  /** Writes what is not written yet (at stop). */
  flush(): Promise<void>;
}

const instant = z.number().refine(isSaneInstant);
const rateSchema = z
  .object({ startMs: instant, endMs: instant, pricePerKwh: z.number().finite() })
  .refine((r) => r.endMs > r.startMs);
const commandSchema = z.object({
  atMs: instant,
  command: z.object({
    mode: z.enum(MODES as [Mode, ...Mode[]]),
    targetSocPct: z.number().finite().min(0).max(100).optional(),
    powerW: z.number().finite().min(0).max(1_000_000).optional(),
  }),
  driven: z.boolean(),
});
const fileSchema = z.object({
  importRates: z.array(z.unknown()),
  exportRates: z.array(z.unknown()),
  commands: z.array(z.unknown()),
});

/** Keeps the sound records of a list, and says how many were not. */
function sound<T>(records: unknown[], schema: z.ZodType<T>): { kept: T[]; lost: number } {
  const kept: T[] = [];
  let lost = 0;
  for (const record of records) {
    const parsed = schema.safeParse(record);
    if (parsed.success) kept.push(parsed.data);
    else lost++;
  }
  return { kept, lost };
}

/** Later readings replace the parts of earlier ones they cover (rates get revised, e.g. Agile's
 * provisional prices, and a day's list arrives again with every read); what they do not cover is
 * kept, trimmed. */
function merge(existing: RatePoint[], incoming: readonly RatePoint[]): RatePoint[] {
  if (incoming.length === 0) return existing;
  const covers = [...incoming].sort((a, b) => a.startMs - b.startMs);
  const kept: RatePoint[] = [];
  for (const rate of existing) {
    let pieces: RatePoint[] = [rate];
    for (const cover of covers) {
      if (cover.startMs >= rate.endMs) break;
      pieces = pieces.flatMap((piece) => {
        if (cover.endMs <= piece.startMs || cover.startMs >= piece.endMs) return [piece];
        const left = { ...piece, endMs: cover.startMs };
        const right = { ...piece, startMs: cover.endMs };
        return [left, right].filter((p) => p.endMs > p.startMs);
      });
    }
    kept.push(...pieces);
  }
  return [
    ...kept,
    ...covers.map((r) => ({ startMs: r.startMs, endMs: r.endMs, pricePerKwh: r.pricePerKwh })),
  ].sort((a, b) => a.startMs - b.startMs);
}

export async function openDayLedger(dataDir: string): Promise<DayLedger> {
  const path = join(dataDir, "day-ledger.json");
  let importRates: RatePoint[] = [];
  let exportRates: RatePoint[] = [];
  let commands: LedgerCommand[] = [];
  const read = await readJsonFileChecked(path, fileSchema);
  if (read.status === "damaged") {
    log.error(`${path} ${read.problem}; ${damagedFileNote(read.movedTo)} (yesterday may not be scored)`);
  } else if (read.status === "ok") {
    const imports = sound(read.value.importRates, rateSchema);
    const exports = sound(read.value.exportRates, rateSchema);
    const done = sound(read.value.commands, commandSchema);
    importRates = imports.kept.sort((a, b) => a.startMs - b.startMs);
    exportRates = exports.kept.sort((a, b) => a.startMs - b.startMs);
    commands = done.kept.sort((a, b) => a.atMs - b.atMs) as LedgerCommand[];
    const lost = imports.lost + exports.lost + done.lost;
    if (lost > 0) {
      const movedTo = await moveAside(path);
      log.error(
        `${path}: dropped ${lost} bad record(s)` + (movedTo ? `; the original is kept as ${movedTo}` : ""),
      );
    }
  }

  let dirty = false;
  let savedAtMs = Number.NEGATIVE_INFINITY;
  const prune = (nowMs: number) => {
    const oldestMs = nowMs - LEDGER_KEEP_MS;
    importRates = importRates.filter((r) => r.endMs > oldestMs);
    exportRates = exportRates.filter((r) => r.endMs > oldestMs);
    // The command in force at the oldest kept instant stays: it tells how that instant was run.
    const firstKept = commands.findIndex((c) => c.atMs >= oldestMs);
    if (firstKept > 1) commands = commands.slice(firstKept - 1);
  };
  /** Without `nowMs`: now, whenever the last write was. */
  const save = async (nowMs?: number) => {
    if (!dirty || (nowMs !== undefined && nowMs - savedAtMs >= 0 && nowMs - savedAtMs < SAVE_EVERY_MS))
      return;
    dirty = false;
    if (nowMs !== undefined) savedAtMs = nowMs;
    try {
      await writeFileAtomic(path, JSON.stringify({ importRates, exportRates, commands }));
    } catch (error) {
      dirty = true;
      log.warn(`could not save ${path}: ${String(error)}`);
    }
  };

  return {
    async recordRates(imports, exports, nowMs) {
      const nextImports = merge(importRates, imports);
      const nextExports = merge(exportRates, exports);
      const unchanged =
        JSON.stringify(nextImports) === JSON.stringify(importRates) &&
        JSON.stringify(nextExports) === JSON.stringify(exportRates);
      if (unchanged) return;
      importRates = nextImports;
      exportRates = nextExports;
      prune(nowMs);
      dirty = true;
      await save(nowMs);
    },
    async recordCommand(entry) {
      const last = commands.at(-1);
      // A clock that jumped back must not leave commands out of order.
      if (last && entry.atMs < last.atMs) commands = commands.filter((c) => c.atMs <= entry.atMs);
      const previous = commands.at(-1);
      if (previous && previous.driven === entry.driven && sameCommand(previous.command, entry.command))
        return;
      commands.push({ atMs: entry.atMs, command: { ...entry.command }, driven: entry.driven });
      prune(entry.atMs);
      dirty = true;
      await save();
    },
    ratesBetween(fromMs, toMs) {
      const overlapping = (r: RatePoint) => r.startMs < toMs && r.endMs > fromMs;
      return { importRates: importRates.filter(overlapping), exportRates: exportRates.filter(overlapping) };
    },
    commandsBetween(fromMs, toMs) {
      const before = commands.filter((c) => c.atMs <= fromMs).at(-1);
      const inside = commands.filter((c) => c.atMs > fromMs && c.atMs < toMs);
      return before ? [before, ...inside] : inside;
    },
    async flush() {
      await save();
    },
  };
}
