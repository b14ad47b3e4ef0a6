// Waiting for a wall-clock instant when the wall clock can jump. Node's timers run on a monotonic
// clock: a timer armed for "18:00 in five hours" fires five real hours later whatever NTP does to
// the wall clock meanwhile, so after a wrong boot time is corrected by −3 h it fires at 15:00.
// Instead we sleep in short steps and re-read the clock at each one: a clock that moved forward
// simply makes the instant due sooner; one that went back is reported, so the caller can re-derive
// its schedule (and re-plan) from the corrected clock instead of waiting out the difference.
// Only backward jumps are reported: a frozen or accelerated clock (the demo) and a late timer on a
// loaded machine look like forward drift, and forward drift is harmless here.
import type { Clock } from "./ports.js";

/** The longest single sleep: a jump is noticed at most this late. */
export const WAKE_STEP_MS = 60_000;
/** A clock read this much earlier than at the previous step has been set back. */
export const JUMP_TOLERANCE_MS = 30_000;

export interface WallTimer {
  cancel(): void;
}

/**
 * Calls `onDue` once the clock reads `atMs` or later. When the clock is found to have been set
 * back before that, calls `onJump(jumpMs)` instead (negative) and stops; the caller re-arms from
 * the clock as it now reads.
 */
export function wakeAt(
  clock: Clock,
  atMs: number,
  onDue: () => void,
  onJump: (jumpMs: number) => void,
): WallTimer {
  let handle: unknown;
  let cancelled = false;
  // A NaN or infinite instant is never due; arming it would make a timer that fires every 1 ms.
  if (!Number.isFinite(atMs)) return { cancel() {} };
  // Always through a timer, never synchronously: the caller holds the handle when it fires.
  const step = () => {
    const nowMs = clock.nowMs();
    const delayMs = Math.max(0, Math.min(WAKE_STEP_MS, atMs - nowMs));
    handle = clock.setTimeout(() => {
      if (cancelled) return;
      const wokeMs = clock.nowMs();
      if (wokeMs >= atMs) return onDue();
      if (wokeMs < nowMs - JUMP_TOLERANCE_MS) return onJump(wokeMs - (nowMs + delayMs));
      step();
    }, delayMs);
  };
  step();
  return {
    cancel() {
      cancelled = true;
      if (handle !== undefined) clock.clearTimeout(handle);
    },
  };
}
