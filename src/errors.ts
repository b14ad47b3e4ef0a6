// One base class for everything we raise on purpose. Subclasses carry what is needed to act:
// the option, the entity, the register. `retryable` tells callers whether trying again can help.

export interface BatteryPlannerErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

export class BatteryPlannerError extends Error {
  override name = "BatteryPlannerError";
  readonly retryable: boolean;

  constructor(message: string, options: BatteryPlannerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** A configuration option is missing or wrong. The message names the option and the fix. */
export class ConfigError extends BatteryPlannerError {
  override name = "ConfigError";
  constructor(
    readonly option: string,
    readonly problem: string,
    readonly fix: string,
    options: BatteryPlannerErrorOptions = {},
  ) {
    super(`option '${option}': ${problem}. ${fix}`, options);
  }
}

/** An input (scenario file, HA state, forecast) is missing or malformed. */
export class InputError extends BatteryPlannerError {
  override name = "InputError";
  constructor(
    readonly source: string,
    message: string,
    options: BatteryPlannerErrorOptions = {},
  ) {
    super(`${source}: ${message}`, options);
  }
}

/** The inverter (through HA or Modbus) did not do what it was told, or could not be read. */
export class ControlError extends BatteryPlannerError {
  override name = "ControlError";
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
