// The simulator's entity states and event bus. Timestamps and context ids look like HA's
// (ISO strings with +00:00, 26-character ULID-like ids) so readers see realistic payloads.
import type { HaContext, HaEntityState, HaEvent } from "../../ha/client.js";

export type EventListener = (event: HaEvent) => void;

let counter = 0;
export function newContext(userId: string | null = null): HaContext {
  counter += 1;
  const id = `01SIM${Date.now().toString(36).toUpperCase()}${counter.toString(36).toUpperCase()}`
    .padEnd(26, "0")
    .slice(0, 26);
  return { id, parent_id: null, user_id: userId };
}

export function haTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

export class StateStore {
  private readonly states = new Map<string, HaEntityState>();
  private readonly listeners = new Set<EventListener>();

  all(): HaEntityState[] {
    return [...this.states.values()];
  }

  get(entityId: string): HaEntityState | undefined {
    return this.states.get(entityId);
  }

  /** Loads a state as recorded (keeps its timestamps); fires nothing. */
  seed(state: HaEntityState): void {
    this.states.set(state.entity_id, state);
  }

  /** Sets a state the way HA's state machine does: last_changed only moves when `state` changes;
   * an identical write changes nothing and fires nothing. Returns the new state. */
  set(entityId: string, state: string, attributes?: Record<string, unknown>): HaEntityState {
    const old = this.states.get(entityId);
    const attrs = attributes ?? old?.attributes ?? {};
    const sameAttrs = old !== undefined && JSON.stringify(old.attributes) === JSON.stringify(attrs);
    if (old && old.state === state && sameAttrs) return old;
    const now = haTimestamp(Date.now());
    const next: HaEntityState = {
      entity_id: entityId,
      state,
      attributes: structuredClone(attrs),
      last_changed: old && old.state === state ? old.last_changed : now,
      last_updated: now,
      context: newContext(),
    };
    this.states.set(entityId, next);
    this.fire(
      "state_changed",
      { entity_id: entityId, old_state: old ?? null, new_state: next },
      next.context,
    );
    return next;
  }

  remove(entityId: string): boolean {
    const old = this.states.get(entityId);
    if (!old) return false;
    this.states.delete(entityId);
    this.fire("state_changed", { entity_id: entityId, old_state: old, new_state: null });
    return true;
  }

  fire(eventType: string, data: Record<string, unknown>, context: HaContext = newContext()): HaEvent {
    const event: HaEvent = {
      event_type: eventType,
      data,
      origin: "LOCAL",
      time_fired: haTimestamp(Date.now()),
      context,
    };
    for (const listener of this.listeners) listener(event);
    return event;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
