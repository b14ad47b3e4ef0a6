// The composition root: the only place that knows every concrete adapter. main.ts (the add-on)
// and the demo both start the add-on through here, so the demo runs exactly what users run.
import { readFileSync } from "node:fs";
import type { Config } from "./config/schema.js";
import { createHaServicesControllerFromConfig, haServicesEntityIds } from "./control/ha-services/index.js";
import { ConfigError, errorMessage } from "./errors.js";
import { subscribeActions } from "./ha/actions.js";
import type { HaUnsubscribe } from "./ha/client.js";
import { connectHa, type HaConnection } from "./ha/connection.js";
import type { HaEndpoints } from "./ha/endpoints.js";
import { createEntityCache, type EntityCache } from "./ha/entity-cache.js";
import { createHaInputs, missingEntityMessage } from "./ha/inputs.js";
import { choosePublisher } from "./ha/publish/choose.js";
import { watchEntityTriggers } from "./ha/triggers.js";
import { createLogger, type Logger } from "./log.js";
import { startBuiltinJobs } from "./runtime/builtin-jobs.js";
import type { CronRunner } from "./runtime/cron.js";
import type { Clock, Controller, InputsPort, RuntimeCommands } from "./runtime/ports.js";
import { systemClock } from "./runtime/ports.js";
import { createRuntime } from "./runtime/runtime.js";
import type { Runtime } from "./runtime/runtime-types.js";
import { createSchedulerFromConfig, type Scheduler } from "./runtime/scheduler.js";
import { startWebServer, type WebServerHandle } from "./web/server.js";
import { webStateOf } from "./web/state.js";

export interface AddonOptions {
  config: Config;
  endpoints: HaEndpoints;
  /** Where plans, the journal, overrides and job records live (/data in the add-on). */
  dataDir: string;
  clock?: Clock;
  /** The ingress page; false: none. */
  web?: { host: string; port: number; ingressOnly: boolean } | false;
  env?: Record<string, string | undefined>;
  /** Overrides the controller the options describe (the demo's simulated inverter is one). */
  controllers?: Partial<Record<"ha_services" | "modbus", Controller>>;
  log?: Logger;
}

export interface Addon {
  runtime: Runtime;
  /** What MQTT controls, HA events and the page may ask (the runtime, plus controller upkeep). */
  commands: RuntimeCommands;
  scheduler: Scheduler;
  jobs: CronRunner;
  ha: HaConnection;
  web?: WebServerHandle;
  timeZone: string;
  /** Stops everything and puts the inverter back to self-use. */
  stop(): Promise<void>;
}

export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();

async function configuredControllers(config: Config, ha: HaConnection, entities: EntityCache, log: Logger) {
  const controllers: Partial<Record<"ha_services" | "modbus", Controller>> = {};
  if (config.control.method === "modbus") {
    if (!config.control.modbus.host && !config.control.modbus.serial_port) {
      throw new ConfigError(
        "control.modbus.host",
        "control.method is modbus but no host or serial_port is set",
        "Set control.modbus.host to the inverter's address (or serial_port for RTU)",
      );
    }
    // modbus-serial (and its serial-port bindings) is loaded only by those who use Modbus.
    const { modbusControllerFromConfig } = await import("./control/modbus/from-config.js");
    controllers.modbus = modbusControllerFromConfig(config);
  }
  if (config.control.method === "ha_services") {
    controllers.ha_services = createHaServicesControllerFromConfig(
      config,
      ha,
      entities,
      log.child("control"),
    );
  }
  return controllers;
}

export async function startAddon(options: AddonOptions): Promise<Addon> {
  const { config } = options;
  const log = options.log ?? createLogger("addon");
  const clock = options.clock ?? systemClock;
  const ha = await connectHa({ ...options.endpoints, logger: log.child("ha") });
  const cleanups: (() => Promise<void>)[] = [() => ha.close()];
  try {
    const timeZone = config.timezone ?? (await ha.getConfig()).time_zone ?? "UTC";
    // One subscription to exactly the entities the add-on reads or controls, shared by inputs,
    // triggers and controller: never the whole state machine (issue 9).
    const entities = createEntityCache(ha, { log: log.child("entities") });
    cleanups.push(() => entities.close());
    if (!options.controllers && config.control.method === "ha_services") {
      void entities.watch(haServicesEntityIds(config)).catch(() => undefined);
    }
    const haInputs = createHaInputs(ha, config, { timeZone, logger: log.child("inputs"), entities });
    cleanups.push(() => haInputs.close());
    const missing = await haInputs.missingEntities();
    if (missing.length > 0) log.error(missingEntityMessage(missing));
    const inputs: InputsPort = {
      readInputs: (nowMs) => haInputs.readInputs(nowMs),
      refreshLoadForecast: async () => haInputs.refreshLoadHistory(),
    };

    const controllers = options.controllers ?? (await configuredControllers(config, ha, entities, log));
    for (const controller of Object.values(controllers)) {
      if (controller.close) cleanups.push(() => controller.close!());
    }

    // The publisher's command topics and the runtime need each other; the runtime is made second.
    let runtime: Runtime | undefined;
    // The Modbus controller clamps its writes (min SOC among them) to the reserve: it must follow
    // a reserve changed at run time, or self-use would still discharge to the old floor.
    const applyReserve = (reservePct: number) => {
      for (const controller of Object.values(controllers)) {
        const limited = controller as Partial<{ updateLimits(limits: { reservePct: number }): void }>;
        limited.updateLimits?.({ reservePct });
      }
    };
    const commands: RuntimeCommands = {
      requestReplan: (reason) => runtime?.requestReplan(reason),
      createOverride: (request) => need(runtime).createOverride(request),
      cancelOverride: (id) => need(runtime).cancelOverride(id),
      updateOverride: (id, request) => need(runtime).updateOverride(id, request),
      setControlEnabled: (enabled) => need(runtime).setControlEnabled(enabled),
      setReservePct: async (pct) => {
        await need(runtime).setReservePct(pct);
        applyReserve(pct);
      },
    };
    const publisher = await choosePublisher({
      config,
      ha,
      commands,
      clock,
      timeZone,
      currency: (await ha.getConfig()).currency ?? "GBP",
      swVersion: VERSION,
      env: options.env ?? process.env,
      log: log.child("publish"),
    });
    cleanups.push(() => publisher.close());

    runtime = await createRuntime({
      inputs,
      publisher,
      controllers,
      connectivity: () => ({ haConnected: ha.connected, modbusConnected: true }),
      dataDir: options.dataDir,
      clock,
      config,
      timezone: timeZone,
      log: log.child("runtime"),
    });
    // A typo in an entity id is the commonest setup mistake: say which one, where users look.
    if (missing.length > 0) await runtime.raiseStatus("missing-entities", missingEntityMessage(missing));
    applyReserve(runtime.reservePct());
    // The controls show the settings in force (restored after a restart), not the options.
    const inForce = runtime;
    if (publisher.kind === "mqtt")
      await publisher.followSettings({
        reservePct: () => inForce.reservePct(),
        controlEnabled: () => inForce.status().controlEnabled,
      });
    const scheduler = createSchedulerFromConfig(runtime, log.child("scheduler"));
    const jobs = await startBuiltinJobs(runtime, options.dataDir, timeZone);
    cleanups.push(async () => jobs.stop());
    const actions = await subscribeActions(ha, commands, log.child("actions"));
    const closeActions = once(() => actions.close());
    cleanups.push(closeActions);
    const unwatch: HaUnsubscribe = once(
      await watchEntityTriggers({
        entities,
        inputs: haInputs,
        config,
        clock,
        notify: (trigger) => scheduler.notifyChange(trigger),
        log: log.child("triggers"),
      }),
    );
    cleanups.push(unwatch);

    let web: WebServerHandle | undefined;
    if (options.web) {
      web = await startWebServer({
        ...options.web,
        state: webStateOf(runtime),
        nowMs: () => clock.nowMs(),
        timeZone,
        log: log.child("web"),
      });
      cleanups.push(() => web!.close());
    }
    await scheduler.start();

    const started = runtime;
    let stopped = false;
    return {
      runtime: started,
      commands,
      scheduler,
      jobs,
      ha,
      ...(web ? { web } : {}),
      timeZone,
      async stop() {
        if (stopped) return;
        stopped = true;
        // First nothing new may start, then what runs may finish, then the inverter goes back to
        // self-use, and only then do the links and files it needs close.
        await Promise.allSettled([unwatch(), closeActions()]);
        jobs.stop();
        scheduler.stop();
        await Promise.allSettled([scheduler.whenIdle(), jobs.whenIdle(), started.whenIdle()]);
        await restoreSelfUse(started, controllers, log);
        await runCleanups(cleanups, log);
      },
    };
  } catch (error) {
    await runCleanups(cleanups, log);
    throw error;
  }
}

/** Unsubscribing twice (stop, then the cleanups) must not ask HA twice. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= close();
    return closing;
  };
}

function need(runtime: Runtime | undefined): Runtime {
  if (!runtime) throw new Error("the runtime is still starting");
  return runtime;
}

/** A stopped add-on must not leave the battery in a forced mode (DESIGN principle 6). */
async function restoreSelfUse(
  runtime: Runtime,
  controllers: Partial<Record<string, Controller>>,
  log: Logger,
): Promise<void> {
  if (!runtime.status().controlEnabled) return;
  for (const controller of Object.values(controllers)) {
    if (!controller) continue;
    try {
      await controller.restoreSelfUse();
      log.info(`inverter back in self-use (${controller.kind})`);
    } catch (error) {
      log.error(`could not put the inverter back to self-use: ${errorMessage(error)}`);
    }
  }
}

async function runCleanups(cleanups: (() => Promise<void>)[], log: Logger): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      log.warn(`while stopping: ${errorMessage(error)}`);
    }
  }
}
