// Everything the runtime does for the day score, in one place: it keeps the rates it read and
// the commands it chose through the day (day-ledger.ts), lets a dry run plan for the battery its
// commands would have left (dry-run-battery.ts), and scores a finished day into day-scores.json
// (day-scoring.ts). The runtime calls it at three points: a snapshot read, an execution, a job.
import type { Config } from "../config/schema.js";
import type { BatterySpec, Command } from "../core/types.js";
import type { Logger } from "../log.js";
import { openDayLedger } from "./day-ledger.js";
import { openDayScores } from "./day-scores.js";
import { daySlots, describeDayScore, type LocalDay, scoreFinishedDay } from "./day-scoring.js";
import { openDryRunBattery } from "./dry-run-battery.js";
import type { Clock, DayScoreRecord, InputsPort, InputsSnapshot, SocSample, StoredPlan } from "./ports.js";

const HOUR_MS = 3_600_000;

export interface DayKeeper {
  /** The snapshot to plan from: the rates kept; in dry run, the would-be battery's SOC. */
  onSnapshot(snapshot: InputsSnapshot, nowMs: number): Promise<InputsSnapshot>;
  /** The command of now, and whether a controller carried it out. */
  onExecuted(atMs: number, command: Command, driven: boolean): Promise<void>;
  /** Scores the day and keeps the record; undefined for a day the add-on did not run in. */
  scoreDay(day: LocalDay, socSamples: readonly SocSample[]): Promise<DayScoreRecord | undefined>;
  list(): DayScoreRecord[];
  flush(): Promise<void>;
}

export interface DayKeeperDeps {
  dataDir: string;
  config: Config;
  inputs: InputsPort;
  clock: Clock;
  battery: () => BatterySpec;
  latestPlan: () => StoredPlan | undefined;
  log: Logger;
  currency?: string;
}

export async function openDayKeeper(deps: DayKeeperDeps): Promise<DayKeeper> {
  const { config, log } = deps;
  const ledger = await openDayLedger(deps.dataDir);
  const scores = await openDayScores(deps.dataDir);
  // Only a configured dry run: with control switched off the user drives the battery, not us.
  const wouldBe =
    config.control.method === "dry_run"
      ? await openDryRunBattery({
          dataDir: deps.dataDir,
          ledger,
          inputs: deps.inputs,
          battery: deps.battery,
          grid: { maxImportKw: config.grid.max_import_kw, maxExportKw: config.grid.max_export_kw },
          latestPlan: deps.latestPlan,
          log,
        })
      : undefined;

  return {
    async onSnapshot(read, nowMs) {
      let snapshot = read;
      if (wouldBe) {
        const realSocPct = read.battery.socPct;
        const socPct = await wouldBe.socPct(nowMs, realSocPct);
        snapshot = {
          ...read,
          battery: { ...read.battery, socPct },
          warnings: [
            ...read.warnings,
            `dry run: planning for the battery as the plans would have left it (${socPct.toFixed(0)} %; it reads ${realSocPct.toFixed(0)} %)`,
          ],
        };
      }
      // Kept for scoring the day once it is over: by then the sources may have moved on.
      await ledger.recordRates(snapshot.importRates, snapshot.exportRates, nowMs);
      return snapshot;
    },
    onExecuted: (atMs, command, driven) => ledger.recordCommand({ atMs, command, driven }),
    async scoreDay(day, socSamples) {
      // A day the add-on never ran in (the night after it was installed) has nothing to score.
      const ran = socSamples.some((s) => s.atMs >= day.startMs && s.atMs < day.endMs);
      if (!ran && ledger.commandsBetween(day.startMs, day.endMs).every((c) => c.atMs < day.startMs))
        return undefined;
      const slots = daySlots(day, config.planner.slot_minutes);
      const measured = deps.inputs.readMeasuredEnergy
        ? await deps.inputs.readMeasuredEnergy(slots)
        : { loadKwh: slots.map(() => undefined), pvKwh: slots.map(() => undefined), notes: ["no meters"] };
      const record = scoreFinishedDay({
        day,
        config,
        battery: deps.battery(),
        rates: ledger.ratesBetween(day.startMs, day.endMs),
        commands: ledger.commandsBetween(day.startMs, day.endMs),
        socSamples: socSamples.filter(
          (s) => s.atMs >= day.startMs - HOUR_MS && s.atMs <= day.endMs + HOUR_MS,
        ),
        measured,
        slots,
        nowMs: deps.clock.nowMs(),
      });
      await scores.add(record);
      log.info(describeDayScore(record, deps.currency ?? ""));
      return record;
    },
    list: () => scores.list(),
    flush: () => ledger.flush(),
  };
}
