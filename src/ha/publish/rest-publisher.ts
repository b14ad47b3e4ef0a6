// The fallback without MQTT: the same sensors written through HA's REST states API
// (POST /api/states/<entity_id>). Such states belong to no integration: they have no unique id
// (not editable in the UI, no device) and vanish when HA restarts, so everything is written again
// whenever the connection comes back or HA reports it has started.
import { errorMessage } from "../../errors.js";
import { createLogger, type Logger } from "../../log.js";
import type {
  Clock,
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
}

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

  const write = async (key: SensorKey, value: SensorValue): Promise<boolean> => {
    const def = DEFS.get(key);
    if (!def) return true;
    try {
      const response = await doFetch(`${ha.restUrl}/states/${entityId(key)}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ha.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body(def, value, options.currency)),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        log.warn(`HA refused state ${entityId(key)}: HTTP ${response.status}`);
        return false;
      }
      return true;
    } catch (error) {
      log.warn(`could not write state ${entityId(key)}: ${errorMessage(error)}`);
      return false;
    }
  };

  // Writes are serialised so a slow write cannot overtake a newer value of the same sensor.
  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      for (const [key, value] of board.pending()) {
        if (await write(key, value)) board.markSent(key, value);
      }
    });
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
      removeReconnect();
      await chain;
    },
  };
}
