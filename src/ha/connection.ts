// The one websocket connection to Home Assistant, implementing HaClient on top of
// home-assistant-js-websocket's Connection (which resubscribes every `subscribeMessage`
// subscription after it reconnects). We add: a `ws` socket factory with handshake and auth
// timeouts, retries with backoff for the first connect, a ping heartbeat that tears down a silent
// socket, per-command timeouts, typed errors, and reconnect notifications for the publishers.
import { Connection, ERR_CANNOT_CONNECT, ERR_INVALID_AUTH } from "home-assistant-js-websocket";
import { createLogger, type Logger, redactSecrets } from "../log.js";
import type {
  HaClient,
  HaConfig,
  HaEntityState,
  HaEvent,
  HaReconnectReason,
  HaServiceResult,
  HaServiceTarget,
  HaStateMap,
  HaUnsubscribe,
} from "./client.js";
import { applyEntitiesEvent, type EntitiesEvent } from "./compressed-states.js";
import type { HaEndpoints } from "./endpoints.js";
import { HaAuthError, HaCommandError, HaUnreachableError, toCommandError } from "./errors.js";
import { type HaSocket, openHaSocket } from "./ws-socket.js";

export interface HaConnectionOptions extends HaEndpoints {
  handshakeTimeoutMs?: number;
  authTimeoutMs?: number;
  /** Ping interval; 0 disables the heartbeat. */
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Attempts for the first connect (auth errors stop at once). */
  connectAttempts?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  logger?: Logger;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function connectHa(options: HaConnectionOptions): Promise<HaConnection> {
  const log = options.logger ?? createLogger("ha");
  const socketOptions = {
    wsUrl: options.wsUrl,
    token: options.token,
    tokenSource: options.tokenSource,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
  };
  const attempts = options.connectAttempts ?? Number.POSITIVE_INFINITY;
  let delayMs = options.retryDelayMs ?? 1000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const socket = await openHaSocket(socketOptions);
      log.info(`connected to Home Assistant ${socket.haVersion} at ${redactSecrets(options.wsUrl)}`);
      return new HaConnection(socket, options, log);
    } catch (error) {
      if (error instanceof HaAuthError || attempt >= attempts) throw error;
      log.warn(
        `${(error as Error).message}; retrying in ${Math.round(delayMs / 1000)} s (attempt ${attempt})`,
      );
      await wait(delayMs);
      delayMs = Math.min(delayMs * 2, options.maxRetryDelayMs ?? 30_000);
    }
  }
}

export class HaConnection implements HaClient {
  readonly restUrl: string;
  readonly token: string;
  private readonly conn: Connection;
  private readonly reconnectListeners = new Set<(reason: HaReconnectReason) => void>();
  private readonly resetOnResubscribe = new Set<() => void>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    socket: HaSocket,
    private readonly options: HaConnectionOptions,
    private readonly log: Logger,
  ) {
    this.restUrl = options.restUrl;
    this.token = options.token;
    const socketOptions = {
      wsUrl: options.wsUrl,
      token: options.token,
      tokenSource: options.tokenSource,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      authTimeoutMs: options.authTimeoutMs ?? 10_000,
    };
    // The library retries createSocket with its own backoff (0, 1, 2 … 5 s) and stops only on
    // ERR_INVALID_AUTH, which it reports as "reconnect-error".
    const createSocket = async () => {
      try {
        return (await openHaSocket(socketOptions)) as never;
      } catch (error) {
        if (!this.closed) log.debug(`reconnect attempt failed: ${(error as Error).message}`);
        throw error instanceof HaAuthError ? ERR_INVALID_AUTH : ERR_CANNOT_CONNECT;
      }
    };
    this.conn = new Connection(socket as never, { setupRetry: 0, createSocket } as never);
    this.conn.addEventListener("disconnected", () => {
      if (!this.closed) log.warn("lost the connection to Home Assistant; reconnecting");
    });
    this.conn.addEventListener("ready", () => {
      log.info("reconnected to Home Assistant; subscriptions restored");
      for (const reset of this.resetOnResubscribe) reset();
      this.emitReconnect("reconnected");
    });
    this.conn.addEventListener("reconnect-error", () => {
      log.error(new HaAuthError(options.tokenSource, "after reconnecting").message);
    });
    void this.subscribeEvents("homeassistant_started", () => {
      log.info("Home Assistant has started");
      this.emitReconnect("ha_started");
    }).catch((error) => log.warn(`cannot watch homeassistant_started: ${(error as Error).message}`));
    this.startHeartbeat();
  }

  get haVersion(): string {
    return this.conn.haVersion ?? "0.0.0";
  }

  get connected(): boolean {
    return this.conn.connected;
  }

  private emitReconnect(reason: HaReconnectReason): void {
    for (const listener of this.reconnectListeners) {
      try {
        listener(reason);
      } catch (error) {
        this.log.error(`reconnect listener failed: ${(error as Error).message}`);
      }
    }
  }

  private startHeartbeat(): void {
    const intervalMs = this.options.heartbeatMs ?? 30_000;
    if (intervalMs <= 0) return;
    this.heartbeat = setInterval(() => {
      if (!this.conn.connected) return;
      const socket = this.conn.socket as unknown as HaSocket | undefined;
      this.withTimeout("ping", this.conn.ping(), this.options.pongTimeoutMs ?? 10_000).catch(() => {
        // Only tear down the socket the ping went out on; a newer one may already be in place.
        if (this.conn.socket === (socket as never) && !this.closed) {
          this.log.warn("Home Assistant did not answer a ping; reconnecting");
          socket?.terminate();
        }
      });
    }, intervalMs);
    this.heartbeat.unref();
  }

  private withTimeout<T>(command: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HaCommandError(command, "timeout", `no answer within ${timeoutMs} ms`, { retryable: true }),
          ),
        timeoutMs,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  async sendMessage<TResult = unknown>(message: { type: string; [key: string]: unknown }): Promise<TResult> {
    try {
      const pending = this.conn.sendMessagePromise<TResult>({ ...message });
      return await this.withTimeout(message.type, pending, this.options.commandTimeoutMs ?? 30_000);
    } catch (error) {
      throw toCommandError(message.type, error);
    }
  }

  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
    target?: HaServiceTarget,
    returnResponse?: boolean,
  ): Promise<HaServiceResult> {
    const message: { type: string; [key: string]: unknown } = { type: "call_service", domain, service };
    if (data) message.service_data = data;
    if (target) message.target = target;
    if (returnResponse) message.return_response = true;
    return this.sendMessage<HaServiceResult>(message);
  }

  async fireEvent(eventType: string, data?: Record<string, unknown>): Promise<void> {
    await this.sendMessage({
      type: "fire_event",
      event_type: eventType,
      ...(data ? { event_data: data } : {}),
    });
  }

  getStates(): Promise<HaEntityState[]> {
    return this.sendMessage<HaEntityState[]>({ type: "get_states" });
  }

  getConfig(): Promise<HaConfig> {
    return this.sendMessage<HaConfig>({ type: "get_config" });
  }

  async subscribeEntities(
    entityIds: readonly string[],
    callback: (states: HaStateMap) => void,
  ): Promise<HaUnsubscribe> {
    let states: HaStateMap = {};
    let fresh = false;
    // After a resubscribe HA sends the full `a` set again; start from scratch so entities removed
    // while we were away do not linger.
    const reset = () => {
      fresh = true;
    };
    this.resetOnResubscribe.add(reset);
    const onEvent = (event: EntitiesEvent) => {
      if (fresh && event.a) {
        states = {};
        fresh = false;
      }
      states = applyEntitiesEvent(states, event);
      callback({ ...states });
    };
    const unsubscribe = await this.subscribe("subscribe_entities", onEvent as (event: unknown) => void, {
      type: "subscribe_entities",
      entity_ids: [...entityIds],
    });
    return async () => {
      this.resetOnResubscribe.delete(reset);
      await unsubscribe();
    };
  }

  subscribeEvents<TData = Record<string, unknown>>(
    eventType: string,
    callback: (event: HaEvent<TData>) => void,
  ): Promise<HaUnsubscribe> {
    return this.subscribe("subscribe_events", callback as (event: unknown) => void, {
      type: "subscribe_events",
      event_type: eventType,
    });
  }

  /** Any subscription command (e.g. subscribe_trigger); survives reconnects like the others. */
  subscribeMessage<TEvent = unknown>(
    message: { type: string; [key: string]: unknown },
    callback: (event: TEvent) => void,
  ): Promise<HaUnsubscribe> {
    return this.subscribe(message.type, callback as (event: unknown) => void, message);
  }

  private async subscribe(
    command: string,
    callback: (event: unknown) => void,
    message: { type: string; [key: string]: unknown },
  ): Promise<HaUnsubscribe> {
    const safe = (event: unknown) => {
      try {
        callback(event);
      } catch (error) {
        this.log.error(`${command} callback failed: ${(error as Error).message}`);
      }
    };
    try {
      const unsubscribe = await this.conn.subscribeMessage(safe, message, { resubscribe: true });
      return async () => {
        try {
          await unsubscribe();
        } catch (error) {
          // Unsubscribing over a dead connection is moot: the subscription died with it.
          this.log.debug(`unsubscribe ${command}: ${toCommandError(command, error).message}`);
        }
      };
    } catch (error) {
      throw toCommandError(command, error);
    }
  }

  onReconnect(callback: (reason: HaReconnectReason) => void): () => void {
    this.reconnectListeners.add(callback);
    return () => this.reconnectListeners.delete(callback);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.conn.close();
  }
}

export { HaAuthError, HaCommandError, HaUnreachableError };
