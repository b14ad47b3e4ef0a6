// battery-planner demo [--serve] [--verbose] [--speed N] [--hours H] [--port P] [--scenario FILE]
import { parseArgs } from "node:util";
import { BatteryPlannerError, errorMessage } from "../errors.js";
import { runDemo } from "../sim/demo/run-demo.js";

export async function run(args: string[]): Promise<number> {
  let values: {
    serve?: boolean;
    verbose?: boolean;
    speed?: string;
    hours?: string;
    port?: string;
    scenario?: string;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        serve: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        // A simulated day in about a minute.
        speed: { type: "string", default: "1440" },
        hours: { type: "string", default: "24" },
        port: { type: "string", default: "0" },
        scenario: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`battery-planner demo: ${errorMessage(error)}\n`);
    return 2;
  }
  const speed = Number(values.speed);
  const hours = Number(values.hours);
  const port = Number(values.port);
  if (!(speed > 0) || !(hours > 0) || !Number.isInteger(port) || port < 0) {
    process.stderr.write(
      "battery-planner demo: --speed and --hours must be positive, --port a port number\n",
    );
    return 2;
  }
  try {
    const result = await runDemo({
      speed,
      hours,
      port,
      serve: values.serve ?? false,
      verbose: values.verbose ?? false,
      ...(values.scenario ? { scenarioPath: values.scenario } : {}),
      print: (line) => process.stdout.write(`${line}\n`),
    });
    return result.rows.length > 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(
      `battery-planner demo: ${error instanceof BatteryPlannerError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    return 1;
  }
}
