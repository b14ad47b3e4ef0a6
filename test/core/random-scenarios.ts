// Seeded random planning problems shaped to hit the awkward corners of the model: negative
// prices, export dearer than import, tiny and huge batteries, low export limits, PV surplus and a
// first slot already partly over. Deterministic per seed so a failure can be replayed.
import type { PlanProblem, SlotInput } from "../../src/core/types.js";

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomProblemOptions {
  /** Number of slots (default 12..48). */
  slots?: number;
  slotMinutes?: 5 | 15 | 30 | 60;
}

const START_MS = Date.UTC(2025, 5, 1, 0, 0);

export function randomProblem(seed: number, options: RandomProblemOptions = {}): PlanProblem {
  const rnd = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
  const slotMinutes = options.slotMinutes ?? pick([5, 15, 30, 60] as const);
  const n = options.slots ?? 12 + Math.floor(rnd() * 37);
  const h = slotMinutes / 60;
  const capacityKwh = pick([0.5, 2, 5, 9.5, 13.5, 20, 50]) * between(0.8, 1.2);
  const minSocKwh = capacityKwh * pick([0, 0.05, 0.1, 0.2]);
  const powerKw = Math.min(capacityKwh * between(0.2, 1.5), 12);
  const battery = {
    capacityKwh,
    minSocKwh,
    maxChargeKw: powerKw * between(0.7, 1),
    maxDischargeKw: powerKw * between(0.7, 1),
    chargeEfficiency: between(0.85, 1),
    dischargeEfficiency: between(0.85, 1),
    cycleCostPerKwh: pick([0, 0.01, 0.03, 0.06]),
  };
  const grid = { maxImportKw: between(6, 25), maxExportKw: pick([0, 0.5, 2, 3.68, 5, 10]) };
  const negativeChance = pick([0, 0.05, 0.2]);
  const exportMode = pick(["fixed", "fraction", "above"] as const);
  const fixedExport = between(0, 0.15);
  const pvPeakKw = pick([0, 1, 4, 8]) * between(0.5, 1.5);
  const firstFraction = rnd() < 0.4 ? between(0.1, 0.95) : 1;
  let price = between(0.05, 0.35);
  const slots: SlotInput[] = [];
  let startMs = START_MS;
  for (let t = 0; t < n; t++) {
    price = Math.max(-0.1, price + (rnd() - 0.5) * 0.12);
    let importPrice = price;
    if (rnd() < 0.05) importPrice = between(0.5, 3);
    if (rnd() < negativeChance) importPrice = between(-0.3, -0.01);
    const exportPrice =
      exportMode === "fixed"
        ? fixedExport
        : exportMode === "fraction"
          ? importPrice * between(0.3, 0.9)
          : importPrice + between(-0.05, 0.15);
    const fraction = t === 0 ? firstFraction : 1;
    const slotMs = slotMinutes * 60_000 * fraction;
    const hours = h * fraction;
    const dayFraction = ((t * slotMinutes) % 1440) / 1440;
    const sun = Math.max(0, Math.sin((dayFraction - 0.25) * 2 * Math.PI));
    const pvKwh = pvPeakKw * sun * between(0.3, 1) * hours;
    slots.push({
      startMs,
      endMs: startMs + slotMs,
      importPricePerKwh: round(importPrice),
      exportPricePerKwh: round(exportPrice),
      loadKwh: round(between(0.1, 4) * hours),
      pvKwh: round(pvKwh),
      pvP10Kwh: round(pvKwh * between(0.2, 0.9)),
    });
    startMs += slotMs;
  }
  return {
    slots,
    battery,
    grid,
    initialSocKwh: minSocKwh + (capacityKwh - minSocKwh) * rnd(),
    terminalValuePerKwh: pick([0, 0.05, 0.12, 0.3, -0.02]),
  };
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
