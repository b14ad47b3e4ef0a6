// What the plan page reads from the runtime. The web server only reads, never changes anything.
import type { JobRun, RuntimeStatus, SocSample, StoredPlan } from "../runtime/ports.js";
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
  /** The home's currency (ISO code, HA's configured one, as on the cost sensors). */
  currency?: string;
  /** What start-up auto-detection found and the options to paste (src/setup), when it ran. */
  setup?: SetupReport;
}

/** The page's view of a running runtime. */
export function webStateOf(
  runtime: Pick<Runtime, "latestPlan" | "status" | "recentJobRuns" | "socHistory">,
  display: { currency?: string; setup?: SetupReport } = {},
): WebState {
  return {
    ...(display.currency ? { currency: display.currency } : {}),
    ...(display.setup ? { setup: display.setup } : {}),
    getPlan: () => runtime.latestPlan(),
    getStatus: () => runtime.status(),
    getJobRuns: () => runtime.recentJobRuns(),
    getSocHistory: () => runtime.socHistory(),
  };
}
