// Named registers of a profile on one device: where they are (fixed, or found by the SunSpec walk),
// how to turn words into engineering values (type, word order, scale, scale-factor register) and
// back. Only registers the profile declares can be touched, and only writable ones written.

import type { ModbusLink } from "./client.js";
import { decodeRaw, encodeRaw, isSunSpecNotImplemented, rawRange, wordCount } from "./codec.js";
import { ModbusProfileError, ModbusWriteRefusedError } from "./errors.js";
import type { ModbusProfile, RegisterSpec } from "./profile-schema.js";
import { discoverSunSpec, type SunSpecMap } from "./sunspec-discovery.js";

export interface ResolvedRegister {
  name: string;
  spec: RegisterSpec;
  unitId: number;
  address: number;
}

export class RegisterMap {
  private readonly sunspec = new Map<number, Promise<SunSpecMap>>();
  /** Scale factors do not change while a device runs; reading them once per connection is enough. */
  private readonly scaleFactors = new Map<string, number>();

  constructor(
    readonly profile: ModbusProfile,
    private readonly link: ModbusLink,
    readonly unitId: number,
  ) {}

  spec(name: string): RegisterSpec {
    const spec = this.profile.registers[name];
    if (!spec) throw new ModbusProfileError(`profile '${this.profile.name}' has no register '${name}'`);
    return spec;
  }

  async resolve(name: string): Promise<ResolvedRegister> {
    const spec = this.spec(name);
    const unitId = spec.unitId ?? this.unitId;
    if (spec.model === undefined) return { name, spec, unitId, address: spec.address };
    let discovery = this.sunspec.get(unitId);
    if (!discovery) {
      discovery = discoverSunSpec(this.link, unitId);
      this.sunspec.set(unitId, discovery);
      // A walk that failed on the wire (device still booting) is retried on the next call; a
      // device that answered but has no SunSpec map keeps that answer.
      discovery.catch((error: unknown) => {
        if (!(error instanceof ModbusProfileError)) this.sunspec.delete(unitId);
      });
    }
    const start = (await discovery).models.get(spec.model);
    if (start === undefined) {
      throw new ModbusProfileError(
        `SunSpec model ${spec.model} (register '${name}') not found on unit ${unitId}`,
      );
    }
    return { name, spec, unitId, address: start + spec.address };
  }

  async readRaw(name: string): Promise<number | undefined> {
    const reg = await this.resolve(name);
    const words = await this.link.readRegisters(
      reg.unitId,
      reg.spec.table,
      reg.address,
      wordCount(reg.spec.type),
    );
    const raw = decodeRaw(words, reg.spec.type, reg.spec.wordOrder);
    if (this.profile.sunspec && isSunSpecNotImplemented(raw, reg.spec.type)) return undefined;
    return raw;
  }

  /** engineering = raw × scale × 10^sf. */
  async scaleOf(name: string): Promise<number> {
    const spec = this.spec(name);
    if (spec.scaleFactor === undefined) return spec.scale;
    let sf = this.scaleFactors.get(spec.scaleFactor);
    if (sf === undefined) {
      const raw = await this.readRaw(spec.scaleFactor);
      // SunSpec allows -10..10; anything else is a device or profile fault, not a huge number.
      if (raw === undefined || raw < -10 || raw > 10) {
        throw new ModbusProfileError(`scale factor '${spec.scaleFactor}' reads ${raw ?? "not implemented"}`);
      }
      sf = raw;
      this.scaleFactors.set(spec.scaleFactor, sf);
    }
    return spec.scale * 10 ** sf;
  }

  async readValue(name: string): Promise<number | undefined> {
    const raw = await this.readRaw(name);
    if (raw === undefined) return undefined;
    return roundClean(raw * (await this.scaleOf(name)));
  }

  /** Engineering → raw, clamped to the register's bounds and its type's range. */
  async toRaw(name: string, value: number): Promise<number> {
    const spec = this.spec(name);
    const bounded = Math.min(
      spec.max ?? Number.POSITIVE_INFINITY,
      Math.max(spec.min ?? Number.NEGATIVE_INFINITY, value),
    );
    const [lo, hi] = rawRange(spec.type);
    return Math.min(hi, Math.max(lo, Math.round(bounded / (await this.scaleOf(name)))));
  }

  async toValue(name: string, raw: number): Promise<number> {
    return roundClean(raw * (await this.scaleOf(name)));
  }

  async writeRaw(name: string, raw: number): Promise<ResolvedRegister> {
    const reg = await this.resolve(name);
    if (!reg.spec.writable) {
      throw new ModbusWriteRefusedError(
        `register '${name}' is not writable in profile '${this.profile.name}'`,
      );
    }
    const [lo, hi] = rawRange(reg.spec.type);
    if (!Number.isInteger(raw) || raw < lo || raw > hi) {
      throw new ModbusWriteRefusedError(`value ${raw} out of range for '${name}' (${reg.spec.type})`);
    }
    await this.link.writeRegisters(
      reg.unitId,
      reg.address,
      encodeRaw(raw, reg.spec.type, reg.spec.wordOrder),
    );
    return reg;
  }
}

/** Writes contiguous registers in one request, for devices that act on a block as a whole. */
export async function writeBlock(
  map: RegisterMap,
  link: ModbusLink,
  entries: readonly { register: string; raw: number }[],
): Promise<ResolvedRegister[]> {
  const resolved: ResolvedRegister[] = [];
  const words: number[] = [];
  for (const { register, raw } of entries) {
    const reg = await map.resolve(register);
    const previous = resolved.at(-1);
    if (!reg.spec.writable) throw new ModbusWriteRefusedError(`register '${register}' is not writable`);
    if (
      previous &&
      (reg.unitId !== previous.unitId || reg.address !== previous.address + wordCount(previous.spec.type))
    ) {
      throw new ModbusProfileError(`block register '${register}' does not follow '${previous.name}'`);
    }
    const [lo, hi] = rawRange(reg.spec.type);
    if (!Number.isInteger(raw) || raw < lo || raw > hi) {
      throw new ModbusWriteRefusedError(`value ${raw} out of range for '${register}' (${reg.spec.type})`);
    }
    resolved.push(reg);
    words.push(...encodeRaw(raw, reg.spec.type, reg.spec.wordOrder));
  }
  const first = resolved[0];
  if (first) await link.writeRegisters(first.unitId, first.address, words);
  return resolved;
}

/** 0.1 × 3 = 0.30000000000000004 is not a value anyone wrote. */
function roundClean(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
