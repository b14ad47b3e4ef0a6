// The battery a dry run would have had. In dry run nobody drives the battery, so its real SOC says
// nothing about the plans: planned from it, a dry run keeps asking to charge a battery that self-
// use has emptied and never has anything to export (in the twin: the plans so made, replayed,
// reached 20 % of the hindsight saving where driving them reached 76 %). So a dry run plans,
// executes and is scored against the SOC its own commands would have left: stepped through the
// mode model (core/modes.ts) over what the meters measured, and over the plan's forecast for the
// last minutes the recorder has not compiled yet (they are stepped again once it has).
// `dry-run-battery.json` keeps the last instant up to which everything was measured and the SOC
// there; a damaged or implausible file starts the would-be battery again from the real one.
import { join } from "node:path";
import { z } from "zod";
import { executeMode, type ModeCommand, modeCommandOf } from "../core/modes.js";
import type { BatterySpec, GridSpec } from "../core/types.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { damagedFileNote, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";
import type { DayLedger } from "./day-ledger.js";
import type { InputsPort, StoredPlan } from "./ports.js";
import { isSaneInstant } from "./time-bounds.js";

const STEP_MS = 5 * 60_000;
/** Planning waits no longer than this for the meters (a hung HA): then it steps on the forecast. */
const METERS_WAIT_MS = 10_000;
/** Longer unmeasured than this (the add-on or the recorder away for days): start again from the
 * real battery rather than step days of guesses. */
const MAX_REPLAY_MS = 2 * 86_400_000;

export interface DryRunBattery {
  /** The would-be SOC at `nowMs`, in percent; the first time (or after a gap) the real one. */
  socPct(nowMs: number, realSocPct: number): Promise<number>;
}

export interface DryRunBatteryDeps {
  dataDir: string;
  ledger: DayLedger;
  inputs: InputsPort;
  battery: () => BatterySpec;
  grid: GridSpec;
  latestPlan: () => StoredPlan | undefined;
  log: Logger;
  /** Default METERS_WAIT_MS. */
  metersWaitMs?: number;
}

const anchorSchema = z.object({
  atMs: z.number().refine(isSaneInstant),
  socKwh: z.number().finite().min(0),
});
type Anchor = z.infer<typeof anchorSchema>;

/** The plan's forecast for [fromMs, toMs), pro rata of the slots it overlaps; 0 where it has none. */
function forecastBetween(plan: StoredPlan | undefined, fromMs: number, toMs: number) {
  let loadKwh = 0;
  let pvKwh = 0;
  for (const slot of plan?.plan.slots ?? []) {
    const overlapMs = Math.min(slot.endMs, toMs) - Math.max(slot.startMs, fromMs);
    if (overlapMs <= 0) continue;
    const share = overlapMs / (slot.endMs - slot.startMs);
    loadKwh += slot.loadKwh * share;
    pvKwh += slot.pvKwh * share;
  }
  return { loadKwh, pvKwh };
}

export async function openDryRunBattery(deps: DryRunBatteryDeps): Promise<DryRunBattery> {
  const path = join(deps.dataDir, "dry-run-battery.json");
  let anchor: Anchor | undefined;
  const read = await readJsonFileChecked(path, anchorSchema);
  if (read.status === "ok") anchor = read.value;
  else if (read.status === "damaged")
    deps.log.error(
      `${path} ${read.problem}; ${damagedFileNote(read.movedTo)} (the dry run starts from the real SOC)`,
    );

  const save = async (next: Anchor) => {
    anchor = next;
    await writeFileAtomic(path, JSON.stringify(next)).catch((error: unknown) =>
      deps.log.warn(`could not save ${path}: ${errorMessage(error)}`),
    );
  };

  return {
    async socPct(nowMs, realSocPct) {
      const battery = deps.battery();
      const capacityKwh = battery.capacityKwh;
      const real = (realSocPct / 100) * capacityKwh;
      if (!anchor || anchor.atMs > nowMs || nowMs - anchor.atMs > MAX_REPLAY_MS) {
        if (anchor) deps.log.info("dry run: the would-be battery starts again from the real SOC");
        await save({ atMs: nowMs, socKwh: real });
        return realSocPct;
      }
      // Five-minute pieces, as the recorder keeps them; the first one ends on the grid.
      const pieces: { startMs: number; endMs: number }[] = [];
      for (let startMs = anchor.atMs; startMs < nowMs; ) {
        const endMs = Math.min(nowMs, (Math.floor(startMs / STEP_MS) + 1) * STEP_MS);
        pieces.push({ startMs, endMs });
        startMs = endMs;
      }
      if (pieces.length === 0) return (anchor.socKwh / capacityKwh) * 100;
      let measured: { loadKwh: (number | undefined)[]; pvKwh: (number | undefined)[] } = {
        loadKwh: [],
        pvKwh: [],
      };
      try {
        if (deps.inputs.readMeasuredEnergy)
          measured = await within(
            deps.inputs.readMeasuredEnergy(pieces),
            deps.metersWaitMs ?? METERS_WAIT_MS,
          );
      } catch (error) {
        deps.log.warn(
          `dry run: the meters cannot be read (${errorMessage(error)}); stepping on the forecast`,
        );
      }
      const plan = deps.latestPlan();
      const commands = deps.ledger.commandsBetween(anchor.atMs, nowMs);
      let socKwh = Math.min(capacityKwh, Math.max(0, anchor.socKwh));
      let measuredUntil: Anchor | undefined;
      let allMeasured = true;
      for (const [i, piece] of pieces.entries()) {
        const loadKwh = measured.loadKwh[i];
        const pvKwh = measured.pvKwh[i];
        const known = loadKwh !== undefined && pvKwh !== undefined;
        const energy = known ? { loadKwh, pvKwh } : forecastBetween(plan, piece.startMs, piece.endMs);
        const inForce = commands.filter((c) => c.atMs <= piece.startMs).at(-1)?.command;
        const command: ModeCommand = inForce ? modeCommandOf(inForce, capacityKwh) : { mode: "self-use" };
        const hours = (piece.endMs - piece.startMs) / 3_600_000;
        socKwh = executeMode(
          command,
          { ...energy, exportPricePerKwh: 0 },
          socKwh,
          battery,
          deps.grid,
          hours,
        ).socKwh;
        allMeasured &&= known;
        if (allMeasured) measuredUntil = { atMs: piece.endMs, socKwh };
      }
      // What is measured is stepped once; the rest again next time, on the meters by then.
      if (measuredUntil) await save(measuredUntil);
      return Math.min(100, Math.max(0, (socKwh / capacityKwh) * 100));
    },
  };
}

async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
