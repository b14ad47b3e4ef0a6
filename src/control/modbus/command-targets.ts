// Command → the engineering values a profile writes, clamped to the battery's and the grid's limits.
// Pure: the device-dependent part (dividing by WChaMax, scaling to raw) happens in the controller.
import type { Command } from "../../core/types.js";
import type { ModbusProfile } from "./profile-schema.js";

export interface ControlLimits {
  maxChargeW: number;
  maxDischargeW: number;
  /** Grid limits; they bound the power of profiles whose power is grid power (Victron). */
  maxImportW?: number;
  maxExportW?: number;
  /** The reserve: exports never go below it and self-use restores it. */
  reservePct: number;
}

export interface TargetValue {
  register: string;
  /** Engineering value, to be divided by `per`'s value when set. */
  value?: number;
  per?: string;
  /** A live reading to subtract from `value`. */
  minusRead?: "pvPowerW" | "batteryPowerW" | "gridPowerW";
  /** A raw code written as is. */
  raw?: number;
}

export interface CommandTargets {
  /** The command after clamping: what the device is actually asked to do. */
  command: Required<Command>;
  targets: TargetValue[];
}

const clamp = (value: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, value));

export function effectiveCommand(
  profile: ModbusProfile,
  command: Command,
  limits: ControlLimits,
): Required<Command> {
  const reservePct = clamp(limits.reservePct, 0, 100);
  const grid = profile.powerMeaning === "grid";
  switch (command.mode) {
    case "charge": {
      let limit = limits.maxChargeW;
      if (grid && limits.maxImportW !== undefined) limit = Math.min(limit, limits.maxImportW);
      const powerW = Math.round(clamp(Math.abs(command.powerW ?? limit), 0, limit));
      return { mode: "charge", powerW, targetSocPct: clamp(command.targetSocPct ?? 100, reservePct, 100) };
    }
    case "export": {
      let limit = limits.maxDischargeW;
      if (grid && limits.maxExportW !== undefined) limit = Math.min(limit, limits.maxExportW);
      const powerW = Math.round(clamp(Math.abs(command.powerW ?? limit), 0, limit));
      return {
        mode: "export",
        powerW,
        targetSocPct: clamp(command.targetSocPct ?? reservePct, reservePct, 100),
      };
    }
    case "hold":
      // Hold's target is how far PV surplus may fill the battery (the planner's cap).
      return { mode: "hold", powerW: 0, targetSocPct: clamp(command.targetSocPct ?? 100, reservePct, 100) };
    default:
      return { mode: command.mode, powerW: 0, targetSocPct: reservePct };
  }
}

export function commandTargets(
  profile: ModbusProfile,
  command: Command,
  limits: ControlLimits,
): CommandTargets {
  const effective = effectiveCommand(profile, command, limits);
  const sources = {
    powerW: effective.powerW,
    targetSocPct: effective.targetSocPct,
    reservePct: clamp(limits.reservePct, 0, 100),
    maxChargeW: limits.maxChargeW,
    maxDischargeW: limits.maxDischargeW,
  };
  const targets = profile.modes[effective.mode].writes.map((write): TargetValue => {
    const v = write.value;
    if ("raw" in v) return { register: write.register, raw: v.raw };
    if ("const" in v) return { register: write.register, value: v.const };
    const target: TargetValue = { register: write.register, value: sources[v.from] * v.factor };
    if (v.per !== undefined) target.per = v.per;
    if (v.minusRead !== undefined) target.minusRead = v.minusRead;
    return target;
  });
  return { command: effective, targets };
}
