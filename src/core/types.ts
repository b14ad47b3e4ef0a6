// Plain data shared by the pure core and everything around it. No I/O, no clock, no classes.
// Units are in the names; instants are UTC epoch milliseconds (`…Ms`) inside the core and ISO
// strings only at the edges (JSON output, HA attributes).

/** What the inverter is told to do during a slot (see docs/architecture.md, "Inverter modes"). */
export type Mode = "self-use" | "charge" | "hold" | "export";
export const MODES: readonly Mode[] = ["self-use", "charge", "hold", "export"];

export interface BatterySpec {
  /** Usable maximum stored energy. */
  capacityKwh: number;
  /** Reserve floor the plan never goes below. */
  minSocKwh: number;
  /** AC power limit into the battery. */
  maxChargeKw: number;
  /** AC power limit out of the battery. */
  maxDischargeKw: number;
  /** Stored kWh per AC kWh charged. */
  chargeEfficiency: number;
  /** AC kWh delivered per stored kWh. */
  dischargeEfficiency: number;
  /** Wear cost per AC kWh discharged. */
  cycleCostPerKwh: number;
}

export interface GridSpec {
  maxImportKw: number;
  maxExportKw: number;
}

/** One slot of the planning horizon: [startMs, endMs). Slots are contiguous and ordered. */
export interface SlotInput {
  startMs: number;
  endMs: number;
  importPricePerKwh: number;
  exportPricePerKwh: number;
  /** Forecast household energy for the slot (EV excluded when configured). */
  loadKwh: number;
  /** Forecast PV energy for the slot (median / p50). */
  pvKwh: number;
  /** Pessimistic (10th percentile) PV energy, when the forecast has one. */
  pvP10Kwh?: number;
  /** Optimistic (90th percentile) PV energy, when the forecast has one. */
  pvP90Kwh?: number;
}

/** A slot whose mode is imposed (a user override or an automation's dispatch). */
export interface ForcedSlot {
  /** Index into `PlanProblem.slots`. */
  slotIndex: number;
  mode: Mode;
  /** For charge/export: where to stop. */
  targetSocKwh?: number;
  /** For charge/export: AC power; defaults to the battery's limit. */
  powerW?: number;
}

/** The plan currently being executed, for the stability rule (no flip-flop). */
export interface PreviousPlanHint {
  /** Modes the previous plan had for slots starting at these instants. */
  modesByStartMs: ReadonlyMap<number, Mode>;
}

export interface PlannerOptions {
  /**
   * Do not change the mode of the current or next slot from the previous plan unless the new
   * plan is better by more than this amount of money over the horizon.
   */
  stabilityThreshold: number;
  /**
   * Robustness against PV shortfall: 0 plans on the median forecast; 1 plans as if the p10
   * forecast happens for the reserve it keeps (see README, "Uncertainty").
   */
  pvRiskAversion: number;
}

export interface PlanProblem {
  slots: readonly SlotInput[];
  battery: BatterySpec;
  grid: GridSpec;
  /** Stored energy at `slots[0].startMs` (or at now, for a first slot already partly over). */
  initialSocKwh: number;
  /** Value of each stored kWh gained by the end of the horizon (negative: lost). */
  terminalValuePerKwh: number;
  forced?: readonly ForcedSlot[];
  previous?: PreviousPlanHint;
  options?: Partial<PlannerOptions>;
}

export interface PlanSlot {
  startMs: number;
  endMs: number;
  mode: Mode;
  /** Where a charge/export stops; for self-use/hold, the SOC expected at the slot end. */
  targetSocKwh: number;
  /** Battery AC power asked of the inverter: + charging, − discharging, 0 for hold/self-use. */
  powerW: number;
  chargeKwh: number;
  dischargeKwh: number;
  importKwh: number;
  exportKwh: number;
  curtailedKwh: number;
  /** Stored energy at the end of the slot. */
  socKwh: number;
  /** Import cost − export revenue + wear for the slot. */
  cost: number;
  importPricePerKwh: number;
  exportPricePerKwh: number;
  loadKwh: number;
  pvKwh: number;
  /** The mode was imposed by an override window (a ForcedSlot), not chosen by the optimiser. */
  forced?: boolean;
}

export interface PlanSummary {
  /** Σ slot cost − terminal value of the stored energy gained. */
  netCost: number;
  /** The same horizon with the battery left idle. */
  idleCost: number;
  /** idleCost − netCost. */
  saving: number;
  /** Number of slot boundaries where the mode changes. */
  modeChanges: number;
  finalSocKwh: number;
}

export interface Plan {
  slots: PlanSlot[];
  summary: PlanSummary;
}

/** What the executor asks the controller to do now. */
export interface Command {
  mode: Mode;
  /** Charge/export stop point, in percent of capacity. */
  targetSocPct?: number;
  /** Absolute AC power for charge/export. */
  powerW?: number;
}

/** What a controller reads back from the inverter. */
export interface InverterState {
  socPct: number;
  /** + charging, − discharging. */
  batteryPowerW?: number;
  pvPowerW?: number;
  /** + importing, − exporting. */
  gridPowerW?: number;
  /** The mode the inverter is in, when the profile can tell. */
  mode?: Mode;
  /** The profile reads the mode, but the settings fit none of the modes (a command half applied,
   * or changed by someone else): whatever is due is applied again. */
  modeUnrecognised?: boolean;
  targetSocPct?: number;
  powerW?: number;
}
