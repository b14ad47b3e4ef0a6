#!/usr/bin/env node
// battery-planner: one entry point, one module per subcommand, loaded only when used so that
// `plan` does not pay for the Modbus or Home Assistant stacks.
import { errorMessage } from "./errors.js";

const COMMANDS: Record<string, { module: string; summary: string }> = {
  plan: { module: "./cli/plan.js", summary: "plan FILE [--format table|json]   plan a scenario file" },
  simulate: {
    module: "./cli/simulate.js",
    summary:
      "simulate FILE... [--format table|json] [--perfect-forecasts]   real days (consecutive files: one run) of the add-on in the digital twin",
  },
  modbus: {
    module: "./cli/modbus.js",
    summary: "modbus read|apply --host H --port P --profile NAME ...   talk to an inverter",
  },
  demo: {
    module: "./cli/demo.js",
    summary: "demo [--serve] [--day FILE] [--hours H]   one real day of the add-on in the digital twin",
  },
  run: { module: "./main.js", summary: "run   the add-on (reads /data/options.json)" },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  battery-planner ${c.summary}`);
  return ["usage:", ...lines].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`battery-planner: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  const mod = (await import(command.module)) as { run(args: string[]): Promise<number> };
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`battery-planner: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
