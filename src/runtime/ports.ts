// The ports the runtime needs from the world. Adapters (ha/, control/, fakes in test/) implement
// them; only the composition roots (main.ts, cli) pick the concrete ones.
import type { DayScore } from "../core/day-score.js";
import type { Command, InverterState, Mode, Plan } from "../core/types.js";

/** A price valid over [startMs, endMs). */
export interface RatePoint {
  startMs: number;
  endMs: number;
  pricePerKwh: number;
}

/** Energy expected over [startMs, endMs). Percentiles where the source has them. */
export interface EnergyPoint {
  startMs: number;
  endMs: number;
  energyKwh: number;
  p10Kwh?: number;
  p90Kwh?: number;
}

export interface BatteryReading {
  socPct: number;
  /** + charging, − discharging. */
  powerW?: number;
  readAtMs: number;
}

/** Everything a plan is made from, as read at `readAtMs`. */
export interface InputsSnapshot {
  readAtMs: number;
  importRates: RatePoint[];
  /** Empty: export earns nothing. */
  exportRates: RatePoint[];
  /** Empty: no PV. */
  solar: EnergyPoint[];
  /** Household load forecast over the horizon (EV charging excluded where configured). */
  load: EnergyPoint[];
  battery: BatteryReading;
  /** Gaps, fallbacks and oddities worth showing in the status (never fatal). */
  warnings: string[];
}

/** Reads the inputs. Throws an InputError (see errors.ts) when something essential is missing. */
export interface InputsPort {
  readInputs(nowMs: number): Promise<InputsSnapshot>;
  /** Rebuild the load forecast from history (the daily job); optional. */
  refreshLoadForecast?(nowMs: number): Promise<void>;
  /** What the meters measured in each of these finished slots (the day score); optional. */
  readMeasuredEnergy?(slots: readonly { startMs: number; endMs: number }[]): Promise<MeasuredEnergy>;
}

/** Measured energy per slot; undefined where the meters do not cover the slot. */
export interface MeasuredEnergy {
  /** Household load (EV charging taken out where configured). */
  loadKwh: (number | undefined)[];
  pvKwh: (number | undefined)[];
  /** The grid meters HA's Energy dashboard names, when it names them. */
  gridImportKwh?: (number | undefined)[];
  gridExportKwh?: (number | undefined)[];
  /** Why something could not be measured, in words a user can act on. */
  notes: string[];
}

export type RuntimeState = "starting" | "ok" | "degraded" | "fallback" | "error";

export interface RuntimeStatus {
  state: RuntimeState;
  /** Why, in words a user understands ("no rates for tomorrow yet", "inverter unreachable"). */
  reason: string;
  controlEnabled: boolean;
  /** The command being executed now, when there is one. */
  currentCommand?: Command;
  /** The battery as the inputs last read it: SOC, and power where battery.power_entity is set. */
  battery?: BatteryReading;
  updatedAtMs: number;
}

/** A plan as stored and published: the artifact of one planOnce. */
export interface StoredPlan {
  planVersion: number;
  /** When the inputs this plan was made from were read. */
  inputsReadAtMs: number;
  computedAtMs: number;
  /** Why it was made ("startup", "rates changed", "aged", "manual"). */
  reason: string;
  /** Hash of the inputs, to tell whether a replan would change anything. */
  inputsFingerprint: string;
  capacityKwh: number;
  plan: Plan;
  /** Stored energy the plan started from (at its first slot's start). */
  initialSocKwh?: number;
  /** Hashes of the rates and of the forecasts alone, for the replan decision. */
  ratesFingerprint?: string;
  forecastFingerprint?: string;
}

export interface JobRun {
  job: string;
  plannedAtMs: number;
  startedAtMs: number;
  finishedAtMs?: number;
  outcome: "running" | "ok" | "failed" | "skipped" | "timeout";
  attempt: number;
  message?: string;
}

/** Publishes plans and status where HA (and the ingress page) can see them. */
export interface PlanPublisher {
  publishPlan(plan: StoredPlan, status: RuntimeStatus): Promise<void>;
  publishStatus(status: RuntimeStatus): Promise<void>;
  /** Fired when the plan's actions (modes) change, not on every recompute. */
  planChanged?(previous: StoredPlan | undefined, next: StoredPlan): Promise<void>;
  publishJobRun?(run: JobRun): Promise<void>;
  /** An override was created, updated, deleted, started or ended (HA event, web page). */
  publishOverrideEvent?(event: OverrideEvent): Promise<void>;
  /** A finished day was scored (or could not be): the day-score sensors. */
  publishDayScore?(record: DayScoreRecord): Promise<void>;
  /** Tomorrow's rates had not arrived by the deadline (for automations: a HA event). */
  ratesLate?(late: { deadline: string; coveredUntilMs: number }): Promise<void>;
  notify?(title: string, message: string): Promise<void>;
}

export interface ApplyReport {
  /** What was written, as "name=value" (register or entity), in order. */
  written: string[];
  /** Read back after writing and found as asked. */
  verified: boolean;
  /** Targets that did not stick, with what was read back. */
  mismatches: string[];
}

/** Makes the inverter do a command. Implementations write only what differs from the inverter's
 * current state (so re-applying is free and a half-applied command gets completed), verify by
 * reading back, and throw ControlError (retryable where it makes sense) when they cannot. */
export interface Controller {
  readonly kind: "ha_services" | "modbus" | "dry_run";
  readState(): Promise<InverterState>;
  apply(command: Command): Promise<ApplyReport>;
  /** Put the inverter back to its normal self-use mode (shutdown, fallbacks). */
  restoreSelfUse(): Promise<ApplyReport>;
  /** The reserve changed at run time: the floor that self-use and exports keep from now on. */
  setReservePct(reservePct: number): void;
  /** False while the inverter cannot be reached (absent: as reachable as Home Assistant). */
  readonly connected?: boolean;
  /** Calls `listener` when the inverter answers again after it could not be reached. */
  onReconnect?(listener: () => void): () => void;
  close?(): Promise<void>;
}

/** A user's or an automation's forced mode for a window. */
export interface OverrideRequest {
  mode: Mode;
  /** ISO instant or epoch ms; default now. */
  startMs?: number;
  durationMinutes: number;
  targetSocPct?: number;
  powerW?: number;
  /** Repeat daily at the same local time. */
  recurrence?: "none" | "daily";
}

/** What HA actions, MQTT buttons and the web page may ask of the runtime. */
export interface RuntimeCommands {
  requestReplan(reason: string): void;
  createOverride(request: OverrideRequest): Promise<string>;
  cancelOverride(id?: string): Promise<void>;
  /** Change an existing override; resolves false when there is no such override. */
  updateOverride?(id: string, request: Partial<OverrideRequest>): Promise<boolean>;
  setControlEnabled(enabled: boolean): Promise<void>;
  setReservePct(reservePct: number): Promise<void>;
}

/** An override's lifecycle, as published to HA and the web page. */
export interface OverrideEvent {
  kind: "created" | "updated" | "deleted" | "started" | "ended";
  overrideId: string;
  atMs: number;
  mode: Mode;
  /** For started/ended: the occurrence's window. */
  windowStartMs?: number;
  windowEndMs?: number;
}

/** A sample of the measured state of charge, for the chart of actual SOC. */
export interface SocSample {
  atMs: number;
  socPct: number;
}

/** The time source. Tests inject a fake one that runs days in milliseconds. */
export interface Clock {
  nowMs(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A finished day as the add-on scored it (day-scores.json, the day-score sensors, the page). */
export interface DayScoreRecord {
  /** The local date, YYYY-MM-DD in the home's zone. */
  date: string;
  startMs: number;
  endMs: number;
  scoredAtMs: number;
  /** The battery was not driven (dry_run, or control off): the figures are what the plans would
   * have saved had they been carried out, replayed against what the house used and the panels made. */
  replayed: boolean;
  /** Absent when the day could not be scored; then `reason` says why. */
  score?: DayScore;
  reason?: string;
  /** The day's bill at its rates (no stored energy, no wear): as the battery model has it from the
   * SOC, and as the grid meters say where the Energy dashboard names them. The two agreeing is
   * what says the score can be trusted. */
  bill?: { modelled: number; metered?: number };
  /** Slots of the day with prices and measurements, of all the day's slots. */
  slotsScored: number;
  slotsInDay: number;
}
