// Entity changes → replan triggers. HA announces the same rates and forecasts again and again,
// and SOC readings every few seconds; the scheduler's pure decision filters them, so this only has
// to say what kind of change it was and give the fingerprint of what the entities now hold.
//
// Each kind is read on its own: a SOC change reads the SOC from the cache and nothing else (before,
// every SOC reading re-read every input, and a service tariff such as Tibber was called each time);
// rates are read again only when a rate entity really changed (the cache's fingerprint moved).

import type { Config } from "../config/schema.js";
import type { ReplanTrigger } from "../core/replan.js";
import { errorMessage } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { Clock } from "../runtime/ports.js";
import { forecastFingerprint, ratesFingerprint } from "../runtime/problem.js";
import type { HaUnsubscribe } from "./client.js";
import type { EntityStates } from "./entity-cache.js";
import type { InputParts } from "./inputs.js";

export interface EntityTriggerOptions {
  entities: Pick<EntityStates, "watch" | "fingerprint" | "onChange">;
  inputs: InputParts;
  config: Config;
  clock: Pick<Clock, "nowMs">;
  notify(trigger: ReplanTrigger): void;
  log?: Logger;
}

type Kind = "rates" | "forecast" | "soc";

/** Which kind of change each watched entity stands for. */
export function triggerKinds(config: Config): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const tariff of [config.import_tariff, config.export_tariff]) {
    for (const id of tariff?.entities ?? []) kinds.set(id, "rates");
  }
  for (const id of config.solar.entities) kinds.set(id, "forecast");
  // A dry run plans for the battery its commands would have left (runtime/dry-run-battery.ts): the
  // real battery's SOC moving says nothing about that plan, and the slot timer replans on time.
  if (config.control.method !== "dry_run") kinds.set(config.battery.soc_entity, "soc");
  return kinds;
}

export async function watchEntityTriggers(options: EntityTriggerOptions): Promise<HaUnsubscribe> {
  const log = options.log ?? createLogger("triggers");
  const { entities, inputs, clock } = options;
  const kinds = triggerKinds(options.config);
  await entities.watch(kinds.keys());
  // What each entity held when we last looked: the states at start are not a change (the
  // start-up cycle plans anyway), and a re-announcement with the same content is none either.
  const lastSeen = new Map<string, string | undefined>();
  for (const id of kinds.keys()) lastSeen.set(id, entities.fingerprint(id));

  const reads: Record<Kind, () => Promise<ReplanTrigger | undefined>> = {
    rates: async () => ({
      kind: "rates",
      fingerprint: ratesFingerprint(await inputs.readRates(clock.nowMs())),
    }),
    forecast: async () => ({
      kind: "forecast",
      fingerprint: forecastFingerprint(await inputs.readForecasts(clock.nowMs())),
    }),
    soc: async () => {
      const socPct = inputs.readSocPct(clock.nowMs());
      return socPct === undefined ? undefined : { kind: "soc", socPct };
    },
  };
  // One read per kind at a time; changes during a read make one more read after it, not one each.
  const running = new Set<Kind>();
  const again = new Set<Kind>();
  const run = async (kind: Kind): Promise<void> => {
    if (running.has(kind)) {
      again.add(kind);
      return;
    }
    running.add(kind);
    try {
      do {
        again.delete(kind);
        try {
          const trigger = await reads[kind]();
          if (trigger && !stopped) options.notify(trigger);
        } catch (error) {
          // The next planOnce reads the same inputs and reports the problem in the status.
          log.debug(`${kind} not readable after an entity change: ${errorMessage(error)}`);
        }
      } while (again.has(kind) && !stopped);
    } finally {
      running.delete(kind);
    }
  };

  let stopped = false;
  const off = entities.onChange((changed) => {
    const due = new Set<Kind>();
    for (const id of changed) {
      const kind = kinds.get(id);
      if (!kind) continue;
      const seen = entities.fingerprint(id);
      if (seen === lastSeen.get(id)) continue;
      lastSeen.set(id, seen);
      due.add(kind);
    }
    for (const kind of due) void run(kind);
  });
  return async () => {
    stopped = true;
    off();
  };
}
