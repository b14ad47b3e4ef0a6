// A Home Assistant simulator for tests and the demo: HA's websocket and REST protocols on
// loopback, seeded with recorded states, with knobs to change states, fire events, register
// services, feed recorder statistics (hourly and 5-minute) and the Energy dashboard's
// preferences, and drop or restart the connection.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import type { HaEntityState } from "../../ha/client.js";
import { type CrowdOptions, crowdStates } from "./crowd.js";
import { type EnergyPreferences, EnergyPrefsStore } from "./energy-prefs.js";
import { loadFixtureStates } from "./fixtures.js";
import { handleRest } from "./rest.js";
import { type ScenarioLike, type ScenarioSeed, scenarioToHa } from "./scenario-seed.js";
import { type ServiceCall, type ServiceHandler, ServiceRegistry, type SupportsResponse } from "./services.js";
import { StateStore } from "./state-store.js";
import { type SetStatisticsOptions, type StatisticRow, StatisticsStore } from "./statistics.js";
import { WsSession } from "./ws-session.js";

export { type CrowdOptions, crowdStates } from "./crowd.js";
export type {
  EnergyBatterySource,
  EnergyDeviceConsumption,
  EnergyGridSource,
  EnergyLegacyGridSource,
  EnergyMeteredSource,
  EnergyPowerConfig,
  EnergyPreferences,
  EnergySolarSource,
  EnergySource,
  EnergyWindSource,
} from "./energy-prefs.js";
export { loadFixtureStates } from "./fixtures.js";
export { type ScenarioLike, type ScenarioSeed, scenarioToHa } from "./scenario-seed.js";
export type { ServiceCall, ServiceHandler, SupportsResponse } from "./services.js";
export { SimServiceError } from "./services.js";
export type { SetStatisticsOptions, StatisticRow } from "./statistics.js";

export interface HaSimOptions {
  token: string;
  states?: HaEntityState[];
  /** Names of files in test/fixtures/ha-states (without .json) to seed from. */
  fixtures?: string[];
  /** Thousands of other entities, as an ordinary home has (e.g. 5,000 of ~10 MB in all). */
  crowd?: CrowdOptions;
  timeZone?: string;
  haVersion?: string;
  services?: Record<string, ServiceHandler>;
  /** How long restart() refuses connections. */
  restartDownMs?: number;
  authTimeoutMs?: number;
  /** Entity id → integration, as the entity registry lists them (auto-detection reads it). */
  platforms?: Record<string, string>;
}

export interface HaSim {
  url: string;
  port: number;
  token: string;
  /** The ids of the crowd entities (see HaSimOptions.crowd), for churning them. */
  readonly crowdEntityIds: readonly string[];
  setState(entityId: string, state: string, attributes?: Record<string, unknown>): HaEntityState;
  getState(entityId: string): HaEntityState | undefined;
  removeState(entityId: string): void;
  fireEvent(eventType: string, data?: Record<string, unknown>): void;
  /** supportsResponse as HA's SupportsResponse; default "optional". */
  registerService(
    domain: string,
    service: string,
    handler: ServiceHandler,
    supportsResponse?: SupportsResponse,
  ): void;
  readonly serviceCalls: ServiceCall[];
  /** Commands clients sent after auth (every connection), oldest first. */
  readonly received: Record<string, unknown>[];
  /** Replaces the statistic's rows of one recorder table: hourly (long-term, the default) or
   * `{ period: "5minute" }` (short-term; hours are compiled from them while no hourly rows are
   * set). Starts must be whole hours / whole 5 minutes. */
  setStatistics(statisticId: string, rows: StatisticRow[], options?: SetStatisticsOptions): void;
  /** The Energy dashboard's preferences `energy/get_prefs` answers; undefined: never saved
   * (the default), which HA answers with the error not_found "No prefs". */
  setEnergyPrefs(prefs: EnergyPreferences | undefined): void;
  setSolarForecast(configEntryId: string, whHours: Record<string, number>): void;
  /** Number of authenticated sessions open now. */
  connectionCount(): number;
  dropConnections(): void;
  /** The connections open now stay open but never answer again (half-open TCP, a stuck HA);
   * new connections work normally. */
  hangConnections(): void;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHaSim(options: HaSimOptions): Promise<HaSim> {
  const store = new StateStore();
  for (const name of options.fixtures ?? []) for (const s of await loadFixtureStates(name)) store.seed(s);
  const crowd = options.crowd ? await crowdStates(options.crowd) : [];
  for (const s of crowd) store.seed(s);
  for (const s of options.states ?? []) store.seed(structuredClone(s));
  const services = new ServiceRegistry(store);
  for (const [key, handler] of Object.entries(options.services ?? {})) {
    const [domain, service] = key.split(".") as [string, string];
    services.register(domain, service, handler);
  }
  const statistics = new StatisticsStore();
  const energyPrefs = new EnergyPrefsStore();
  const timeZone = options.timeZone ?? "Europe/London";
  const solar: Record<string, { wh_hours: Record<string, number> }> = {};
  const haVersion = options.haVersion ?? "2025.10.1";
  const received: Record<string, unknown>[] = [];
  let running = "RUNNING";
  let down = false;
  let startedPending = false;

  const config = () => ({
    latitude: 52.2,
    longitude: 0.12,
    elevation: 10,
    unit_system: {
      length: "km",
      accumulated_precipitation: "mm",
      mass: "g",
      pressure: "Pa",
      temperature: "°C",
      volume: "L",
      wind_speed: "m/s",
    },
    location_name: "Simulated Home",
    time_zone: timeZone,
    components: ["energy", "recorder", "select", "number", "switch", "sensor"],
    config_dir: "/config",
    allowlist_external_dirs: [],
    allowlist_external_urls: [],
    version: haVersion,
    config_source: "storage",
    recovery_mode: false,
    safe_mode: false,
    state: running,
    external_url: null,
    internal_url: null,
    currency: "GBP",
    country: "GB",
    language: "en",
  });

  const fireStarted = () => {
    if (!startedPending) return;
    startedPending = false;
    running = "RUNNING";
    store.fire("homeassistant_started", {});
  };

  const sessions = new Set<WebSocket>();
  const sessionObjects = new Map<WebSocket, WsSession>();
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((req, res) => {
    handleRest({ store, services, token: options.token, isDown: () => down, config }, req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://sim").pathname;
    if (down || (path !== "/api/websocket" && path !== "/core/websocket")) {
      socket.end(down ? "HTTP/1.1 502 Bad Gateway\r\n\r\n" : "HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sessions.add(ws);
      ws.on("close", () => {
        sessions.delete(ws);
        sessionObjects.delete(ws);
      });
      const session = new WsSession(ws, {
        store,
        services,
        token: options.token,
        haVersion,
        authTimeoutMs: options.authTimeoutMs ?? 10_000,
        config,
        statistics: (msg) =>
          statistics.query(msg, {
            timeZone,
            stateUnit: (id) => store.get(id)?.attributes.unit_of_measurement,
          }),
        solarForecast: () => solar,
        energyPrefs: () => energyPrefs.get(),
        ...(options.platforms ? { platforms: options.platforms } : {}),
        received,
        // HA fires homeassistant_started once it is up; clients only see it when they are
        // subscribed by then, so the simulator waits for the first subscription after a restart.
        onSubscribedEvents: () => {
          if (startedPending) setTimeout(fireStarted, 20);
        },
      });
      sessionObjects.set(ws, session);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const dropConnections = () => {
    for (const ws of sessions) ws.terminate();
    sessions.clear();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token: options.token,
    crowdEntityIds: crowd.map((s) => s.entity_id),
    setState: (entityId, state, attributes) => store.set(entityId, state, attributes),
    getState: (entityId) => store.get(entityId),
    removeState: (entityId) => {
      store.remove(entityId);
    },
    fireEvent: (eventType, data = {}) => {
      store.fire(eventType, data);
    },
    registerService: (domain, service, handler, supportsResponse) =>
      services.register(domain, service, handler, supportsResponse),
    serviceCalls: services.calls,
    received,
    setStatistics: (id, rows, setOptions) => statistics.set(id, rows, setOptions),
    setEnergyPrefs: (prefs) => energyPrefs.set(prefs),
    setSolarForecast: (entry, whHours) => {
      solar[entry] = { wh_hours: whHours };
    },
    connectionCount: () => sessions.size,
    dropConnections,
    hangConnections: () => {
      for (const session of sessionObjects.values()) session.hung = true;
    },
    restart: async () => {
      down = true;
      running = "NOT_RUNNING";
      for (const ws of sessions) ws.close(1012, "restarting");
      dropConnections();
      await new Promise((resolve) => setTimeout(resolve, options.restartDownMs ?? 300));
      down = false;
      running = "STARTING";
      startedPending = true;
      // Fallback for when nobody subscribes to events after the restart.
      setTimeout(fireStarted, 3000).unref();
    },
    close: async () => {
      dropConnections();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A simulator serving a scenario (see scenario-seed.ts), with the options that read it. */
export async function startHaSimForScenario(
  scenario: ScenarioLike,
  options: Omit<HaSimOptions, "states" | "timeZone">,
): Promise<{ sim: HaSim; seed: ScenarioSeed }> {
  const seed = scenarioToHa(scenario);
  const sim = await startHaSim({ ...options, states: seed.states, timeZone: scenario.timezone });
  for (const [statisticId, rows] of Object.entries(seed.statistics)) sim.setStatistics(statisticId, rows);
  return { sim, seed };
}
