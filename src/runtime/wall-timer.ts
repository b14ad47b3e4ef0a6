// Waiting for a wall-clock instant when the wall clock can jump. Node's timers run on a monotonic
// clock: a timer armed for "18:00 in five hours" fires five real hours later whatever NTP does to
// the wall clock meanwhile, so after a wrong boot time is corrected by −3 h it fires at 15:00.
// Instead we sleep in short steps, re-read the clock at each one, and report a jump when the clock
// moved by more (or less) than the step, so the caller can re-derive its schedule from the clock.
import type { Clock } from "./ports.js";

/** The longest single sleep: a jump is noticed at most this late. */
export const WAKE_STEP_MS = 60_000;
/** Timers fire late under load; only a larger disagreement is a jump. */
export const JUMP_TOLERANCE_MS = 30_000;

export interface WallTimer {
  cancel(): void;
}

/**
 * Calls `onDue` once the clock reads `atMs` or later. When the clock is found to have jumped back
 * (or forward, but not past `atMs`) before that, calls `onJump(jumpMs)` instead (positive:
 * forward) and stops; the caller re-arms from the clock as it now reads.
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
    const expectedMs = nowMs + delayMs;
    handle = clock.setTimeout(() => {
      if (cancelled) return;
      const wokeMs = clock.nowMs();
      if (wokeMs >= atMs) return onDue();
      const jumpMs = wokeMs - expectedMs;
      // Late by a lot means either a forward jump or a frozen process: both call for a re-plan.
      if (Math.abs(jumpMs) > JUMP_TOLERANCE_MS) return onJump(jumpMs);
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
