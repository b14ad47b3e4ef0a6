// What a user changes at run time and expects to find after a restart: the master switch and the
// reserve (runtime-settings.json). The file holds both; a missing file means "never changed", so
// the options apply. A damaged one is moved aside and, because we can no longer tell what the user
// last chose, control starts OFF (the plan is still made and shown) until the user switches it on
// again: an add-on that silently starts forcing the battery after a disk fault is the worse error.
import { join } from "node:path";
import { z } from "zod";
import type { Logger } from "../log.js";
import { damagedFileNote, moveAside, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";

export const SETTINGS_FILE = "runtime-settings.json";

export interface RuntimeSettings {
  controlEnabled: boolean;
  reservePct: number;
}

export interface SettingsStore {
  /** What the runtime starts with. */
  readonly initial: RuntimeSettings;
  /** Set when the file was damaged: what was lost and what was assumed, for the status. */
  readonly problem: string | undefined;
  save(settings: RuntimeSettings): Promise<void>;
}

const controlSchema = z.boolean();
const reserveSchema = z.number().min(0).max(100);

export async function openSettingsStore(
  dataDir: string,
  defaults: RuntimeSettings,
  log: Logger,
): Promise<SettingsStore> {
  const path = join(dataDir, SETTINGS_FILE);
  const read = await readJsonFileChecked(path, z.record(z.string(), z.unknown()));
  let initial = defaults;
  let problem: string | undefined;
  if (read.status === "damaged") {
    // readJsonFileChecked has moved the file aside already.
    initial = { controlEnabled: false, reservePct: defaults.reservePct };
    problem = `${SETTINGS_FILE} ${read.problem}; control is off until you switch it on again`;
    log.error(`${path} ${read.problem}; ${damagedFileNote(read.movedTo)}: control is OFF until switched on`);
  } else if (read.status === "ok") {
    // Keep each field that is still readable; a lost one takes the safe side.
    const control = controlSchema.safeParse(read.value.controlEnabled);
    const reserve = reserveSchema.safeParse(read.value.reservePct);
    initial = {
      controlEnabled: control.success ? control.data : false,
      reservePct: reserve.success ? reserve.data : defaults.reservePct,
    };
    const lost = [
      ...(control.success ? [] : ["the control switch"]),
      ...(reserve.success ? [] : ["the reserve"]),
    ];
    if (lost.length > 0) {
      const movedTo = await moveAside(path);
      const what =
        lost.length === 2 ? "has the wrong shape (no controlEnabled, no reservePct)" : `has lost ${lost[0]}`;
      const assumed = [
        ...(control.success ? [] : ["control is off until you switch it on again"]),
        ...(reserve.success ? [] : [`the reserve is the option's ${defaults.reservePct} %`]),
      ].join(", ");
      problem = `${SETTINGS_FILE} ${what}; ${assumed}`;
      log.error(`${path} ${what}${movedTo ? `; kept as ${movedTo}` : ""}: ${assumed}`);
    }
  }
  const save = (settings: RuntimeSettings) => writeFileAtomic(path, JSON.stringify(settings));
  // What was assumed is written at once, so a restart before the user acts does not fall back to
  // the options (control on) because the file is now missing.
  if (problem !== undefined) await save(initial);
  return { initial, problem, save };
}
