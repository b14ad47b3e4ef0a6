// The small surface of Home Assistant the rest of the add-on talks to. The connection
// (connection.ts) implements it over one websocket; tests may hand in their own. Shapes follow
// HA's websocket API (developers.home-assistant.io/docs/api/websocket).

export interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

/** One entity's state as `get_states` and `state_changed` deliver it. */
export interface HaEntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  context: HaContext;
}

export type HaStateMap = Record<string, HaEntityState>;

export interface HaEvent<TData = Record<string, unknown>> {
  event_type: string;
  data: TData;
  origin: string;
  time_fired: string;
  context: HaContext;
}

/** What `call_service` resolves to; `response` only when it was asked for. */
export interface HaServiceResult {
  context: HaContext;
  response?: unknown;
}

export interface HaServiceTarget {
  entity_id?: string | string[];
  device_id?: string | string[];
  area_id?: string | string[];
}

/** The parts of `get_config` the add-on uses. */
export interface HaConfig {
  time_zone: string;
  version: string;
  currency?: string;
  unit_system?: Record<string, string>;
  [key: string]: unknown;
}

export type HaUnsubscribe = () => Promise<void>;

/** Why `onReconnect` listeners are called: the socket came back, or HA itself finished starting. */
export type HaReconnectReason = "reconnected" | "ha_started";

export interface HaClient {
  /** Base of the REST API without trailing slash, e.g. http://supervisor/core/api. */
  readonly restUrl: string;
  /** Bearer token for REST calls. Never log it. */
  readonly token: string;
  readonly haVersion: string;
  readonly connected: boolean;

  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
    target?: HaServiceTarget,
    returnResponse?: boolean,
  ): Promise<HaServiceResult>;
  fireEvent(eventType: string, data?: Record<string, unknown>): Promise<void>;
  /** The whole state machine: ~10 MB in a home of 5,000 entities, more than the add-on's heap
   * should ever hold at once. The add-on itself reads states through the entity cache
   * (entity-cache.ts); this is for tools and tests. */
  getStates(): Promise<HaEntityState[]>;
  getConfig(): Promise<HaConfig>;
  /** Subscribes to exactly these entities (`subscribe_entities` with `entity_ids`); the callback
   * gets the full current map of those entities after every change. Survives reconnects. */
  subscribeEntities(
    entityIds: readonly string[],
    callback: (states: HaStateMap) => void,
  ): Promise<HaUnsubscribe>;
  /** Survives reconnects. */
  subscribeEvents<TData = Record<string, unknown>>(
    eventType: string,
    callback: (event: HaEvent<TData>) => void,
  ): Promise<HaUnsubscribe>;
  /** Any websocket command; resolves with its `result`, rejects with an HaCommandError. */
  sendMessage<TResult = unknown>(message: { type: string; [key: string]: unknown }): Promise<TResult>;
  /** Called after the connection comes back and when HA reports `homeassistant_started`: the
   * moment to publish everything again. Returns a function that removes the listener. */
  onReconnect(callback: (reason: HaReconnectReason) => void): () => void;
  close(): Promise<void>;
}
