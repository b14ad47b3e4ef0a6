// SunSpec devices announce themselves with "SunS" (0x5375 0x6E53) at one of three base addresses,
// followed by a chain of models (id, length, data…) that ends with id 0xFFFF. Where each model
// starts differs by vendor and firmware, so addresses are found by walking the chain, never assumed.
import type { ModbusLink } from "./client.js";
import { ModbusExceptionError, ModbusProfileError } from "./errors.js";

export const SUNSPEC_BASES = [40000, 0, 50000] as const;
const MARKER = [0x5375, 0x6e53];
const END = 0xffff;
const MAX_MODELS = 64;

export interface SunSpecMap {
  base: number;
  /** Model id → protocol address of its first data register (after id and length). */
  models: Map<number, number>;
}

export async function discoverSunSpec(link: ModbusLink, unitId: number): Promise<SunSpecMap> {
  for (const base of SUNSPEC_BASES) {
    let marker: number[];
    try {
      marker = await link.readRegisters(unitId, "holding", base, 2);
    } catch (error) {
      // A device without registers at this base answers "illegal data address": try the next.
      if (error instanceof ModbusExceptionError) continue;
      throw error;
    }
    if (marker[0] !== MARKER[0] || marker[1] !== MARKER[1]) continue;
    const models = new Map<number, number>();
    let address = base + 2;
    for (let i = 0; i < MAX_MODELS && address < 0xffff; i += 1) {
      const [id = END, length = 0] = await link.readRegisters(unitId, "holding", address, 2);
      if (id === END) break;
      // The first instance wins: a second model 160 (another MPPT block) is not what the profile means.
      if (!models.has(id)) models.set(id, address + 2);
      address += 2 + length;
    }
    return { base, models };
  }
  throw new ModbusProfileError(
    `no SunSpec marker 'SunS' at ${SUNSPEC_BASES.join(", ")} on unit ${unitId}: not a SunSpec device, or the wrong unit id`,
  );
}
