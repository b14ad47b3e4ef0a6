// The runtime's public API, for the composition roots (main.ts, the demo, the CLI).
export { createAcceleratedClock } from "./accelerated-clock.js";
export { startBuiltinJobs } from "./builtin-jobs.js";
export { type ClosedLoopResult, runClosedLoop } from "./closed-loop.js";
export { type CatchUpPolicy, type CronRunner, createCronRunner, type JobSpec } from "./cron.js";
export type { ExecuteOutcome } from "./executor.js";
export type { Override } from "./overrides.js";
export { forecastFingerprint, ratesFingerprint } from "./problem.js";
export { createRuntime } from "./runtime.js";
export type { CycleOutcome, PlanOutcome, Runtime, RuntimeDeps } from "./runtime-types.js";
export {
  createScheduler,
  createSchedulerFromConfig,
  type Scheduler,
  type SchedulerOptions,
} from "./scheduler.js";
export { simulateScenario } from "./simulate.js";
