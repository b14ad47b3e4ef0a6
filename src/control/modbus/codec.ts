// Register words ↔ integers. Modbus carries 16-bit words; 32-bit values span two words whose order
// differs by vendor (SunSpec, Huawei, Victron: high word first; Sungrow, SolaX: low word first).

export type RegisterType = "u16" | "s16" | "u32" | "s32";
export type WordOrder = "high-first" | "low-first";

export function wordCount(type: RegisterType): 1 | 2 {
  return type === "u16" || type === "s16" ? 1 : 2;
}

const RANGES: Record<RegisterType, [number, number]> = {
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  s32: [-0x80000000, 0x7fffffff],
};

export function rawRange(type: RegisterType): [number, number] {
  return RANGES[type];
}

/** Integer → words. The caller clamps to `rawRange` first; out-of-range values wrap. */
export function encodeRaw(raw: number, type: RegisterType, order: WordOrder): number[] {
  if (wordCount(type) === 1) return [raw & 0xffff];
  const unsigned = raw < 0 ? raw + 0x100000000 : raw;
  const high = Math.floor(unsigned / 0x10000) & 0xffff;
  const low = unsigned & 0xffff;
  return order === "high-first" ? [high, low] : [low, high];
}

export function decodeRaw(words: readonly number[], type: RegisterType, order: WordOrder): number {
  if (wordCount(type) === 1) {
    const word = (words[0] ?? 0) & 0xffff;
    return type === "s16" && word >= 0x8000 ? word - 0x10000 : word;
  }
  const [first = 0, second = 0] = words;
  const [high, low] = order === "high-first" ? [first, second] : [second, first];
  const unsigned = (high & 0xffff) * 0x10000 + (low & 0xffff);
  return type === "s32" && unsigned >= 0x80000000 ? unsigned - 0x100000000 : unsigned;
}

/** SunSpec's "not implemented" markers: a register that holds one has no value. */
export function isSunSpecNotImplemented(raw: number, type: RegisterType): boolean {
  switch (type) {
    case "u16":
      return raw === 0xffff;
    case "s16":
      return raw === -0x8000;
    case "u32":
      return raw === 0xffffffff;
    case "s32":
      return raw === -0x80000000;
  }
}
