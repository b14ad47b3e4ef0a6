// What the plan page reads from the runtime. The runtime (or main.ts) implements it over its plan
// store, status and job journal; the web server only reads, never changes anything.
import type { JobRun, RuntimeStatus, StoredPlan } from "../runtime/ports.js";

/** A measured state of charge, for the "actual SOC so far" line. */
export interface SocSample {
  tMs: number;
  socPct: number;
}

export interface WebState {
  /** The newest valid plan, or undefined before the first one exists. */
  getPlan(): StoredPlan | undefined;
  getStatus(): RuntimeStatus;
  /** Recent runs of the scheduled jobs, any order. */
  getJobRuns(): JobRun[];
  /** Measured SOC over the plan's horizon so far, any order. */
  getSocHistory(): SocSample[];
}
