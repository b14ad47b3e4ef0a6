// battery-planner modbus read|apply|profiles: talk to an inverter directly, for setting up a
// profile and for checking what the add-on would write. Output on stdout is JSON; problems go to
// stderr as one line. Exit codes: 0 ok, 1 the device failed or refused, 2 bad arguments.
import { z } from "zod";
import { createModbusController } from "../control/modbus/controller.js";
import { listModbusProfiles } from "../control/modbus/profiles.js";
import { MODES } from "../core/types.js";
import { BatteryPlannerError, ConfigError, errorMessage } from "../errors.js";
import { setLogLevel } from "../log.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const USAGE =
  "usage: battery-planner modbus read|apply|profiles --host H --port P --profile NAME [--unit N] " +
  "[--mode MODE --power-w W --target-soc PCT]";

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `--${name} must be a number` })
    .int(`--${name} must be a whole number`)
    .min(min, `--${name} must be at least ${min}`)
    .max(max, `--${name} must be at most ${max}`);

const argsSchema = z
  .object({
    host: z.string().min(1).optional(),
    "serial-port": z.string().min(1).optional(),
    "baud-rate": int("baud-rate", 1200, 921_600).default(9600),
    port: int("port", 1, 65535).default(502),
    profile: z.string({ error: "--profile is required (see 'battery-planner modbus profiles')" }),
    unit: int("unit", 0, 255).optional(),
    mode: z
      .enum(MODES as [string, ...string[]], { error: `--mode must be one of ${MODES.join(", ")}` })
      .optional(),
    "power-w": int("power-w", 0, 100_000).optional(),
    "target-soc": int("target-soc", 0, 100).optional(),
    "timeout-ms": int("timeout-ms", 100, 60_000).default(3000),
    "gap-ms": int("gap-ms", 0, 10_000).default(50),
    "settle-ms": int("settle-ms", 0, 60_000).default(1000),
    "connect-delay-ms": int("connect-delay-ms", 0, 10_000).optional(),
    "max-charge-w": int("max-charge-w", 1, 100_000).default(5000),
    "max-discharge-w": int("max-discharge-w", 1, 100_000).default(5000),
    "max-import-w": int("max-import-w", 1, 1_000_000).optional(),
    "max-export-w": int("max-export-w", 0, 1_000_000).optional(),
    "reserve-pct": int("reserve-pct", 0, 100).default(10),
  })
  .strict()
  .refine((a) => a.host !== undefined || a["serial-port"] !== undefined, {
    message: "--host (or --serial-port) is required",
  });

type Args = z.infer<typeof argsSchema>;

function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i] ?? "";
    if (!key.startsWith("--")) throw new Error(`unexpected argument '${key}'`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new Error(`${key} needs a value`);
    flags[key.slice(2)] = value;
    i += 1;
  }
  return flags;
}

function parseArgs(argv: string[]): Args {
  const result = argsSchema.safeParse(parseFlags(argv));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === "unrecognized_keys") throw new Error(`unknown option --${issue.keys[0]}`);
  throw new Error(issue?.message ?? "invalid arguments");
}

function controllerFor(args: Args) {
  return createModbusController({
    profile: args.profile,
    host: args.host,
    port: args.port,
    serial_port: args["serial-port"],
    baud_rate: args["baud-rate"],
    unit_id: args.unit,
    timeout_ms: args["timeout-ms"],
    gap_ms: args["gap-ms"],
    settle_ms: args["settle-ms"],
    ...(args["connect-delay-ms"] === undefined ? {} : { connect_delay_ms: args["connect-delay-ms"] }),
    limits: {
      maxChargeW: args["max-charge-w"],
      maxDischargeW: args["max-discharge-w"],
      reservePct: args["reserve-pct"],
      ...(args["max-import-w"] === undefined ? {} : { maxImportW: args["max-import-w"] }),
      ...(args["max-export-w"] === undefined ? {} : { maxExportW: args["max-export-w"] }),
    },
  });
}

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  // stdout carries the JSON and stderr the one-line verdict; progress lines only when asked for.
  if (process.env.LOG_LEVEL === undefined) setLogLevel("warning");
  const [action, ...rest] = argv;
  if (action === "profiles") {
    io.out(`${JSON.stringify(listModbusProfiles(), null, 2)}\n`);
    return 0;
  }
  if (action !== "read" && action !== "apply") {
    io.err(`battery-planner modbus: ${action ? `unknown action '${action}'` : "missing action"}; ${USAGE}\n`);
    return 2;
  }
  let args: Args;
  try {
    args = parseArgs(rest);
    if (action === "apply" && args.mode === undefined) throw new Error("--mode is required for apply");
  } catch (error) {
    io.err(`battery-planner modbus: ${errorMessage(error)}\n`);
    return 2;
  }
  let controller: ReturnType<typeof createModbusController>;
  try {
    controller = controllerFor(args);
  } catch (error) {
    io.err(`battery-planner modbus: ${errorMessage(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  const device = {
    profile: args.profile,
    host: args.host ?? args["serial-port"],
    port: args.port,
    unitId: controller.unitId,
  };
  try {
    if (action === "read") {
      const state = await controller.readState();
      const registers = await controller.readRegisters();
      io.out(`${JSON.stringify({ ...device, state, registers }, null, 2)}\n`);
      return 0;
    }
    const command = {
      mode: args.mode as (typeof MODES)[number],
      ...(args["power-w"] === undefined ? {} : { powerW: args["power-w"] }),
      ...(args["target-soc"] === undefined ? {} : { targetSocPct: args["target-soc"] }),
    };
    const report = await controller.apply(command);
    io.out(`${JSON.stringify({ ...device, ...report }, null, 2)}\n`);
    return 0;
  } catch (error) {
    io.err(`battery-planner modbus: ${errorMessage(error)}\n`);
    if (!(error instanceof BatteryPlannerError)) io.err(`${String((error as Error).stack ?? "")}\n`);
    return 1;
  } finally {
    await controller.close();
  }
}
