// The runtime's public shape: what it needs (RuntimeDeps), what it returns, what it offers.
import type { Config } from "../config/schema.js";
import type { Plan, PlanProblem } from "../core/types.js";
import type { Logger } from "../log.js";
import type { ExecuteOutcome } from "./executor.js";
import type { Override } from "./overrides.js";
import type {
  Clock,
  Controller,
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
}

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
  overrides(): readonly Override[];
  recentOverrideEvents(): OverrideEvent[];
  /** Marks the status degraded for a reason outside planning and execution (e.g. late rates). */
  raiseStatus(key: string, reason: string | undefined): Promise<void>;
  /** The reserve in force (the options' unless changed at run time; survives restarts). */
  reservePct(): number;
  /** Resolves when no plan or execution started so far is still running. */
  whenIdle(): Promise<void>;
  /** The scheduler hooks here so that requestReplan goes through its debounce. */
  setReplanHandler(handler: ((reason: string) => void) | undefined): void;
  readonly config: Config;
  readonly clock: Clock;
  readonly inputs: InputsPort;
  readonly publisher: PlanPublisher;
}
