// What the plan page reads from the runtime. The web server only reads, never changes anything.
import type { DayScoreRecord, JobRun, RuntimeStatus, SocSample, StoredPlan } from "../runtime/ports.js";
import type { Runtime } from "../runtime/runtime-types.js";
import type { SetupReport } from "../setup/render.js";

export type { SocSample };

export interface WebState {
  /** The newest valid plan, or undefined before the first one exists. */
  getPlan(): StoredPlan | undefined;
  getStatus(): RuntimeStatus;
  /** Recent runs of the scheduled jobs, any order. */
  getJobRuns(): JobRun[];
  /** Measured SOC so far (the "actual" line), any order. */
  getSocHistory(): SocSample[];
  /** The finished days scored so far, newest last. Optional: the setup-only page (main.ts, when
   * options are missing) has no runtime and so no days; the page then says none is scored yet. */
  getDayScores?(): DayScoreRecord[];
  /** The home's currency (ISO code, HA's configured one, as on the cost sensors). */
  currency?: string;
  /** What start-up auto-detection found and the options to paste (src/setup), when it ran. */
  setup?: SetupReport;
}

/** The page's view of a running runtime. */
export function webStateOf(
  runtime: Pick<Runtime, "latestPlan" | "status" | "recentJobRuns" | "socHistory" | "dayScores">,
  display: { currency?: string; setup?: SetupReport } = {},
): WebState {
  return {
    ...(display.currency ? { currency: display.currency } : {}),
    ...(display.setup ? { setup: display.setup } : {}),
    getPlan: () => runtime.latestPlan(),
    getStatus: () => runtime.status(),
    getJobRuns: () => runtime.recentJobRuns(),
    getSocHistory: () => runtime.socHistory(),
    getDayScores: () => runtime.dayScores(),
  };
}
