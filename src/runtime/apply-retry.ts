// Retrying a command that did not get through (a write failed, the inverter or Home Assistant was
// unreachable): first after 2 s, then doubling, never more than 60 s apart, for as long as it
// takes. A reconnect does not wait for the timer: the runtime re-applies at once (linkRestored).
import type { Clock } from "./ports.js";

export interface RetryPolicy {
  firstMs: number;
  maxMs: number;
}

export const APPLY_RETRY: RetryPolicy = { firstMs: 2_000, maxMs: 60_000 };

export interface RetryTimer {
  /** Arms the next retry unless one is armed; returns its delay (undefined: already armed). */
  arm(): number | undefined;
  /** It got through: cancel, and start from the first delay next time. */
  reset(): void;
  cancel(): void;
}

export function createRetryTimer(clock: Clock, policy: RetryPolicy, run: () => void): RetryTimer {
  let timer: unknown;
  let delayMs = policy.firstMs;
  const cancel = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  return {
    arm() {
      if (timer !== undefined) return undefined;
      const armedMs = delayMs;
      timer = clock.setTimeout(() => {
        timer = undefined;
        run();
      }, armedMs);
      delayMs = Math.min(armedMs * 2, policy.maxMs);
      return armedMs;
    },
    reset() {
      cancel();
      delayMs = policy.firstMs;
    },
    cancel,
  };
}
