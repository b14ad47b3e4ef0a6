// A clock that runs faster than its base clock (the demo runs a simulated day in minutes): time
// read from it advances `factor` times as fast, and its timers fire after delay / factor of base
// time. The base is injected, so tests drive it with a fake clock.
import type { Clock } from "./ports.js";

export function createAcceleratedClock(base: Clock, factor: number, startMs: number): Clock {
  if (!(factor > 0)) throw new RangeError(`acceleration factor must be positive, not ${factor}`);
  const baseStartMs = base.nowMs();
  return {
    nowMs: () => startMs + (base.nowMs() - baseStartMs) * factor,
    setTimeout: (callback, delayMs) => base.setTimeout(callback, Math.max(0, delayMs) / factor),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}
