// The add-on's entry point: options from the Supervisor's /data/options.json (or --options), the
// Home Assistant endpoint from the environment, then everything through startAddon. A bad option
// stops here with one line that names it; SIGTERM puts the inverter back to self-use first.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Addon, startAddon } from "./app.js";
import { loadConfigFile } from "./config/load.js";
import { BatteryPlannerError, errorMessage } from "./errors.js";
import { endpointsFromEnv } from "./ha/endpoints.js";
import { createLogger, setLogLevel } from "./log.js";

const log = createLogger("addon");

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      options: { type: "string", default: process.env.BATTERY_PLANNER_OPTIONS ?? "/data/options.json" },
      data: { type: "string", default: process.env.BATTERY_PLANNER_DATA ?? "/data" },
      port: { type: "string", default: process.env.INGRESS_PORT ?? "8099" },
    },
    strict: true,
  });
  let addon: Addon;
  try {
    const config = await loadConfigFile(values.options);
    setLogLevel(config.log_level);
    const inAddon = process.env.SUPERVISOR_TOKEN !== undefined;
    addon = await startAddon({
      config,
      endpoints: endpointsFromEnv(process.env),
      dataDir: values.data,
      web: { host: inAddon ? "0.0.0.0" : "127.0.0.1", port: Number(values.port), ingressOnly: inAddon },
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
    const stop = (signal: string) => {
      log.info(`${signal}: putting the inverter back to self-use and stopping`);
      addon.stop().then(resolve, (error: unknown) => {
        log.error(`while stopping: ${errorMessage(error)}`);
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}

// `node dist/main.js` in the add-on image; `battery-planner run` goes through cli.ts instead.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly: a library timer left behind must not keep a stopped add-on alive.
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
