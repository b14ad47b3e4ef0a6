// battery-planner demo [--serve] [--verbose] [--hours H] [--port P] [--day FILE]
import { parseArgs } from "node:util";
import { BatteryPlannerError, errorMessage } from "../errors.js";
import { runDemo } from "../sim/demo/run-demo.js";

export async function run(args: string[]): Promise<number> {
  let values: { serve?: boolean; verbose?: boolean; hours?: string; port?: string; day?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        serve: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        hours: { type: "string", default: "24" },
        port: { type: "string", default: "0" },
        // A home-history file (docs/home-history.md) or a scenario with actuals.
        day: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`battery-planner demo: ${errorMessage(error)}\n`);
    return 2;
  }
  const hours = Number(values.hours);
  const port = Number(values.port);
  if (!(hours > 0) || !Number.isInteger(port) || port < 0) {
    process.stderr.write("battery-planner demo: --hours must be positive, --port a port number\n");
    return 2;
  }
  try {
    const result = await runDemo({
      hours,
      port,
      serve: values.serve ?? false,
      verbose: values.verbose ?? false,
      ...(values.day ? { dayPath: values.day } : {}),
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
