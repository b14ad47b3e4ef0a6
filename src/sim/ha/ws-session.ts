// One websocket client of the simulator, following HA's protocol (homeassistant/components/
// websocket_api): auth_required → auth → auth_ok | auth_invalid, then commands with increasing
// ids answered by `result` (success or error {code, message}), `pong`, and `event` messages for
// subscriptions. With the `coalesce_messages` feature, messages queued together go out as one
// JSON array, as HA does.
import type { WebSocket } from "ws";
import type { HaEvent } from "../../ha/client.js";
import { compressState, diffStates } from "./compressed.js";
import { entityRegistryDisplayList } from "./entity-registry.js";
import type { ServiceRegistry } from "./services.js";
import { SimServiceError } from "./services.js";
import type { StateStore } from "./state-store.js";
import { newContext } from "./state-store.js";
import { stateTrigger } from "./triggers.js";

export interface SessionContext {
  store: StateStore;
  services: ServiceRegistry;
  token: string;
  haVersion: string;
  authTimeoutMs: number;
  config(): Record<string, unknown>;
  /** `recorder/statistics_during_period`; throws SimServiceError for HA's errors. */
  statistics(msg: Record<string, unknown>): unknown;
  solarForecast(): unknown;
  /** `energy/get_prefs`; throws SimServiceError not_found when none were saved. */
  energyPrefs(): unknown;
  /** Entity id → integration (platform) for the entity registry list; absent: unknown. */
  platforms?: Readonly<Record<string, string>>;
  /** Every command a client sent after auth, for tests to assert on. */
  received: Record<string, unknown>[];
  onSubscribedEvents(): void;
}

type Msg = Record<string, unknown> & { id?: number; type?: string };

export class WsSession {
  private authed = false;
  /** A hung connection (half-open TCP, stuck HA) swallows every command without answering. */
  hung = false;
  private coalesce = false;
  private lastId = 0;
  private outbox: unknown[] = [];
  private readonly subscriptions = new Map<number, () => void>();
  private readonly authTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: SessionContext,
  ) {
    socket.on("message", (raw) => this.onRaw(raw.toString()));
    socket.on("close", () => this.dispose());
    socket.on("error", () => this.dispose());
    this.authTimer = setTimeout(() => socket.close(), ctx.authTimeoutMs);
    this.sendNow({ type: "auth_required", ha_version: ctx.haVersion });
  }

  dispose(): void {
    clearTimeout(this.authTimer);
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }

  private sendNow(message: unknown): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private send(message: unknown): void {
    if (!this.coalesce) {
      this.sendNow(message);
      return;
    }
    this.outbox.push(message);
    if (this.outbox.length === 1) {
      setImmediate(() => {
        const batch = this.outbox;
        this.outbox = [];
        this.sendNow(batch.length === 1 ? batch[0] : batch);
      });
    }
  }

  private result(id: number, result: unknown = null): void {
    this.send({ id, type: "result", success: true, result });
  }

  private error(id: number | undefined, code: string, message: string): void {
    this.send({ id, type: "result", success: false, error: { code, message } });
  }

  private onRaw(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.socket.close(1003);
      return;
    }
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    for (const message of messages) this.onMessage(message as Msg);
  }

  private onMessage(msg: Msg): void {
    if (!this.authed) {
      this.onAuth(msg);
      return;
    }
    if (this.hung) return;
    this.ctx.received.push(msg);
    if (typeof msg.id !== "number" || typeof msg.type !== "string") {
      this.error(msg.id, "invalid_format", "Message incorrectly formatted.");
      return;
    }
    if (msg.id <= this.lastId) {
      this.error(msg.id, "id_reuse", "Identifier values have to increase.");
      return;
    }
    this.lastId = msg.id;
    try {
      this.dispatch(msg as Msg & { id: number; type: string });
    } catch (error) {
      if (error instanceof SimServiceError) {
        this.error(msg.id, error.code, error.message);
        return;
      }
      this.error(msg.id, "unknown_error", error instanceof Error ? error.message : String(error));
    }
  }

  private onAuth(msg: Msg): void {
    clearTimeout(this.authTimer);
    if (msg.type === "auth" && msg.access_token === this.ctx.token) {
      this.authed = true;
      this.sendNow({ type: "auth_ok", ha_version: this.ctx.haVersion });
      return;
    }
    this.sendNow({ type: "auth_invalid", message: "Invalid access token or password" });
    this.socket.close();
  }

  private dispatch(msg: Msg & { id: number; type: string }): void {
    const { id } = msg;
    switch (msg.type) {
      case "supported_features": {
        const features = (msg.features ?? {}) as Record<string, unknown>;
        this.coalesce = features.coalesce_messages === 1;
        this.result(id);
        return;
      }
      case "ping": {
        this.send({ id, type: "pong" });
        return;
      }
      case "get_states": {
        this.result(id, this.ctx.store.all());
        return;
      }
      case "get_config": {
        this.result(id, this.ctx.config());
        return;
      }
      case "get_services": {
        this.result(id, this.ctx.services.describe());
        return;
      }
      case "subscribe_events": {
        this.subscribeEvents(id, typeof msg.event_type === "string" ? msg.event_type : undefined);
        return;
      }
      case "unsubscribe_events":
      case "unsubscribe": {
        this.unsubscribe(id, Number(msg.subscription));
        return;
      }
      case "subscribe_trigger": {
        const matcher = stateTrigger(msg.trigger);
        if (!matcher) {
          this.error(id, "invalid_format", "Only state triggers are simulated.");
          return;
        }
        this.subscriptions.set(
          id,
          this.ctx.store.onEvent((event) => {
            const payload = matcher(event);
            if (payload) this.send({ id, type: "event", event: payload });
          }),
        );
        this.result(id);
        return;
      }
      case "subscribe_entities": {
        this.subscribeEntities(id, msg.entity_ids);
        return;
      }
      case "call_service": {
        this.callService(msg);
        return;
      }
      case "fire_event": {
        const context = newContext();
        this.ctx.store.fire(
          String(msg.event_type),
          (msg.event_data ?? {}) as Record<string, unknown>,
          context,
        );
        this.result(id, { context });
        return;
      }
      case "recorder/statistics_during_period": {
        this.result(id, this.ctx.statistics(msg));
        return;
      }
      case "config/entity_registry/list_for_display": {
        this.result(id, entityRegistryDisplayList(this.ctx.store.all(), this.ctx.platforms ?? {}));
        return;
      }
      case "energy/solar_forecast": {
        this.result(id, this.ctx.solarForecast());
        return;
      }
      case "energy/get_prefs": {
        this.result(id, this.ctx.energyPrefs());
        return;
      }
      default: {
        this.error(id, "unknown_command", "Unknown command.");
        return;
      }
    }
  }

  private subscribeEvents(id: number, eventType: string | undefined): void {
    const off = this.ctx.store.onEvent((event: HaEvent) => {
      if (eventType === undefined || eventType === "*" || event.event_type === eventType) {
        this.send({ id, type: "event", event });
      }
    });
    this.subscriptions.set(id, off);
    this.result(id);
    this.ctx.onSubscribedEvents();
  }

  private unsubscribe(id: number, subscription: number): void {
    const off = this.subscriptions.get(subscription);
    if (!off) {
      this.error(id, "not_found", "Subscription not found.");
      return;
    }
    off();
    this.subscriptions.delete(subscription);
    this.result(id);
  }

  /** As HA's websocket_api handle_subscribe_entities: `entity_ids` goes through cv.entity_ids
   * (a list or a comma-separated string, lower-cased, each a valid entity id, else
   * invalid_format); no ids or an empty list means every entity. Only the matching entities are
   * sent, first all at once as `a`, then each change as a/c/r. An id that does not exist yet is
   * sent as `a` when it appears. */
  private subscribeEntities(id: number, rawIds: unknown): void {
    let filter: Set<string> | undefined;
    if (rawIds !== undefined) {
      const ids = entityIdList(rawIds);
      if (!ids) {
        this.error(id, "invalid_format", `Entity IDs are invalid: ${JSON.stringify(rawIds)}`);
        return;
      }
      if (ids.length > 0) filter = new Set(ids);
    }
    const wanted = (entityId: string) => filter === undefined || filter.has(entityId);
    const off = this.ctx.store.onEvent((event) => {
      if (event.event_type !== "state_changed") return;
      const data = event.data as {
        entity_id: string;
        old_state: Parameters<typeof diffStates>[0] | null;
        new_state: Parameters<typeof diffStates>[1] | null;
      };
      if (!wanted(data.entity_id)) return;
      if (!data.new_state) {
        this.send({ id, type: "event", event: { r: [data.entity_id] } });
        return;
      }
      if (!data.old_state) {
        this.send({
          id,
          type: "event",
          event: { a: { [data.entity_id]: compressState(data.new_state) } },
        });
        return;
      }
      this.send({
        id,
        type: "event",
        event: { c: { [data.entity_id]: diffStates(data.old_state, data.new_state) } },
      });
    });
    this.subscriptions.set(id, off);
    this.result(id);
    const initial: Record<string, unknown> = {};
    if (filter) {
      for (const entityId of filter) {
        const state = this.ctx.store.get(entityId);
        if (state) initial[entityId] = compressState(state);
      }
    } else {
      for (const state of this.ctx.store.all()) initial[state.entity_id] = compressState(state);
    }
    this.send({ id, type: "event", event: { a: initial } });
  }

  private callService(msg: Msg & { id: number }): void {
    const returnResponse = msg.return_response === true;
    const response = this.ctx.services.call({
      domain: String(msg.domain),
      service: String(msg.service),
      data: (msg.service_data ?? {}) as Record<string, unknown>,
      ...(msg.target ? { target: msg.target as Record<string, string> } : {}),
      returnResponse,
      via: "websocket",
    });
    const context = newContext();
    this.result(msg.id, returnResponse ? { context, response: response ?? null } : { context });
  }
}

// homeassistant/core.py VALID_ENTITY_ID: domain.object_id, lower-case letters, digits and single
// underscores, neither part starting or ending with one.
const VALID_ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;

/** cv.entity_ids: the ids lower-cased, or undefined when one is not an entity id. */
function entityIdList(raw: unknown): string[] | undefined {
  const parts = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : undefined;
  if (!parts) return undefined;
  const ids: string[] = [];
  for (const part of parts) {
    if (typeof part !== "string") return undefined;
    const entityId = part.trim().toLowerCase();
    if (!VALID_ENTITY_ID.test(entityId)) return undefined;
    ids.push(entityId);
  }
  return ids;
}
