// Typed failures of the Modbus adapter. Each carries what a user needs to act on it: the device,
// the register, the Modbus exception code. `retryable` says whether trying again later can help.
import { type BatteryPlannerErrorOptions, ControlError } from "../../errors.js";

/** The device could not be reached, dropped the connection or did not answer in time. */
export class ModbusConnectionError extends ControlError {
  override name = "ModbusConnectionError";
  constructor(message: string, options: BatteryPlannerErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}

const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "server device failure",
  5: "acknowledge",
  6: "server device busy",
  10: "gateway path unavailable",
  11: "gateway target failed to respond",
};

/** The device answered with a Modbus exception (it understood the request and refused it). */
export class ModbusExceptionError extends ControlError {
  override name = "ModbusExceptionError";
  constructor(
    readonly exceptionCode: number,
    readonly request: string,
    options: BatteryPlannerErrorOptions = {},
  ) {
    // Busy/acknowledge/gateway codes are transient; the others mean the profile does not fit.
    super(`${request}: Modbus exception ${exceptionCode} (${EXCEPTION_NAMES[exceptionCode] ?? "unknown"})`, {
      retryable: [5, 6, 10, 11].includes(exceptionCode),
      ...options,
    });
  }
}

export interface RegisterMismatch {
  register: string;
  address: number;
  unitId: number;
  wanted: number;
  readBack: number | undefined;
}

/** The device acknowledged a write but kept (or went back to) another value. */
export class ModbusWriteNotAppliedError extends ControlError {
  override name = "ModbusWriteNotAppliedError";
  /** The same, as the Controller port reports it (for the status sensor and the journal). */
  readonly report: { written: string[]; verified: false; mismatches: string[] };
  constructor(
    readonly mismatches: RegisterMismatch[],
    readonly written: string[],
  ) {
    const first = mismatches[0];
    const detail = mismatches
      .map(
        (m) =>
          `'${m.register}' (unit ${m.unitId}, address ${m.address}): wrote ${m.wanted}, read back ${m.readBack ?? "nothing"}`,
      )
      .join("; ");
    super(`register ${first ? `'${first.register}'` : "?"} did not stick after retries: ${detail}`, {
      retryable: true,
    });
    this.report = {
      written,
      verified: false,
      mismatches: mismatches.map(
        (m) => `${m.register}: wrote ${m.wanted}, read back ${m.readBack ?? "nothing"}`,
      ),
    };
  }
}

/** A profile's data is invalid, or the device does not have what the profile needs. */
export class ModbusProfileError extends ControlError {
  override name = "ModbusProfileError";
}

/** A write to a register the profile does not declare writable was refused before it left us. */
export class ModbusWriteRefusedError extends ControlError {
  override name = "ModbusWriteRefusedError";
}

/** A write given up because self-use was asked for after it (stop, control switched off). */
export class ModbusSupersededError extends ControlError {
  override name = "ModbusSupersededError";
  constructor() {
    super("superseded by restoring self-use", { retryable: false });
  }
}
