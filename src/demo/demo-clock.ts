// The demo's clock: accelerated, but standing still at the scenario's start until start() is
// called. Connecting to HA, reading inputs and the first plan take real time; on a clock already
// running a thousand times faster, that would be most of the first hour gone before the add-on is
// even up. Timers armed while it stands are scheduled from the moment it starts.
import type { Clock } from "../runtime/ports.js";

export interface DemoClock extends Clock {
  start(): void;
  /** Stops time where it is (the demo's period is over but the page is still served). */
  freeze(): void;
}

export function createDemoClock(base: Clock, factor: number, startMs: number): DemoClock {
  if (!(factor > 0)) throw new RangeError(`acceleration factor must be positive, not ${factor}`);
  let baseStartMs: number | undefined;
  let frozenAtMs: number | undefined;
  const held: { callback: () => void; delayMs: number; handle: { real?: unknown; cancelled: boolean } }[] =
    [];
  const arm = (callback: () => void, delayMs: number) =>
    base.setTimeout(callback, Math.max(0, delayMs) / factor);
  return {
    nowMs: () =>
      frozenAtMs ?? (baseStartMs === undefined ? startMs : startMs + (base.nowMs() - baseStartMs) * factor),
    setTimeout(callback, delayMs) {
      if (baseStartMs !== undefined) return { real: arm(callback, delayMs), cancelled: false };
      const handle: { real?: unknown; cancelled: boolean } = { cancelled: false };
      held.push({ callback, delayMs, handle });
      return handle;
    },
    clearTimeout(handle) {
      const h = handle as { real?: unknown; cancelled: boolean } | undefined;
      if (!h) return;
      h.cancelled = true;
      if (h.real !== undefined) base.clearTimeout(h.real);
    },
    freeze() {
      frozenAtMs = this.nowMs();
    },
    start() {
      if (baseStartMs !== undefined) return;
      baseStartMs = base.nowMs();
      for (const { callback, delayMs, handle } of held.splice(0)) {
        if (!handle.cancelled) handle.real = arm(callback, delayMs);
      }
    },
  };
}
