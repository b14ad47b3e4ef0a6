// When the add-on in the twin has nothing left to do at the current virtual instant: time may
// only move on then, or the same day would not always give the same result.
import type { Addon } from "../../app.js";
import type { HaSim } from "../ha/index.js";
import type { VirtualClock } from "../virtual-clock.js";

/**
 * Resolves once the add-on has nothing left to do at this instant: events HA sent have arrived
 * (a get_config round trip on the same socket comes back after them), triggered plans and writes
 * are done, and two rounds in a row armed no timer and sent nothing.
 */
export function quiescence(
  addon: Addon | undefined,
  sim: HaSim,
  inverter: { writes: unknown[] },
  clock: VirtualClock,
): () => Promise<void> {
  let probes = 0;
  const signature = () =>
    `${clock.signature()}|${sim.received.length - probes}|${sim.serviceCalls.length}|${inverter.writes.length}`;
  return async () => {
    if (!addon) return;
    let before = "";
    for (let round = 0; round < 50; round++) {
      probes++;
      await addon.ha.getConfig();
      await turns(3);
      await Promise.all([addon.scheduler.whenIdle(), addon.runtime.whenIdle(), addon.jobs.whenIdle()]);
      await turns(2);
      const now = signature();
      if (now === before) return;
      before = now;
    }
  };
}

async function turns(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
