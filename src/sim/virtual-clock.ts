// The digital twin's clock: virtual time that moves only when the simulation moves it, jumping
// from one timer to the next. The add-on arms its slot timer, debounces and cron jobs on it exactly
// as on the system clock; the simulation waits for the add-on to go quiet after every timer before
// time moves on, so a simulated day takes seconds and every run gives the same result.
import type { Clock } from "../runtime/ports.js";

interface Timer {
  id: number;
  atMs: number;
  callback: () => void;
}

export class VirtualClock implements Clock {
  private now: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(startMs: number) {
    this.now = startMs;
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

  /** When the next timer falls due, if any. */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (next === undefined || t.atMs < next) next = t.atMs;
    return next;
  }

  /** Changes whenever a timer is armed, cleared or fired: "did anything get scheduled?". */
  signature(): string {
    return `${this.nextId}:${this.timers.length}`;
  }

  /** Moves time forward (never back) without firing anything. */
  moveTo(ms: number): void {
    this.now = Math.max(this.now, ms);
  }

  /** Fires the earliest timer due at or before now; false when none is. Ties fire in arming order. */
  fireNext(): boolean {
    let due: Timer | undefined;
    for (const t of this.timers) {
      if (t.atMs > this.now) continue;
      if (!due || t.atMs < due.atMs || (t.atMs === due.atMs && t.id < due.id)) due = t;
    }
    if (!due) return false;
    this.timers = this.timers.filter((t) => t !== due);
    due.callback();
    return true;
  }
}
