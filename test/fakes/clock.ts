// A Clock that only moves when a test moves it, so days of schedule run in milliseconds. Timers
// fire in time order; after each one the fake lets pending promises settle, because runtime
// callbacks are async (plan, then execute) and a test expects their effects before it continues.
import type { Clock } from "../../src/runtime/ports.js";

interface Timer {
  id: number;
  atMs: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  private now: number;
  private timers: Timer[] = [];
  private nextId = 1;
  private idleChecks: (() => Promise<void>)[] = [];

  constructor(startMs: number | string) {
    this.now = typeof startMs === "string" ? Date.parse(startMs) : startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.nextId++, atMs: this.now + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /**
   * Work that a fired timer starts (file writes, async callbacks) must finish before time moves
   * on, or a retry would be armed from a later "now". Components expose a whenIdle for this.
   */
  waitAfterEachTimer(check: () => Promise<void>): void {
    this.idleChecks.push(check);
  }

  /** Timers still waiting. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.now + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    await settle();
    for (;;) {
      const due = this.timers
        .filter((t) => t.atMs <= targetMs)
        .sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = Math.max(this.now, due.atMs);
      due.callback();
      await settle();
      for (const check of this.idleChecks) await check();
    }
    this.now = Math.max(this.now, targetMs);
    await settle();
  }
}

/** Lets queued promise callbacks (and the I/O they start) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
