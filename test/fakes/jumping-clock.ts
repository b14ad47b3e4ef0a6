// A wall clock that can jump, over a FakeClock whose timers stand for Node's monotonic timers: a
// timer fires after its delay in "real" time whatever happens to the wall clock, which is exactly
// what setTimeout does when NTP steps the system clock.
import type { Clock } from "../../src/runtime/ports.js";
import type { FakeClock } from "./clock.js";

export class JumpingClock implements Clock {
  private offsetMs = 0;

  constructor(readonly base: FakeClock) {}

  nowMs(): number {
    return this.base.nowMs() + this.offsetMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    return this.base.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: unknown): void {
    this.base.clearTimeout(handle);
  }

  /** Steps the wall clock by `ms` (negative: back) without any timer noticing. */
  jump(ms: number): void {
    this.offsetMs += ms;
  }

  /** Lets `ms` of real time pass, firing the timers due on the way. */
  advance(ms: number): Promise<void> {
    return this.base.advance(ms);
  }
}
