// The add-on's entry point: options from the Supervisor's /data/options.json (or --options), the
// Home Assistant endpoint from the environment, then everything through startAddon. A bad option
// stops here with one line that names it; SIGTERM puts the inverter back to self-use first, and
// the process is gone within STOP_DEADLINE_MS whatever hangs (the Supervisor kills at `timeout:`).
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Addon, STOP_DEADLINE_MS, startAddon } from "./app.js";
import { readOptionsFile } from "./config/load.js";
import { BatteryPlannerError, errorMessage } from "./errors.js";
import { connectHa, type HaConnection } from "./ha/connection.js";
import { endpointsFromEnv } from "./ha/endpoints.js";
import { createLogger, setLogLevel } from "./log.js";
import type { RuntimeStatus } from "./runtime/ports.js";
import type { SetupReport } from "./setup/render.js";
import { resolveStartupOptions, type StartupOptions } from "./setup/startup.js";
import { startWebServer, type WebServerOptions } from "./web/server.js";

const log = createLogger("addon");

function parseFlags(args: string[]) {
  return parseArgs({
    args,
    options: {
      options: { type: "string", default: process.env.BATTERY_PLANNER_OPTIONS ?? "/data/options.json" },
      data: { type: "string", default: process.env.BATTERY_PLANNER_DATA ?? "/data" },
      port: { type: "string", default: process.env.INGRESS_PORT ?? "8099" },
    },
    strict: true,
  });
}

export async function run(args: string[]): Promise<number> {
  let values: ReturnType<typeof parseFlags>["values"];
  try {
    ({ values } = parseFlags(args));
  } catch (error) {
    // A mistyped flag is the person's to fix, like a wrong option: one line, not a stack.
    log.error(`${errorMessage(error)} (flags: --options FILE, --data DIR, --port PORT)`);
    return 2;
  }
  let addon: Addon;
  try {
    const inAddon = process.env.SUPERVISOR_TOKEN !== undefined;
    const web = {
      host: inAddon ? "0.0.0.0" : "127.0.0.1",
      port: Number(values.port),
      ingressOnly: inAddon,
      // Names besides IP addresses and localhost the standalone page is opened by (DNS rebinding).
      allowedHosts: (process.env.BATTERY_PLANNER_ALLOWED_HOSTS ?? "").split(",").filter((h) => h.trim()),
    };
    const startup = await optionsWithDetection(await readOptionsFile(values.options));
    if (!startup.ok) {
      if (!startup.report) throw startup.error;
      return await runSetupMode(startup.error.message, startup.report, web);
    }
    const config = startup.config;
    setLogLevel(config.log_level);
    addon = await startAddon({
      config,
      endpoints: endpointsFromEnv(process.env),
      dataDir: values.data,
      web,
      ...(startup.report ? { setup: startup.report } : {}),
    });
  } catch (error) {
    // Our own errors already say what to do; anything else is a bug worth its stack.
    log.error(
      error instanceof BatteryPlannerError ? error.message : String((error as Error)?.stack ?? error),
    );
    return error instanceof BatteryPlannerError && !error.retryable ? 2 : 1;
  }
  log.info(`running; plan page on port ${addon.web?.port ?? "-"}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve();
        return;
      }
      stopping = true;
      log.info(`${signal}: putting the inverter back to self-use and stopping`);
      // stop() keeps its own deadline; this one is for a stop that hangs in spite of it.
      const hard = setTimeout(() => {
        log.error(`not stopped within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
        resolve();
      }, STOP_DEADLINE_MS + 1_000);
      hard.unref();
      addon.stop().then(resolve, (error: unknown) => {
        log.error(`while stopping: ${errorMessage(error)}`);
        resolve();
      });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}

/** Options the user left empty are detected in Home Assistant (one short-lived connection). */
async function optionsWithDetection(raw: unknown): Promise<StartupOptions> {
  let ha: HaConnection | undefined;
  try {
    const startup = await resolveStartupOptions(raw, async () => {
      ha = await connectHa({
        ...endpointsFromEnv(process.env),
        connectAttempts: 2,
        logger: log.child("setup"),
      });
      return ha;
    });
    for (const line of startup.report?.lines ?? []) log.info(`setup: ${line}`);
    if (startup.report && (startup.report.filled.length > 0 || !startup.ok))
      log.info(`setup: options to paste (Configuration → ⋮ → Edit in YAML):\n${startup.report.yaml}`);
    return startup;
  } finally {
    await (ha as HaConnection | undefined)?.close().catch(() => undefined);
  }
}

/** Incomplete options: the plan page stays up with what was found and what is missing, so the
 * user reads it in the sidebar instead of a stopped add-on's log, until they restart it. */
async function runSetupMode(
  problem: string,
  report: SetupReport,
  web: Omit<WebServerOptions, "state" | "log">,
): Promise<number> {
  log.error(problem);
  const status: RuntimeStatus = {
    state: "error",
    reason: problem,
    controlEnabled: false,
    updatedAtMs: Date.now(),
  };
  const server = await startWebServer({
    ...web,
    state: {
      getPlan: () => undefined,
      getStatus: () => status,
      getJobRuns: () => [],
      getSocHistory: () => [],
      setup: report,
    },
    log: log.child("web"),
  });
  log.info(`setup page on port ${server.port}: set ${report.missing.join(", ")} and restart the add-on`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await server.close();
  return 0;
}

// `node dist/main.js` in the add-on image; `battery-planner run` goes through cli.ts instead.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly: a library timer left behind must not keep a stopped add-on alive.
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
