// The add-on's one view of Home Assistant's entities: a single `subscribe_entities` subscription
// limited to exactly the entities it reads or controls, shared by the inputs, the replan triggers
// and the HA-service controller. Never the whole state machine: a home of 5,000 entities sends
// 10 MB for `get_states`, which the add-on's small heap cannot hold (issue 9).
//
// When the set of entities grows (a controller binds its profile's entities) a new subscription
// with the union replaces the old one once it has delivered, so there is never a moment without
// states. After a reconnect the connection resubscribes and HA sends the full set again.
import { createHash } from "node:crypto";
import { BatteryPlannerError, errorMessage } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { HaClient, HaEntityState, HaStateMap, HaUnsubscribe } from "./client.js";

/** The entity states did not arrive in time (HA unreachable or still starting). */
export class EntityStatesTimeoutError extends BatteryPlannerError {
  override name = "EntityStatesTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`no entity states from Home Assistant within ${timeoutMs} ms`, { retryable: true });
  }
}

export type EntityChangeListener = (changed: ReadonlySet<string>) => void;

/** What readers and controllers need from the cache. */
export interface EntityStates {
  get(entityId: string): HaEntityState | undefined;
  /** The watched entities HA has now (a fresh object; the states themselves are shared). */
  snapshot(): HaStateMap;
  /** A digest of the entity's state and attributes, computed once per change of that entity. */
  fingerprint(entityId: string): string | undefined;
  /** Adds entities to the subscription; resolves once states covering them have arrived (at
   * once when they already have, even while HA is away: then the last states stand). */
  watch(entityIds: Iterable<string>, timeoutMs?: number): Promise<void>;
  /** Resolves once every watched entity is covered by a delivered subscription. */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Called after every delivery that changed, added or removed a watched entity. */
  onChange(listener: EntityChangeListener): () => void;
  /** Resolves true as soon as `done()` holds (checked now and after every change), false after
   * `timeoutMs`. */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean>;
  /** One round trip to HA: HA answers in order, so every change it sent before is in the cache. */
  sync(): Promise<void>;
}

export interface EntityCache extends EntityStates {
  readonly watched: ReadonlySet<string>;
  close(): Promise<void>;
}

export interface EntityCacheOptions {
  log?: Logger;
  /** Default timeout of whenReady. */
  readyTimeoutMs?: number;
}

interface Entry {
  state: HaEntityState;
  fingerprint: string;
}

interface Subscription {
  generation: number;
  ids: ReadonlySet<string>;
  unsubscribe?: HaUnsubscribe;
}

function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64url");
}

export function createEntityCache(
  ha: Pick<HaClient, "subscribeEntities" | "sendMessage" | "onReconnect">,
  options: EntityCacheOptions = {},
): EntityCache {
  const log = options.log ?? createLogger("ha:entities");
  const watched = new Set<string>();
  const entries = new Map<string, Entry>();
  // The attributes' digest keyed by the attributes object: a change of state alone, or a
  // re-announcement with the same attributes, does not serialise them again.
  const attributeDigests = new WeakMap<object, string>();
  const listeners = new Set<EntityChangeListener>();
  const waiters = new Set<() => void>();
  let generation = 0;
  /** The newest subscription that has delivered: its deliveries are the truth. */
  let authoritative: Subscription | undefined;
  const pending = new Map<number, Subscription>();
  let scheduled: Promise<void> | undefined;
  let closed = false;

  const covers = (sub: Subscription | undefined, ids: Iterable<string> = watched) =>
    sub !== undefined && [...ids].every((id) => sub.ids.has(id));
  const covered = (ids?: Iterable<string>) => covers(authoritative, ids);
  /** Whether a subscription on its way will cover every watched entity. */
  const coming = () => scheduled !== undefined || [...pending.values()].some((sub) => covers(sub));

  const fingerprintOf = (state: HaEntityState): string => {
    let attributes = attributeDigests.get(state.attributes);
    if (attributes === undefined) {
      attributes = digest(JSON.stringify(state.attributes));
      attributeDigests.set(state.attributes, attributes);
    }
    return `${state.state}|${attributes}`;
  };

  const notify = (changed: Set<string>) => {
    for (const wake of [...waiters]) wake();
    if (changed.size === 0) return;
    for (const listener of listeners) {
      try {
        listener(changed);
      } catch (error) {
        log.error(`entity change listener failed: ${errorMessage(error)}`);
      }
    }
  };

  /** The connection hands over the full map of the subscription's entities after every event;
   * unchanged entities keep their object, so comparing references finds what changed. */
  const deliver = (sub: Subscription, states: HaStateMap) => {
    if (closed) return;
    if (authoritative && sub.generation < authoritative.generation) return;
    if (authoritative !== sub) {
      const previous = authoritative;
      authoritative = sub;
      pending.delete(sub.generation);
      for (const [gen, older] of pending) {
        if (gen < sub.generation && older.unsubscribe) {
          pending.delete(gen);
          void older.unsubscribe();
        }
      }
      if (previous?.unsubscribe) void previous.unsubscribe();
    }
    const changed = new Set<string>();
    for (const [id, entry] of entries) {
      if (!(id in states)) {
        entries.delete(id);
        changed.add(id);
      } else if (states[id] !== entry.state) {
        const state = states[id]!;
        const fingerprint = fingerprintOf(state);
        entries.set(id, { state, fingerprint });
        if (fingerprint !== entry.fingerprint) changed.add(id);
      }
    }
    for (const [id, state] of Object.entries(states)) {
      if (entries.has(id) || !watched.has(id)) continue;
      entries.set(id, { state, fingerprint: fingerprintOf(state) });
      changed.add(id);
    }
    notify(changed);
  };

  const subscribe = async (): Promise<void> => {
    if (closed || covered()) return;
    generation += 1;
    const sub: Subscription = { generation, ids: new Set(watched) };
    pending.set(sub.generation, sub);
    try {
      const unsubscribe = await ha.subscribeEntities([...sub.ids], (states) => deliver(sub, states));
      sub.unsubscribe = unsubscribe;
      // Superseded while it was being set up, or closed meanwhile: not needed any more.
      if (closed || (authoritative && authoritative.generation > sub.generation)) {
        pending.delete(sub.generation);
        await unsubscribe();
      }
    } catch (error) {
      pending.delete(sub.generation);
      // The next reconnect tries again (see onReconnect below); readers keep the last states.
      log.warn(`cannot subscribe to ${sub.ids.size} entities: ${errorMessage(error)}`);
      throw error;
    }
  };

  const schedule = (): Promise<void> => {
    // Several parts register their entities during start-up: one subscription for all of them.
    scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      scheduled = undefined;
      return subscribe();
    });
    return scheduled;
  };

  const offReconnect = ha.onReconnect(() => {
    if (!closed && !covered() && !coming()) schedule().catch(() => undefined);
  });

  const waitUntil = (done: () => boolean, timeoutMs: number): Promise<boolean> => {
    if (done()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(result);
      };
      const check = () => {
        if (closed) finish(false);
        else if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(done()), timeoutMs);
      waiters.add(check);
    });
  };

  const whenCovered = async (ids: readonly string[] | undefined, timeoutMs: number): Promise<void> => {
    if (covered(ids)) return;
    if (scheduled) await scheduled;
    else if (!coming()) await schedule();
    if (!(await waitUntil(() => covered(ids), timeoutMs))) throw new EntityStatesTimeoutError(timeoutMs);
  };
  const defaultTimeoutMs = options.readyTimeoutMs ?? 15_000;

  return {
    watched,
    get: (entityId) => entries.get(entityId)?.state,
    snapshot: () => {
      const out: HaStateMap = {};
      for (const [id, entry] of entries) out[id] = entry.state;
      return out;
    },
    fingerprint: (entityId) => entries.get(entityId)?.fingerprint,
    async watch(entityIds, timeoutMs = defaultTimeoutMs) {
      const ids = [...entityIds];
      for (const id of ids) watched.add(id);
      await whenCovered(ids, timeoutMs);
    },
    whenReady: (timeoutMs = defaultTimeoutMs) => whenCovered(undefined, timeoutMs),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitUntil,
    async sync() {
      await ha.sendMessage({ type: "ping" });
    },
    async close() {
      closed = true;
      offReconnect();
      for (const wake of [...waiters]) wake();
      const subs = [authoritative, ...pending.values()];
      authoritative = undefined;
      pending.clear();
      await Promise.allSettled(subs.map((sub) => sub?.unsubscribe?.()));
    },
  };
}
