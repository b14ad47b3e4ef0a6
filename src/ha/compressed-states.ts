// Applies HA's compressed `subscribe_entities` events ({a: added, c: changed with +/- diffs,
// r: removed}; short keys s/a/c/lc/lu, times in epoch seconds) to a plain state map.
import type { HaContext, HaEntityState, HaStateMap } from "./client.js";

interface Compressed {
  s?: string;
  a?: Record<string, unknown>;
  c?: string | Partial<HaContext>;
  lc?: number;
  lu?: number;
}

export interface EntitiesEvent {
  a?: Record<string, Compressed>;
  c?: Record<string, { "+"?: Compressed; "-"?: { a?: string[] } }>;
  r?: string[];
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** In `a` the context is whole (its id alone when parent and user are null); in a change it
 * carries only what changed, the id alone as a string. */
function context(raw: Compressed["c"], previous?: HaContext): HaContext {
  const base = previous ?? { id: "", parent_id: null, user_id: null };
  if (typeof raw === "string") return { ...base, id: raw };
  return { ...base, ...raw };
}

export function applyEntitiesEvent(states: HaStateMap, event: EntitiesEvent): HaStateMap {
  const next: HaStateMap = { ...states };
  for (const [entityId, added] of Object.entries(event.a ?? {})) {
    const lastChanged = iso(added.lc ?? 0);
    next[entityId] = {
      entity_id: entityId,
      state: String(added.s ?? "unknown"),
      attributes: added.a ?? {},
      context: context(added.c),
      last_changed: lastChanged,
      last_updated: added.lu === undefined ? lastChanged : iso(added.lu),
    };
  }
  for (const [entityId, diff] of Object.entries(event.c ?? {})) {
    const old = next[entityId];
    if (!old) continue;
    const plus = diff["+"];
    const removed = diff["-"]?.a ?? [];
    // Attributes are copied only when they change: a state-only change keeps the object, so
    // whoever digests attributes (the entity cache) can tell it needs no new digest.
    const attributesChange = plus?.a !== undefined || removed.length > 0;
    const updated: HaEntityState = {
      ...old,
      attributes: attributesChange ? { ...old.attributes, ...plus?.a } : old.attributes,
    };
    if (plus) {
      if (plus.s !== undefined) updated.state = String(plus.s);
      if (plus.c !== undefined) updated.context = context(plus.c, old.context);
      if (plus.lc !== undefined) updated.last_changed = updated.last_updated = iso(plus.lc);
      else if (plus.lu !== undefined) updated.last_updated = iso(plus.lu);
    }
    for (const key of removed) delete updated.attributes[key];
    next[entityId] = updated;
  }
  for (const entityId of event.r ?? []) delete next[entityId];
  return next;
}
