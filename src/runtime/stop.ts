// Stopping puts the inverter back to self-use first, within a deadline, whatever else is still
// running: a write that never answers (a hung REST or service call, a silent inverter) must not
// keep the battery forced until the Supervisor kills the add-on. The write that was in flight may
// land after our restore, so when it settles in time, self-use is written once more (diff-based:
// a no-op when nothing changed).
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { type Executor, leftInSelfUse } from "./executor.js";
import type { ExecutionJournal } from "./journal.js";
import type { Clock } from "./ports.js";
import type { StopOutcome } from "./runtime-types.js";

export interface RestoreOnStopOptions {
  executor: Executor;
  journal: ExecutionJournal;
  controlEnabled: boolean;
  clock: Clock;
  log: Logger;
  deadlineMs: number;
}

const RETRY_FIRST_MS = 500;
const KEY = "fallback:stop";

/**
 * Resolves with what `promise` gives, or with "timeout" at `atMs`. On the wall clock, not the
 * runtime's: the Supervisor's timeout is wall-clock time, also when tests run a fake clock.
 */
function until<T>(promise: Promise<T>, atMs: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), Math.max(0, atMs - Date.now()));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function restoreOnStop(options: RestoreOnStopOptions): Promise<StopOutcome> {
  const { executor, journal, clock, log } = options;
  const pending = executor.halt();
  const controller = executor.configured();
  if (!controller) return { restored: "not-needed", reason: "no inverter is controlled" };
  // With control off and the journal confirming self-use, the inverter is the user's: hands off.
  if (!options.controlEnabled && leftInSelfUse(journal.last()))
    return { restored: "not-needed", reason: "control is off and the inverter was left in self-use" };

  const startMs = Date.now();
  const deadlineAtMs = startMs + options.deadlineMs;
  let lastError = "";
  let delayMs = RETRY_FIRST_MS;
  const attempt = async (): Promise<boolean> => {
    for (;;) {
      const result = await until(
        controller.restoreSelfUse().then(
          () => true,
          (error: unknown) => {
            lastError = errorMessage(error);
            return false;
          },
        ),
        deadlineAtMs,
      );
      if (result === true) return true;
      if (result === "timeout") {
        lastError ||= "no answer";
        return false;
      }
      log.warn(`restoring self-use failed: ${lastError}; retrying`);
      if (Date.now() + delayMs >= deadlineAtMs) return false;
      await until(new Promise<never>(() => undefined), Date.now() + delayMs);
      delayMs *= 2;
    }
  };

  let restored = await attempt();
  if (restored && pending) {
    // The write in flight when we stopped may have landed after the restore: restore again.
    const settled = await until(
      pending.then(
        () => "settled",
        () => "settled",
      ),
      deadlineAtMs,
    );
    if (settled === "settled") restored = await attempt();
  }
  const tookMs = Date.now() - startMs;
  if (!restored) {
    log.error(
      `could not put the inverter back to self-use within ${Math.round(options.deadlineMs / 1000)} s (${lastError}); it may stay in its last mode`,
    );
    return { restored: "failed", reason: lastError, tookMs };
  }
  try {
    await journal.record({ key: KEY, command: { mode: "self-use" }, state: "applied", atMs: clock.nowMs() });
  } catch (error) {
    log.warn(`could not record the restore in the journal: ${errorMessage(error)}`);
  }
  log.info(`inverter back in self-use (${controller.kind}) after ${tookMs} ms`);
  return { restored: "yes", tookMs };
}
