// The runtime's public shape: what it needs (RuntimeDeps), what it returns, what it offers.
import type { Config } from "../config/schema.js";
import type { Plan, PlanProblem } from "../core/types.js";
import type { Logger } from "../log.js";
import type { RetryPolicy } from "./apply-retry.js";
import type { LocalDay } from "./day-scoring.js";
import type { ExecuteOutcome } from "./executor.js";
import type { Override } from "./overrides.js";
import type {
  Clock,
  Controller,
  DayScoreRecord,
  InputsPort,
  JobRun,
  OverrideEvent,
  PlanPublisher,
  RuntimeCommands,
  RuntimeStatus,
  SocSample,
  StoredPlan,
} from "./ports.js";
import type { PlanFailureReason } from "./problem.js";

export interface RuntimeDeps {
  inputs: InputsPort;
  publisher: PlanPublisher;
  /** The controllers that are configured; the choice among them is core/controller-choice. */
  controllers?: Partial<Record<"ha_services" | "modbus", Controller>>;
  connectivity?: () => { haConnected: boolean; modbusConnected: boolean };
  dataDir: string;
  clock: Clock;
  config: Config;
  log?: Logger;
  /** IANA zone for daily overrides; default the options' timezone, else UTC. */
  timezone?: string;
  optimise?: (problem: PlanProblem) => Plan;
  /** The home's currency, for the log lines that speak of money. */
  currency?: string;
  /** When a command that did not get through is tried again; default 2 s doubling to 60 s. */
  applyRetry?: RetryPolicy;
}

export type StopOutcome =
  | { restored: "yes"; tookMs: number }
  | { restored: "failed"; reason: string; tookMs: number }
  | { restored: "not-needed"; reason: string };

export type PlanOutcome =
  | { ok: true; recomputed: boolean; planValid: boolean; planVersion: number; planLastUpdated: number }
  | { ok: false; reason: PlanFailureReason | "superseded"; message: string; planVersion?: number };

export interface CycleOutcome {
  plan: PlanOutcome;
  execute: ExecuteOutcome;
}

export interface Runtime extends Required<RuntimeCommands> {
  planOnce(options: { reason: string; force?: boolean }): Promise<PlanOutcome>;
  executeOnce(options?: { refetchInverter?: boolean }): Promise<ExecuteOutcome>;
  cycle(reason?: string): Promise<CycleOutcome>;
  latestPlan(): StoredPlan | undefined;
  status(): RuntimeStatus;
  recentJobRuns(): JobRun[];
  recordJobRun(run: JobRun): void;
  socHistory(): SocSample[];
  /** The finished days scored so far (newest last), for the page and the sensors. */
  dayScores(): DayScoreRecord[];
  /** Scores a finished local day from what was kept and what HA's meters measured, keeps the
   * record and publishes it; undefined for a day the add-on did not run in. Throws when the
   * meters cannot be read (worth retrying). */
  scoreDay(day: LocalDay): Promise<DayScoreRecord | undefined>;
  overrides(): readonly Override[];
  recentOverrideEvents(): OverrideEvent[];
  /** Marks the status degraded for a reason outside planning and execution (e.g. late rates). */
  raiseStatus(key: string, reason: string | undefined): Promise<void>;
  /** The reserve in force (the options' unless changed at run time; survives restarts). */
  reservePct(): number;
  /** Resolves when no plan or execution started so far is still running. */
  whenIdle(): Promise<void>;
  /**
   * A link to the inverter came back (Home Assistant reconnected or restarted, the inverter
   * answers Modbus again): re-apply the command of now at once instead of at the next retry.
   */
  linkRestored(reason: string): void;
  /**
   * No more writes; put the inverter back to self-use within the deadline (default 20 s) when
   * control is on or the last thing written was not self-use. Never throws.
   */
  stop(options?: { restoreDeadlineMs?: number }): Promise<StopOutcome>;
  /** The scheduler hooks here so that requestReplan goes through its debounce. */
  setReplanHandler(handler: ((reason: string) => void) | undefined): void;
}
