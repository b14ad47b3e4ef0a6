// `subscribe_trigger` for state triggers (the only kind the add-on could use): the trigger
// config {platform|trigger: "state", entity_id, from?, to?} and, on a match, the event payload
// HA sends: {variables: {trigger: {...}}, context}.
import type { HaEntityState, HaEvent } from "../../ha/client.js";

export type TriggerMatcher = (event: HaEvent) => Record<string, unknown> | undefined;

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

/** Returns undefined for a trigger the simulator does not support. */
export function stateTrigger(config: unknown): TriggerMatcher | undefined {
  const trigger = (Array.isArray(config) ? config[0] : config) as Record<string, unknown> | undefined;
  const kind = trigger?.trigger ?? trigger?.platform;
  if (!trigger || kind !== "state") return undefined;
  const entityIds = list(trigger.entity_id) ?? [];
  const from = list(trigger.from);
  const to = list(trigger.to);
  return (event) => {
    if (event.event_type !== "state_changed") return undefined;
    const data = event.data as {
      entity_id: string;
      old_state: HaEntityState | null;
      new_state: HaEntityState | null;
    };
    if (!entityIds.includes(data.entity_id)) return undefined;
    if (from && !from.includes(data.old_state?.state ?? "")) return undefined;
    if (to && !to.includes(data.new_state?.state ?? "")) return undefined;
    return {
      variables: {
        trigger: {
          id: "0",
          idx: "0",
          alias: null,
          platform: "state",
          entity_id: data.entity_id,
          from_state: data.old_state,
          to_state: data.new_state,
          for: null,
          attribute: null,
          description: `state of ${data.entity_id}`,
        },
      },
      context: event.context,
    };
  };
}
