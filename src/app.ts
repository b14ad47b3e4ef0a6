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
import { createMeasuredEnergyReader } from "./ha/measured-energy.js";
import { choosePublisher } from "./ha/publish/choose.js";
import { watchEntityTriggers } from "./ha/triggers.js";
import { createLogger, type Logger } from "./log.js";
import { startBuiltinJobs } from "./runtime/builtin-jobs.js";
import type { CronRunner } from "./runtime/cron.js";
import type { Clock, Controller, InputsPort, RuntimeCommands } from "./runtime/ports.js";
import { systemClock } from "./runtime/ports.js";
import { createRuntime, RESTORE_DEADLINE_MS } from "./runtime/runtime.js";
import type { Runtime } from "./runtime/runtime-types.js";
import { createSchedulerFromConfig, type Scheduler } from "./runtime/scheduler.js";
import { guardStartWithoutHa } from "./runtime/start-guard.js";
import type { SetupReport } from "./setup/render.js";
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
  /** What auto-detection found at start (main.ts), shown on the page. */
  setup?: SetupReport;
  /** How long to wait for Home Assistant at start before restoring self-use over Modbus. */
  startWithoutHaMs?: number;
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

/**
 * Stop's budget, inside the `timeout:` the add-on declares in addon/config.yaml (30 s): self-use
 * within RESTORE_DEADLINE_MS (20 s), everything closed within 25 s. src/runtime/README.md, Bounds.
 */
export const STOP_DEADLINE_MS = 25_000;
/** How long work still running after the restore may take to finish before the links close. */
const GRACE_MS = 1_000;
/** Kept for closing the links after the restore and the work still running. */
const CLOSE_BUDGET_MS = 3_000;
/** The longest one link may take to close while the budget lasts. */
const CLOSE_EACH_MS = 1_500;

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

/** The Modbus controller needs no Home Assistant: it is made first, so a start guard can use it. */
async function modbusController(config: Config): Promise<Controller | undefined> {
  if (config.control.method !== "modbus") return undefined;
  if (!config.control.modbus.host && !config.control.modbus.serial_port) {
    throw new ConfigError(
      "control.modbus.host",
      "control.method is modbus but no host or serial_port is set",
      "Set control.modbus.host to the inverter's address (or serial_port for RTU)",
    );
  }
  // modbus-serial (and its serial-port bindings) is loaded only by those who use Modbus.
  const { modbusControllerFromConfig } = await import("./control/modbus/from-config.js");
  return modbusControllerFromConfig(config);
}

function configuredControllers(
  config: Config,
  ha: HaConnection,
  entities: EntityCache,
  log: Logger,
  modbus: Controller | undefined,
) {
  const controllers: Partial<Record<"ha_services" | "modbus", Controller>> = {};
  if (modbus) controllers.modbus = modbus;
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
  const modbus = options.controllers ? options.controllers.modbus : await modbusController(config);
  const guard = modbus
    ? guardStartWithoutHa({
        dataDir: options.dataDir,
        controller: modbus,
        clock: systemClock,
        log,
        ...(options.startWithoutHaMs !== undefined ? { afterMs: options.startWithoutHaMs } : {}),
      })
    : undefined;
  let ha: HaConnection;
  try {
    ha = await connectHa({ ...options.endpoints, logger: log.child("ha") });
  } catch (error) {
    await guard?.stop();
    if (!options.controllers) await modbus?.close?.();
    throw error;
  } finally {
    await guard?.stop();
  }
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
    const meters = createMeasuredEnergyReader(ha, config);
    const inputs: InputsPort = {
      readInputs: (nowMs) => haInputs.readInputs(nowMs),
      refreshLoadForecast: async () => haInputs.refreshLoadHistory(),
      readMeasuredEnergy: (slots) => meters.read(slots),
    };

    const controllers = options.controllers ?? configuredControllers(config, ha, entities, log, modbus);
    for (const controller of Object.values(controllers)) {
      if (controller.close) cleanups.push(() => controller.close!());
    }

    // The publisher's command topics and the runtime need each other; the runtime is made second.
    let runtime: Runtime | undefined;
    const commands: RuntimeCommands = {
      requestReplan: (reason) => runtime?.requestReplan(reason),
      createOverride: (request) => need(runtime).createOverride(request),
      cancelOverride: (id) => need(runtime).cancelOverride(id),
      updateOverride: (id, request) => need(runtime).updateOverride(id, request),
      setControlEnabled: (enabled) => need(runtime).setControlEnabled(enabled),
      setReservePct: (pct) => need(runtime).setReservePct(pct),
    };
    // One currency for the sensors and the page: the one HA is configured with.
    const currency = (await ha.getConfig()).currency ?? "GBP";
    const publisher = await choosePublisher({
      config,
      ha,
      commands,
      clock,
      timeZone,
      currency,
      swVersion: VERSION,
      env: options.env ?? process.env,
      log: log.child("publish"),
    });
    cleanups.push(() => publisher.close());

    runtime = await createRuntime({
      inputs,
      publisher,
      controllers,
      connectivity: () => ({
        haConnected: ha.connected,
        modbusConnected: controllers.modbus?.connected ?? true,
      }),
      dataDir: options.dataDir,
      clock,
      config,
      timezone: timeZone,
      currency,
      log: log.child("runtime"),
    });
    // Said at start, not after the first night: what will keep the days from being scored.
    void meters
      .missingMeters()
      .then((notes) => {
        if (notes.length > 0) log.warn(`the day score will not be made: ${notes.join("; ")}`);
      })
      .catch(() => undefined);
    // A typo in an entity id is the commonest setup mistake: say which one, where users look.
    if (missing.length > 0) await runtime.raiseStatus("missing-entities", missingEntityMessage(missing));
    // The controls show the settings in force (restored after a restart), not the options.
    const inForce = runtime;
    if (publisher.kind === "mqtt")
      await publisher.followSettings({
        reservePct: () => inForce.reservePct(),
        controlEnabled: () => inForce.status().controlEnabled,
      });
    // A link that comes back re-applies the command of now, instead of at the next retry or tick.
    const live = runtime;
    const offHa = ha.onReconnect((why) =>
      live.linkRestored(why === "ha_started" ? "Home Assistant started" : "Home Assistant reconnected"),
    );
    cleanups.push(async () => offHa());
    const offModbus = controllers.modbus?.onReconnect?.(() =>
      live.linkRestored("the inverter answers again"),
    );
    if (offModbus) cleanups.push(async () => offModbus());
    const scheduler = createSchedulerFromConfig(runtime, config, clock, log.child("scheduler"));
    const jobs = await startBuiltinJobs(
      runtime,
      { config, clock, inputs, publisher },
      options.dataDir,
      timeZone,
    );
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
        state: webStateOf(runtime, { currency, ...(options.setup ? { setup: options.setup } : {}) }),
        nowMs: () => clock.nowMs(),
        timeZone,
        log: log.child("web"),
      });
      cleanups.push(() => web!.close());
    }
    await scheduler.start();

    const started = runtime;
    let stopping: Promise<void> | undefined;
    return {
      runtime: started,
      commands,
      scheduler,
      jobs,
      ha,
      ...(web ? { web } : {}),
      timeZone,
      stop() {
        stopping ??= (async () => {
          const deadlineAtMs = Date.now() + STOP_DEADLINE_MS;
          // Nothing new may start; then the inverter goes back to self-use at once (not after
          // writes that may never answer); then what still runs gets the rest of the budget, and
          // the links and files close regardless.
          jobs.stop();
          scheduler.stop();
          await started.stop({ restoreDeadlineMs: RESTORE_DEADLINE_MS });
          // Work still running (a plan being stored, a write that never answers) gets a short
          // grace: files are written atomically, so cutting it off loses nothing but that work.
          await within(
            Promise.allSettled([scheduler.whenIdle(), jobs.whenIdle(), started.whenIdle()]),
            Math.min(deadlineAtMs - CLOSE_BUDGET_MS, Date.now() + GRACE_MS),
          );
          await runCleanups(cleanups, log, deadlineAtMs);
        })();
        return stopping;
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

/** Resolves when `work` settles or at `atMs`, whichever is first; says which. */
async function within(work: Promise<unknown>, atMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, atMs - Date.now()));
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes everything opened after the HA connection at once (none of them needs another to close,
 * and over a hung connection each unsubscribe would wait for its own timeout), then the HA
 * connection itself. Whatever does not close by the deadline is left behind: the process exits.
 */
async function runCleanups(
  cleanups: (() => Promise<void>)[],
  log: Logger,
  deadlineAtMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  const [first, ...rest] = cleanups;
  const close = (cleanup: () => Promise<void>) =>
    Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => log.warn(`while stopping: ${errorMessage(error)}`));
  const atMs = () => Math.max(Math.min(deadlineAtMs, Date.now() + CLOSE_EACH_MS), Date.now() + 50);
  const others = Promise.all(rest.reverse().map(close));
  if (!(await within(others, atMs()))) log.warn("some links did not close in time; left behind");
  if (first && !(await within(close(first), atMs())))
    log.warn("the Home Assistant connection did not close in time");
}
