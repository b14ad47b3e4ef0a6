// Reading an inverter through its profile: SOC and power flows as InverterState, and which of the
// planner's modes the device is in, recognised by each mode's `match` signature.
import type { InverterState, Mode } from "../../core/types.js";
import { errorMessage } from "../../errors.js";
import { createLogger } from "../../log.js";
import { ModbusProfileError } from "./errors.js";
import type { ModbusProfile, ReadSpec } from "./profile-schema.js";
import type { RegisterMap } from "./register-map.js";

const log = createLogger("modbus");
// The forced modes have the more specific signatures, so they are tried first.
const DECODE_ORDER: readonly Mode[] = ["charge", "export", "hold", "self-use"];

/** The sum a read describes; undefined when none of its registers holds a value. */
export async function readSum(map: RegisterMap, spec: ReadSpec): Promise<number | undefined> {
  let total = 0;
  let found = false;
  const add = async (name: string, sign: number) => {
    const value = await map.readValue(name);
    if (value === undefined) return;
    found = true;
    total += sign * value;
  };
  for (const name of spec.add) await add(name, 1);
  for (const name of spec.subtract) await add(name, -1);
  if (!found) return undefined;
  if (spec.negateWhen && ((await map.readRaw(spec.negateWhen.register)) ?? 0) & spec.negateWhen.mask) {
    total = -total;
  }
  return Math.round(total * spec.factor * 1000) / 1000;
}

async function optionalRead(map: RegisterMap, spec: ReadSpec | undefined, what: string) {
  if (!spec) return undefined;
  try {
    return await readSum(map, spec);
  } catch (error) {
    // A missing meter must not hide the SOC; say so and go on.
    log.debug(`${map.profile.name}: ${what} unavailable: ${errorMessage(error)}`);
    return undefined;
  }
}

export async function decodeMode(
  map: RegisterMap,
  profile: ModbusProfile,
): Promise<{ mode: Mode; powerW?: number; targetSocPct?: number } | "unrecognised" | undefined> {
  for (const mode of DECODE_ORDER) {
    const spec = profile.modes[mode];
    let matches = true;
    for (const m of spec.match) {
      const value = await map.readValue(m.register);
      if (value === undefined) return undefined;
      if (m.equals !== undefined && Math.abs(value - m.equals) > 1e-6) matches = false;
      if (m.above !== undefined && !(value > m.above)) matches = false;
      if (m.below !== undefined && !(value < m.below)) matches = false;
      if (!matches) break;
    }
    if (!matches) continue;
    const decoded: { mode: Mode; powerW?: number; targetSocPct?: number } = { mode };
    // Where a mode writes its stop point to a register of its own, that register tells it back.
    const target = spec.writes.find((w) => "from" in w.value && w.value.from === "targetSocPct");
    if (target && (mode === "charge" || mode === "export")) {
      const value = await map.readValue(target.register);
      if (value !== undefined) decoded.targetSocPct = value;
    }
    const write = spec.writes.find((w) => w.register === spec.powerRegister);
    if (!write || !("from" in write.value)) return decoded;
    const value = await map.readValue(write.register);
    if (value === undefined) return decoded;
    const per = write.value.per === undefined ? 1 : ((await map.readValue(write.value.per)) ?? 0);
    decoded.powerW = Math.round((value / write.value.factor) * per);
    return decoded;
  }
  // Every register read, and no mode's signature fits: a mixed state, not an unreadable one.
  return "unrecognised";
}

export async function readInverterState(map: RegisterMap, profile: ModbusProfile): Promise<InverterState> {
  const socPct = await readSum(map, profile.reads.socPct);
  if (socPct === undefined) {
    throw new ModbusProfileError(`${profile.name}: the SOC register holds no value (not implemented)`);
  }
  const state: InverterState = { socPct };
  const batteryPowerW = await optionalRead(map, profile.reads.batteryPowerW, "battery power");
  const pvPowerW = await optionalRead(map, profile.reads.pvPowerW, "PV power");
  const gridPowerW = await optionalRead(map, profile.reads.gridPowerW, "grid power");
  if (batteryPowerW !== undefined) state.batteryPowerW = batteryPowerW;
  if (pvPowerW !== undefined) state.pvPowerW = pvPowerW;
  if (gridPowerW !== undefined) state.gridPowerW = gridPowerW;
  const decoded = await decodeMode(map, profile).catch(() => undefined);
  if (decoded === "unrecognised") state.modeUnrecognised = true;
  else if (decoded) {
    state.mode = decoded.mode;
    if (decoded.powerW !== undefined) state.powerW = decoded.powerW;
    if (decoded.targetSocPct !== undefined) state.targetSocPct = decoded.targetSocPct;
  }
  return state;
}

/** Every register of the profile in engineering units; null where it cannot be read. */
export async function readAllRegisters(
  map: RegisterMap,
  profile: ModbusProfile,
): Promise<Record<string, number | null>> {
  const values: Record<string, number | null> = {};
  for (const name of Object.keys(profile.registers)) {
    try {
      values[name] = (await map.readValue(name)) ?? null;
    } catch (error) {
      log.debug(`${profile.name}: ${name}: ${errorMessage(error)}`);
      values[name] = null;
    }
  }
  return values;
}
