// Entity changes → replan triggers. HA announces the same rates and forecasts again and again,
// and SOC readings every few seconds; the scheduler's pure decision filters them, so this only has
// to say what kind of change it was and give the fingerprint of what the entities now hold.

import type { Config } from "../config/schema.js";
import type { ReplanTrigger } from "../core/replan.js";
import { errorMessage } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { Clock, InputsPort } from "../runtime/ports.js";
import { forecastFingerprint, ratesFingerprint } from "../runtime/problem.js";
import type { HaClient, HaUnsubscribe } from "./client.js";

export interface EntityTriggerOptions {
  ha: Pick<HaClient, "subscribeEntities">;
  inputs: InputsPort;
  config: Config;
  clock: Clock;
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
  kinds.set(config.battery.soc_entity, "soc");
  return kinds;
}

export async function watchEntityTriggers(options: EntityTriggerOptions): Promise<HaUnsubscribe> {
  const log = options.log ?? createLogger("triggers");
  const kinds = triggerKinds(options.config);
  const lastSeen = new Map<string, string>();

  const onChanged = async (changed: Set<Kind>) => {
    try {
      const snapshot = await options.inputs.readInputs(options.clock.nowMs());
      if (changed.has("rates")) options.notify({ kind: "rates", fingerprint: ratesFingerprint(snapshot) });
      if (changed.has("forecast"))
        options.notify({ kind: "forecast", fingerprint: forecastFingerprint(snapshot) });
      if (changed.has("soc")) options.notify({ kind: "soc", socPct: snapshot.battery.socPct });
    } catch (error) {
      // The next planOnce reads the same inputs and reports the problem in the status.
      log.debug(`inputs not readable after an entity change: ${errorMessage(error)}`);
    }
  };

  return options.ha.subscribeEntities([...kinds.keys()], (states) => {
    const changed = new Set<Kind>();
    for (const [id, kind] of kinds) {
      const state = states[id];
      const seen = state ? `${state.state}|${JSON.stringify(state.attributes)}` : "";
      if (lastSeen.get(id) !== seen) {
        // The first delivery is the initial state, not a change: the start-up cycle plans anyway.
        if (lastSeen.has(id)) changed.add(kind);
        lastSeen.set(id, seen);
      }
    }
    if (changed.size > 0) void onChanged(changed);
  });
}
