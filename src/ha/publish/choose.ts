// Which publisher the add-on uses. MQTT discovery when a broker is known — from the options, or
// from the Supervisor's services API (the add-on declares `services: mqtt:want`, and the Mosquitto
// add-on provides the credentials) — else the REST states fallback.
import { z } from "zod";
import type { Config } from "../../config/schema.js";
import { ConfigError, errorMessage } from "../../errors.js";
import { createLogger, type Logger } from "../../log.js";
import type { Clock, RuntimeCommands } from "../../runtime/ports.js";
import type { HaClient } from "../client.js";
import { type HttpFetch, httpFetch } from "../http.js";
// The MQTT client library is loaded only when a broker is used: on a Pi every MB counts.
import type { MqttBroker, MqttPlanPublisher } from "./mqtt-publisher.js";
import { createRestPublisher, type RestPlanPublisher } from "./rest-publisher.js";

export const SUPERVISOR_URL = "http://supervisor";

const servicesAnswer = z.object({
  result: z.literal("ok"),
  data: z.object({
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65535),
    username: z.string().optional(),
    password: z.string().optional(),
    ssl: z.boolean().optional(),
  }),
});

/** The Supervisor's MQTT service, or undefined when there is none (or no Supervisor). */
export async function supervisorMqtt(
  env: Record<string, string | undefined>,
  fetchImpl: HttpFetch = httpFetch,
  supervisorUrl = SUPERVISOR_URL,
  log: Logger = createLogger("ha:publish"),
): Promise<MqttBroker | undefined> {
  const token = env.SUPERVISOR_TOKEN;
  if (!token) return undefined;
  try {
    const response = await fetchImpl(`${supervisorUrl}/services/mqtt`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) {
      log.info(`no MQTT service from the Supervisor (HTTP ${response.status})`);
      return undefined;
    }
    const parsed = servicesAnswer.safeParse(await response.json());
    if (!parsed.success) {
      log.warn("the Supervisor's MQTT service answer is not what was expected; using the REST fallback");
      return undefined;
    }
    const d = parsed.data.data;
    return {
      host: d.host,
      port: d.port,
      ...(d.username ? { username: d.username } : {}),
      ...(d.password ? { password: d.password } : {}),
      ...(d.ssl !== undefined ? { ssl: d.ssl } : {}),
    };
  } catch (error) {
    log.info(`could not ask the Supervisor for MQTT: ${errorMessage(error)}`);
    return undefined;
  }
}

export function brokerFromOptions(mqtt: Config["mqtt"]): MqttBroker | undefined {
  if (!mqtt.host) return undefined;
  return {
    host: mqtt.host,
    port: mqtt.port,
    ...(mqtt.username ? { username: mqtt.username } : {}),
    ...(mqtt.password ? { password: mqtt.password } : {}),
  };
}

export interface ChoosePublisherOptions {
  config: Pick<Config, "mqtt" | "battery" | "control" | "notify_service">;
  ha: HaClient;
  commands: RuntimeCommands;
  clock: Clock;
  timeZone: string;
  currency: string;
  swVersion: string;
  env?: Record<string, string | undefined>;
  fetchImpl?: HttpFetch;
  supervisorUrl?: string;
  log?: Logger;
}

/** MQTT when a broker is known and reachable (mode auto/on), else REST. With mode `on` an
 * unusable broker is a configuration error rather than a silent fallback. */
export async function choosePublisher(
  options: ChoosePublisherOptions,
): Promise<MqttPlanPublisher | RestPlanPublisher> {
  const log = options.log ?? createLogger("ha:publish");
  const { mqtt } = options.config;
  const rest = () =>
    createRestPublisher({
      ha: options.ha,
      clock: options.clock,
      timeZone: options.timeZone,
      currency: options.currency,
      ...(options.config.notify_service ? { notifyService: options.config.notify_service } : {}),
      log,
    });
  if (mqtt.mode === "never") {
    log.info("MQTT is off: publishing sensors through the REST states API (no unique ids)");
    return rest();
  }
  const broker =
    brokerFromOptions(mqtt) ??
    (await supervisorMqtt(options.env ?? process.env, options.fetchImpl, options.supervisorUrl, log));
  if (!broker) {
    if (mqtt.mode === "always") {
      throw new ConfigError(
        "mqtt.host",
        "mqtt.mode is always but no broker is configured and the Supervisor offers none",
        "Install the Mosquitto broker add-on, or set mqtt.host (and credentials), or set mqtt.mode to auto",
      );
    }
    log.info("no MQTT broker: publishing sensors through the REST states API (no unique ids)");
    return rest();
  }
  try {
    const { createMqttPublisher } = await import("./mqtt-publisher.js");
    return await createMqttPublisher({
      broker,
      ha: options.ha,
      commands: options.commands,
      clock: options.clock,
      timeZone: options.timeZone,
      currency: options.currency,
      swVersion: options.swVersion,
      discoveryPrefix: mqtt.discovery_prefix,
      reservePct: options.config.battery.reserve_pct,
      controlEnabled: options.config.control.enabled,
      ...(options.config.notify_service ? { notifyService: options.config.notify_service } : {}),
      log,
    });
  } catch (error) {
    if (mqtt.mode === "always") {
      throw new ConfigError(
        "mqtt.host",
        `cannot use the MQTT broker ${broker.host}:${broker.port} (${errorMessage(error)})`,
        "Check the broker's address and credentials, or set mqtt.mode to auto to fall back to REST",
      );
    }
    log.warn(`MQTT broker unusable (${errorMessage(error)}); publishing through the REST states API`);
    return rest();
  }
}
