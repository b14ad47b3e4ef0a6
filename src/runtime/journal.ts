// The execution journal: what was last applied to the inverter, persisted. It makes execution
// idempotent per (slot, planVersion): the same command for the same key is written once. A
// command recorded as "applying" but never "applied" was interrupted (crash, timeout) and is
// applied again after a restart; the controller writes only what differs, so that completes it.
import { join } from "node:path";
import { z } from "zod";
import type { Command } from "../core/types.js";
import { MODES } from "../core/types.js";
import { readJsonFile, writeFileAtomic } from "./atomic-file.js";

export interface JournalEntry {
  /** "plan:<version>:<slotStartMs>", "override:<id>:<windowStartMs>" or "fallback:<reason>". */
  key: string;
  command: Command;
  state: "applying" | "applied";
  atMs: number;
}

const commandSchema = z.object({
  mode: z.enum(MODES as [string, ...string[]]),
  targetSocPct: z.number().optional(),
  powerW: z.number().optional(),
});

const entrySchema = z.object({
  key: z.string(),
  command: commandSchema,
  state: z.enum(["applying", "applied"]),
  atMs: z.number(),
}) as unknown as z.ZodType<JournalEntry>;

export interface ExecutionJournal {
  last(): JournalEntry | undefined;
  record(entry: JournalEntry): Promise<void>;
}

export async function openJournal(dataDir: string): Promise<ExecutionJournal> {
  const path = join(dataDir, "execution-journal.json");
  let last = await readJsonFile(path, entrySchema);
  return {
    last: () => last,
    record: async (entry) => {
      last = entry;
      await writeFileAtomic(path, JSON.stringify(entry));
    },
  };
}

export function sameCommand(a: Command, b: Command): boolean {
  return a.mode === b.mode && a.targetSocPct === b.targetSocPct && a.powerW === b.powerW;
}

/** Whether what the inverter reports contradicts the command (only fields it reports count). */
export function drifted(
  state: { mode?: string; modeUnrecognised?: boolean; targetSocPct?: number; powerW?: number },
  command: Command,
): boolean {
  if (state.modeUnrecognised) return true;
  if (state.mode !== undefined && state.mode !== command.mode) return true;
  if (state.targetSocPct !== undefined && command.targetSocPct !== undefined) {
    if (Math.abs(state.targetSocPct - command.targetSocPct) >= 1) return true;
  }
  if (state.powerW !== undefined && command.powerW !== undefined) {
    if (Math.abs(Math.abs(state.powerW) - command.powerW) > 50) return true;
  }
  return false;
}
