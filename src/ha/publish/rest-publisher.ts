// The fallback without MQTT: the same sensors written through HA's REST states API
// (POST /api/states/<entity_id>). Such states belong to no integration: they have no unique id
// (not editable in the UI, no device) and vanish when HA restarts, so everything is written again
// whenever the connection comes back or HA reports it has started. When the REST API fails (5xx,
// a timeout, a refused connection) the flush stops at the first failure (a hanging HA costs one
// timeout, not one per sensor) and is retried on its own, 1 s doubling to REST_RETRY_MAX_MS, so
// the sensors are current within that bound of the API answering again, not at the next status.
import { errorMessage } from "../../errors.js";
import { createLogger, type Logger } from "../../log.js";
import type {
  Clock,
  DayScoreRecord,
  JobRun,
  OverrideEvent,
  PlanPublisher,
  RuntimeStatus,
  StoredPlan,
} from "../../runtime/ports.js";
import { fireOverrideEvent, firePlanChanged, fireRatesLate } from "../actions.js";
import type { HaClient } from "../client.js";
import { type HttpFetch, httpFetch } from "../http.js";
import { SENSORS, type SensorDef, type SensorKey, sensorEntityId, unitOf } from "./entities.js";
import { notifyThroughHa } from "./notify.js";
import { SensorBoard } from "./sensor-board.js";
import type { SensorValue } from "./sensor-values.js";

export interface RestPublisherOptions {
  ha: HaClient;
  clock: Clock;
  timeZone: string;
  currency: string;
  /** Entity ids are sensor.<prefix>_<key>. */
  entityPrefix?: string;
  notifyService?: string;
  log?: Logger;
  fetchImpl?: HttpFetch;
  /** How long one write may take (default 10 s). */
  writeTimeoutMs?: number;
}

const REST_RETRY_FIRST_MS = 1_000;
/** The longest pause between retries while the REST API fails. */
export const REST_RETRY_MAX_MS = 10_000;

export interface RestPlanPublisher extends PlanPublisher {
  readonly kind: "rest";
  entityId(key: SensorKey): string;
  /** Writes every sensor again (after HA restarted). */
  republish(): Promise<void>;
  close(): Promise<void>;
}

const DEFS = new Map<SensorKey, SensorDef>(SENSORS.map((d) => [d.key, d]));

function body(def: SensorDef, value: SensorValue, currency: string) {
  const attributes: Record<string, unknown> = {
    ...(value.attributes ?? {}),
    friendly_name: `Battery Planner ${def.name}`,
    icon: def.icon,
  };
  if (def.deviceClass) attributes.device_class = def.deviceClass;
  if (def.stateClass) attributes.state_class = def.stateClass;
  const unit = unitOf(def, currency);
  if (unit) attributes.unit_of_measurement = unit;
  if (value.lastReset !== undefined) attributes.last_reset = value.lastReset;
  if (def.options) attributes.options = [...def.options];
  return { state: value.state === null ? "unknown" : String(value.state), attributes };
}

export function createRestPublisher(options: RestPublisherOptions): RestPlanPublisher {
  const { ha, clock } = options;
  const log = options.log ?? createLogger("ha:publish");
  const prefix = options.entityPrefix ?? "battery_planner";
  const doFetch = options.fetchImpl ?? httpFetch;
  const board = new SensorBoard(options.timeZone);
  const entityId = (key: SensorKey) => sensorEntityId(key, prefix);
  let chain: Promise<void> = Promise.resolve();

  let failingSinceMs: number | undefined;
  let retryTimer: unknown;
  let retryDelayMs = REST_RETRY_FIRST_MS;
  let closed = false;

  /** "sent"; "refused" (HA said no to this body: retrying it cannot help); "failed" (try again). */
  const write = async (key: SensorKey, value: SensorValue): Promise<"sent" | "refused" | "failed"> => {
    const def = DEFS.get(key);
    if (!def) return "sent";
    const quiet = failingSinceMs !== undefined;
    try {
      const response = await doFetch(`${ha.restUrl}/states/${entityId(key)}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ha.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body(def, value, options.currency)),
        signal: AbortSignal.timeout(options.writeTimeoutMs ?? 10_000),
      });
      if (response.ok) return "sent";
      const why = `HA refused state ${entityId(key)}: HTTP ${response.status}`;
      if (
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429
      ) {
        log.warn(why);
        return "refused";
      }
      if (quiet) log.debug(why);
      else log.warn(`${why}; retrying until the REST API answers`);
      return "failed";
    } catch (error) {
      const why = `could not write state ${entityId(key)}: ${errorMessage(error)}`;
      if (quiet) log.debug(why);
      else log.warn(`${why}; retrying until the REST API answers`);
      return "failed";
    }
  };

  const scheduleRetry = () => {
    if (closed || retryTimer !== undefined) return;
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      void flush();
    }, retryDelayMs);
    retryDelayMs = Math.min(REST_RETRY_MAX_MS, retryDelayMs * 2);
  };

  /** Writes what is pending; stops at the first failure and arms a retry. */
  const drain = async (): Promise<void> => {
    let pending = board.pending();
    for (let i = 0; i < pending.length; i++) {
      const [key, value] = pending[i] as (typeof pending)[number];
      const result = await write(key, value);
      if (result === "failed") {
        failingSinceMs ??= clock.nowMs();
        scheduleRetry();
        return;
      }
      if (result !== "sent") continue;
      board.markSent(key, value);
      if (failingSinceMs !== undefined) {
        // The API answers again: everything it missed goes out in this same flush. States
        // written before the outage may be gone too (HA restarted), so all are written.
        log.info(
          `REST API answers again after ${Math.round((clock.nowMs() - failingSinceMs) / 1000)} s; ` +
            "writing every sensor",
        );
        failingSinceMs = undefined;
        retryDelayMs = REST_RETRY_FIRST_MS;
        board.forgetSent();
        board.markSent(key, value);
        pending = board.pending();
        i = -1;
      }
    }
  };

  // Writes are serialised so a slow write cannot overtake a newer value of the same sensor.
  const flush = (): Promise<void> => {
    chain = chain.then(drain);
    return chain;
  };

  const republish = (): Promise<void> => {
    board.forgetSent();
    return flush();
  };

  const removeReconnect = ha.onReconnect((reason) => {
    log.info(`republishing sensors through the REST API (${reason})`);
    void republish();
  });

  return {
    kind: "rest",
    entityId,
    republish,
    publishPlan: async (plan: StoredPlan, status: RuntimeStatus) => {
      board.setPlan(plan, clock.nowMs());
      board.setStatus(status, clock.nowMs());
      await flush();
    },
    publishStatus: async (status: RuntimeStatus) => {
      board.setStatus(status, clock.nowMs());
      await flush();
    },
    planChanged: async (previous: StoredPlan | undefined, next: StoredPlan) => {
      await firePlanChanged(ha, previous, next, log);
    },
    publishJobRun: async (run: JobRun) => {
      board.setJobRun(run);
      await flush();
    },
    publishDayScore: async (record: DayScoreRecord) => {
      board.setDayScore(record);
      await flush();
    },
    ratesLate: async (late) => {
      await fireRatesLate(ha, late, log);
    },
    publishOverrideEvent: async (event: OverrideEvent) => {
      await fireOverrideEvent(ha, event, log);
    },
    notify: async (title: string, message: string) => {
      await notifyThroughHa(ha, options.notifyService, title, message).catch((error) =>
        log.warn(`notification failed: ${errorMessage(error)}`),
      );
    },
    close: async () => {
      closed = true;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      removeReconnect();
      await chain;
    },
  };
}
