// Stored plans for publisher tests: a day-and-a-bit of slots with changing modes and prices.
import type { Mode, PlanSlot } from "../../../src/core/types.js";
import type { StoredPlan } from "../../../src/runtime/ports.js";

export interface FixtureOptions {
  startMs: number;
  slotMinutes: number;
  count: number;
  /** Mode of slot i; default: a pattern with charge at night, export in the evening. */
  modeOf?: (i: number, startMs: number) => Mode;
  planVersion?: number;
  computedAtMs?: number;
}

const defaultMode = (_i: number, startMs: number): Mode => {
  const hour = new Date(startMs).getUTCHours();
  if (hour >= 1 && hour < 4) return "charge";
  if (hour >= 17 && hour < 19) return "export";
  if (hour >= 4 && hour < 6) return "hold";
  return "self-use";
};

export function makeStoredPlan(options: FixtureOptions): StoredPlan {
  const slotMs = options.slotMinutes * 60_000;
  const capacityKwh = 10;
  const modeOf = options.modeOf ?? defaultMode;
  const slots: PlanSlot[] = [];
  let soc = 5;
  for (let i = 0; i < options.count; i++) {
    const startMs = options.startMs + i * slotMs;
    const mode = modeOf(i, startMs);
    const hours = options.slotMinutes / 60;
    const delta =
      mode === "charge" ? 3 * hours : mode === "export" ? -3 * hours : mode === "self-use" ? -0.3 * hours : 0;
    soc = Math.min(capacityKwh, Math.max(1, soc + delta));
    slots.push({
      startMs,
      endMs: startMs + slotMs,
      mode,
      targetSocKwh: mode === "charge" ? 9 : mode === "export" ? 2 : soc,
      powerW: mode === "charge" ? 3000 : mode === "export" ? -3000 : 0,
      chargeKwh: Math.max(0, delta),
      dischargeKwh: Math.max(0, -delta),
      importKwh: 0.2,
      exportKwh: 0,
      curtailedKwh: 0,
      socKwh: soc,
      cost: 0.01 * (i % 7),
      // Agile-like prices with a distinct value per slot so merging really averages.
      importPricePerKwh: 0.15 + 0.1 * Math.sin(i / 9) + (i % 3) * 0.0013,
      exportPricePerKwh: 0.05 + 0.03 * Math.cos(i / 11),
      loadKwh: 0.3,
      pvKwh: 0,
    });
  }
  return {
    planVersion: options.planVersion ?? 7,
    inputsReadAtMs: options.startMs,
    computedAtMs: options.computedAtMs ?? options.startMs,
    reason: "test",
    inputsFingerprint: "fp",
    capacityKwh,
    initialSocKwh: 5,
    plan: {
      slots,
      summary: { netCost: 1.23, idleCost: 2.5, saving: 1.27, modeChanges: 4, finalSocKwh: soc },
    },
  };
}
