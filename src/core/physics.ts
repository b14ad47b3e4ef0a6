// The physics and cost of one slot, exactly as docs/scenario-format.md defines them: the meter is net
// (a slot imports or exports, never both) and PV is curtailed only where exporting it would cost
// money or exceed the export limit. Everything else (optimiser, modes, simulator) builds on this.
import type { GridSpec, PlanProblem, SlotInput } from "./types.js";

/** What the settlement needs to know about a slot. */
export interface SettleSlot {
  loadKwh: number;
  pvKwh: number;
  exportPricePerKwh: number;
}

export interface SlotFlows {
  importKwh: number;
  exportKwh: number;
  curtailedKwh: number;
  /** Set when the slot breaks a grid limit (the flows are still returned). */
  error?: string;
}

/** Tolerance on grid limits, as the reference checker uses. */
const LIMIT_TOLERANCE_KWH = 1e-3;

export function slotHours(slot: { startMs: number; endMs: number }): number {
  return (slot.endMs - slot.startMs) / 3_600_000;
}

/** Grid flows of one slot given the battery's AC flows. */
export function settleSlot(
  slot: SettleSlot,
  chargeKwh: number,
  dischargeKwh: number,
  grid: GridSpec,
  hours: number,
): SlotFlows {
  const net = slot.loadKwh - slot.pvKwh + chargeKwh - dischargeKwh;
  if (net >= 0) {
    const limit = grid.maxImportKw * hours;
    if (net > limit + LIMIT_TOLERANCE_KWH) {
      return { importKwh: net, exportKwh: 0, curtailedKwh: 0, error: `import ${net.toFixed(3)} over limit` };
    }
    return { importKwh: net, exportKwh: 0, curtailedKwh: 0 };
  }
  const surplus = -net;
  const minExport = Math.max(0, surplus - slot.pvKwh);
  const maxExport = Math.min(surplus, grid.maxExportKw * hours);
  const exportKwh = slot.exportPricePerKwh >= 0 ? maxExport : minExport;
  const flows: SlotFlows = { importKwh: 0, exportKwh, curtailedKwh: surplus - exportKwh };
  if (minExport > grid.maxExportKw * hours + LIMIT_TOLERANCE_KWH) {
    flows.error = `export ${minExport.toFixed(3)} over limit`;
  }
  return flows;
}

/** Import cost − export revenue + wear, for one slot. */
export function slotCost(
  slot: SettleSlot & { importPricePerKwh: number },
  flows: { importKwh: number; exportKwh: number },
  dischargeKwh: number,
  cycleCostPerKwh: number,
): number {
  return (
    flows.importKwh * slot.importPricePerKwh -
    flows.exportKwh * slot.exportPricePerKwh +
    dischargeKwh * cycleCostPerKwh
  );
}

/** Cost of one slot with the battery idle. */
export function idleSlotCost(slot: SlotInput, grid: GridSpec): number {
  const flows = settleSlot(slot, 0, 0, grid, slotHours(slot));
  return slotCost(slot, flows, 0, 0);
}

/** The horizon's cost with the battery left idle: the "do nothing" baseline. */
export function idleCost(problem: Pick<PlanProblem, "slots" | "grid">): number {
  let total = 0;
  for (const slot of problem.slots) total += idleSlotCost(slot, problem.grid);
  return total;
}
