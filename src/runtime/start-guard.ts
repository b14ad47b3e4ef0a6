// Until Home Assistant answers at start, nothing plans or executes. An add-on that died (crash,
// OOM, kill -9) while the inverter was forced would leave it forced for as long as HA stays away.
// Where the inverter is reachable without HA (Modbus), this guard restores self-use once HA has
// not answered for a while and the journal says the last write was not self-use; the runtime,
// once HA is there, re-applies the plan as after any restart.
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { leftInSelfUse } from "./executor.js";
import { openJournal } from "./journal.js";
import type { Clock, Controller } from "./ports.js";

/** How long the add-on waits for Home Assistant at start before it restores self-use. */
export const START_WITHOUT_HA_MS = 60_000;
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export interface StartGuard {
  /** Home Assistant answered (or the start failed): stop guarding, wait for a restore in flight. */
  stop(): Promise<void>;
}

export function guardStartWithoutHa(options: {
  dataDir: string;
  controller: Controller;
  clock: Clock;
  log: Logger;
  afterMs?: number;
}): StartGuard {
  const { controller, clock, log } = options;
  let stopped = false;
  let timer: unknown;
  let attempt: Promise<void> | undefined;
  let delayMs = RETRY_FIRST_MS;
  let wake: (() => void) | undefined;

  const run = async () => {
    const journal = await openJournal(options.dataDir);
    const last = journal.last();
    if (leftInSelfUse(last)) return;
    log.warn(
      `Home Assistant has not answered for ${Math.round((options.afterMs ?? START_WITHOUT_HA_MS) / 1000)} s and the inverter was last told ${last!.command.mode}: restoring self-use until there is a plan again`,
    );
    for (;;) {
      if (stopped) return;
      try {
        await controller.restoreSelfUse();
        await journal.record({
          key: "fallback:start-without-ha",
          command: { mode: "self-use" },
          state: "applied",
          atMs: clock.nowMs(),
        });
        log.info("inverter back in self-use while Home Assistant is away");
        return;
      } catch (error) {
        log.warn(`restoring self-use failed: ${errorMessage(error)}; retrying in ${delayMs / 1000} s`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = clock.setTimeout(resolve, delayMs);
      });
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  };

  timer = clock.setTimeout(() => {
    timer = undefined;
    if (!stopped) attempt = run().catch((error: unknown) => log.warn(`start guard: ${errorMessage(error)}`));
  }, options.afterMs ?? START_WITHOUT_HA_MS);

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      wake?.();
      await attempt;
    },
  };
}
