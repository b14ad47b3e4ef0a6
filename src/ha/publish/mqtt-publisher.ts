// Publishing through MQTT discovery: real entities with unique ids on a "Battery Planner" device.
// Configs and states are retained, so HA gets them back from the broker after a restart; HA's
// birth message (`<prefix>/status` = online) still triggers a full resend, as HA's docs ask of
// discovery publishers. The last will marks every entity unavailable when the add-on dies.
import { connect, type MqttClient } from "mqtt";
import { z } from "zod";
import { BatteryPlannerError, errorMessage } from "../../errors.js";
import { createLogger, type Logger } from "../../log.js";
import type {
  Clock,
  DayScoreRecord,
  JobRun,
  OverrideEvent,
  PlanPublisher,
  RuntimeCommands,
  RuntimeStatus,
  StoredPlan,
} from "../../runtime/ports.js";
import { fireOverrideEvent, firePlanChanged, fireRatesLate } from "../actions.js";
import type { HaClient } from "../client.js";
import { CONTROLS, type ControlKey, OVERRIDE_AUTO } from "./entities.js";
import { type ControlStates, controlPayload, MqttCommandHandler } from "./mqtt-commands.js";
import { AVAILABLE, discoveryMessages, NOT_AVAILABLE, topics } from "./mqtt-discovery.js";
import { notifyThroughHa } from "./notify.js";
import { SensorBoard } from "./sensor-board.js";

/** How long to wait for our retained override duration after subscribing (loopback broker). */
const RESTORE_WAIT_MS = 300;
/** Our own retained override duration, as we write it: whole minutes 5..1440, digits only. */
const durationMinutes = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number)
  .pipe(z.number().min(5).max(1440));

export interface MqttBroker {
  host: string;
  port: number;
  username?: string;
  password?: string;
  ssl?: boolean;
}

export interface MqttPublisherOptions {
  broker: MqttBroker;
  ha: Pick<HaClient, "fireEvent" | "callService">;
  commands: RuntimeCommands;
  clock: Clock;
  timeZone: string;
  currency: string;
  swVersion: string;
  discoveryPrefix?: string;
  nodeId?: string;
  notifyService?: string;
  reservePct: number;
  controlEnabled: boolean;
  overrideDurationMinutes?: number;
  connectTimeoutMs?: number;
  /** Pause between reconnect attempts after the connection is lost. */
  reconnectPeriodMs?: number;
  log?: Logger;
}

/** Where the values set from HA are in force: the runtime's current settings (restored from its
 * data directory after a restart), not the options the add-on started with. */
export interface ControlSettingsSource {
  reservePct(): number;
  controlEnabled(): boolean;
  overrideDurationMinutes?(): number | undefined;
}

export interface MqttPlanPublisher extends PlanPublisher {
  readonly kind: "mqtt";
  /** From now on the number and switch states show these settings; sends them at once. */
  followSettings(source: ControlSettingsSource): Promise<void>;
  /** Sends every discovery config and state again. */
  resendAll(): Promise<void>;
  close(): Promise<void>;
}

/** The broker could not be reached or refused us. */
export class MqttUnavailableError extends BatteryPlannerError {
  override name = "MqttUnavailableError";
  constructor(
    readonly broker: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`MQTT broker ${broker} is unavailable: ${detail}`, { ...options, retryable: true });
  }
}

function connectOnce(
  url: string,
  options: Parameters<typeof connect>[1],
  timeoutMs: number,
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect(url, options);
    const fail = (detail: string, cause?: unknown) => {
      clearTimeout(timer);
      client.removeAllListeners("connect");
      client.end(true);
      reject(new MqttUnavailableError(url, detail, { cause }));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    client.once("connect", () => {
      clearTimeout(timer);
      client.removeListener("error", onError);
      resolve(client);
    });
    const onError = (error: Error) => fail(errorMessage(error), error);
    client.once("error", onError);
  });
}

export async function createMqttPublisher(options: MqttPublisherOptions): Promise<MqttPlanPublisher> {
  const log = options.log ?? createLogger("ha:mqtt");
  const prefix = options.discoveryPrefix ?? "homeassistant";
  const nodeId = options.nodeId ?? "battery_planner";
  const t = topics(nodeId);
  const statusTopic = `${prefix}/status`;
  const commandTopics = new Map<string, ControlKey>(
    (Object.keys(CONTROLS) as ControlKey[]).map((key) => [t.command(key), key]),
  );
  const board = new SensorBoard(options.timeZone);
  const url = `${options.broker.ssl ? "mqtts" : "mqtt"}://${options.broker.host}:${options.broker.port}`;

  const client = await connectOnce(
    url,
    {
      clientId: `${nodeId}_${Math.random().toString(16).slice(2, 10)}`,
      ...(options.broker.username ? { username: options.broker.username } : {}),
      ...(options.broker.password ? { password: options.broker.password } : {}),
      will: { topic: t.availability, payload: Buffer.from(NOT_AVAILABLE), retain: true, qos: 1 },
      reconnectPeriod: options.reconnectPeriodMs ?? 5_000,
      // Otherwise mqtt-packet caches a Buffer for every 16-bit number: 6 MB of a small heap.
      writeCache: false,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
    },
    options.connectTimeoutMs ?? 10_000,
  );
  log.info(`connected to MQTT broker ${options.broker.host}:${options.broker.port}`);

  const publish = async (topic: string, payload: string, qos: 0 | 1 = 0): Promise<void> => {
    if (!client.connected) return;
    try {
      await client.publishAsync(topic, payload, { retain: true, qos });
    } catch (error) {
      log.warn(`MQTT publish to ${topic} failed: ${errorMessage(error)}`);
    }
  };

  const controlStates: ControlStates = {
    override_mode: OVERRIDE_AUTO,
    reserve_soc: options.reservePct,
    override_duration: options.overrideDurationMinutes ?? 60,
    control_enabled: options.controlEnabled,
  };
  const publishControl = (key: Exclude<ControlKey, "replan">) =>
    publish(t.state(key), controlPayload(key, controlStates));
  const handler = new MqttCommandHandler(options.commands, options.clock, log, controlStates, (key) => {
    if (key !== "replan") void publishControl(key);
  });

  let settings: ControlSettingsSource | undefined;
  /** Publishes the controls whose setting in force differs from what they show. */
  const syncControls = async (): Promise<void> => {
    if (!settings) return;
    const reservePct = settings.reservePct();
    const enabled = settings.controlEnabled();
    const durationMinutes = settings.overrideDurationMinutes?.() ?? controlStates.override_duration;
    if (controlStates.reserve_soc !== reservePct) {
      controlStates.reserve_soc = reservePct;
      await publishControl("reserve_soc");
    }
    if (controlStates.control_enabled !== enabled) {
      controlStates.control_enabled = enabled;
      await publishControl("control_enabled");
    }
    if (controlStates.override_duration !== durationMinutes) {
      controlStates.override_duration = durationMinutes;
      await publishControl("override_duration");
    }
  };

  let chain: Promise<void> = Promise.resolve();
  let commands: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      if (!client.connected) return;
      for (const [key, value] of board.pending()) {
        // A counter with a last_reset goes out as JSON, read by the templates of its discovery config.
        const state = value.state === null ? "None" : String(value.state);
        await publish(
          t.state(key),
          value.lastReset === undefined
            ? state
            : JSON.stringify({ value: value.state, last_reset: value.lastReset }),
        );
        if (value.attributes) await publish(t.attributes(key), JSON.stringify(value.attributes));
        board.markSent(key, value);
      }
    });
    return chain;
  };

  const resendAll = async (): Promise<void> => {
    for (const message of discoveryMessages({
      discoveryPrefix: prefix,
      nodeId,
      swVersion: options.swVersion,
      currency: options.currency,
    })) {
      await publish(message.topic, JSON.stringify(message.payload), 1);
    }
    await publish(t.availability, AVAILABLE, 1);
    for (const key of ["override_mode", "reserve_soc", "override_duration", "control_enabled"] as const) {
      await publishControl(key);
    }
    board.forgetSent();
    await flush();
  };

  // The override duration is the controls' own setting (the runtime has none): its last value
  // lives on at the broker as our retained state, and is taken back from there after a restart
  // instead of being overwritten with the default.
  async function restoreOverrideDuration(): Promise<void> {
    const topic = t.state("override_duration");
    let seen: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const onMessage = (from: string, message: Buffer, packet: { retain?: boolean }) => {
      if (from !== topic) return;
      const parsed = durationMinutes.safeParse(message.toString("utf8").trim());
      if (packet.retain && parsed.success) controlStates.override_duration = parsed.data;
      seen();
    };
    client.on("message", onMessage);
    try {
      await client.subscribeAsync(topic, { qos: 1 });
      // A retained message follows the SUBACK at once; nothing within a moment means none is kept.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        arrived,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, RESTORE_WAIT_MS))),
      ]);
      clearTimeout(timer);
      await client.unsubscribeAsync(topic);
    } catch (error) {
      log.warn(`could not read back the override duration: ${errorMessage(error)}`);
    } finally {
      client.removeListener("message", onMessage);
    }
  }

  const onConnect = async () => {
    try {
      await client.subscribeAsync([statusTopic, ...commandTopics.keys()], { qos: 1 });
      await resendAll();
    } catch (error) {
      log.warn(`MQTT setup after connect failed: ${errorMessage(error)}`);
    }
  };
  client.on("connect", () => {
    log.info("MQTT reconnected; sending discovery again");
    void onConnect();
  });
  client.on("error", (error) => log.warn(`MQTT: ${errorMessage(error)}`));
  client.on("message", (topic, message, packet) => {
    const payload = message.toString("utf8");
    if (topic === statusTopic) {
      if (payload.trim() === "online") {
        log.info("Home Assistant came online; sending discovery again");
        void resendAll();
      }
      return;
    }
    const key = commandTopics.get(topic);
    // One command at a time, in arrival order: "charge" then "auto" must cancel that override.
    if (key) commands = commands.then(() => handler.handle(key, payload, packet.retain));
  });
  await restoreOverrideDuration();
  await onConnect();

  return {
    kind: "mqtt",
    resendAll,
    publishPlan: async (plan: StoredPlan, status: RuntimeStatus) => {
      board.setPlan(plan, options.clock.nowMs());
      board.setStatus(status, options.clock.nowMs());
      await flush();
    },
    followSettings: async (source: ControlSettingsSource) => {
      settings = source;
      await syncControls();
    },
    publishStatus: async (status: RuntimeStatus) => {
      board.setStatus(status, options.clock.nowMs());
      if (status.controlEnabled !== controlStates.control_enabled) {
        controlStates.control_enabled = status.controlEnabled;
        await publishControl("control_enabled");
      }
      // A reserve set by an HA action or the page, not this number, shows here too.
      await syncControls();
      await flush();
    },
    planChanged: async (previous: StoredPlan | undefined, next: StoredPlan) => {
      await firePlanChanged(options.ha, previous, next, log);
    },
    publishJobRun: async (run: JobRun) => {
      board.setJobRun(run);
      await flush();
    },
    publishDayScore: async (record: DayScoreRecord) => {
      board.setDayScore(record);
      await flush();
    },
    notify: async (title: string, message: string) => {
      await notifyThroughHa(options.ha, options.notifyService, title, message).catch((error) =>
        log.warn(`notification failed: ${errorMessage(error)}`),
      );
    },
    ratesLate: async (late) => {
      await fireRatesLate(options.ha, late, log);
    },
    publishOverrideEvent: async (event: OverrideEvent) => {
      handler.onOverrideEvent(event);
      await fireOverrideEvent(options.ha, event, log);
    },
    close: async () => {
      handler.dispose();
      await commands;
      await chain;
      await publish(t.availability, NOT_AVAILABLE, 1);
      await client.endAsync();
    },
  };
}
