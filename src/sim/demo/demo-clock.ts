// The demo's clock: the runtime's accelerated clock, but standing still at the scenario's start
// until start() is called. Connecting to HA, reading inputs and the first plan take real time; on
// a clock already running a thousand times faster, that would be most of the first hour gone
// before the add-on is even up. Timers armed while it stands are armed when it starts.
import { createAcceleratedClock } from "../../runtime/accelerated-clock.js";
import type { Clock } from "../../runtime/ports.js";

export interface DemoClock extends Clock {
  start(): void;
  /** Stops time where it is (the demo's period is over but the page is still served). */
  freeze(): void;
}

interface Handle {
  real?: unknown;
  cancelled: boolean;
}

export function createDemoClock(base: Clock, factor: number, startMs: number): DemoClock {
  if (!(factor > 0)) throw new RangeError(`acceleration factor must be positive, not ${factor}`);
  let running: Clock | undefined;
  let frozenAtMs: number | undefined;
  const held: { callback: () => void; delayMs: number; handle: Handle }[] = [];
  return {
    nowMs: () => frozenAtMs ?? running?.nowMs() ?? startMs,
    setTimeout(callback, delayMs) {
      const handle: Handle = { cancelled: false };
      if (running) handle.real = running.setTimeout(callback, delayMs);
      else held.push({ callback, delayMs, handle });
      return handle;
    },
    clearTimeout(handle) {
      const h = handle as Handle | undefined;
      if (!h) return;
      h.cancelled = true;
      if (h.real !== undefined) running?.clearTimeout(h.real);
    },
    freeze() {
      frozenAtMs = this.nowMs();
    },
    start() {
      if (running) return;
      running = createAcceleratedClock(base, factor, startMs);
      for (const { callback, delayMs, handle } of held.splice(0)) {
        if (!handle.cancelled) handle.real = running.setTimeout(callback, delayMs);
      }
    },
  };
}
