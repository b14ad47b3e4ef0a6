// An independent re-simulation of a plan, written from docs/scenario-format.md's text and sharing
// no code with the planner: only the planned chargeKwh/dischargeKwh are trusted; the grid flows,
// the SOC and the cost are recomputed and the plan's own figures compared with them.
import type { PlanProblem } from "../src/core/types.js";

export interface PlanCheck {
  netCost: number;
  errors: string[];
}

const TOLERANCE_KWH = 1e-4;

interface Meter {
  importKwh: number;
  exportKwh: number;
  error?: string;
}

/**
 * The net meter of one slot. `import − export = load − pvUsed + c − d`, a slot imports or exports,
 * never both, and PV is curtailed only in a slot that exports: when exporting it would cost money
 * (negative export price) or exceed the export limit.
 */
export function meterSlot(
  slot: { loadKwh: number; pvKwh: number; exportPricePerKwh: number },
  chargeKwh: number,
  dischargeKwh: number,
  limits: { maxImportKwh: number; maxExportKwh: number },
): Meter {
  const demandKwh = slot.loadKwh - slot.pvKwh + chargeKwh - dischargeKwh;
  if (demandKwh >= 0) {
    return demandKwh > limits.maxImportKwh + TOLERANCE_KWH
      ? { importKwh: demandKwh, exportKwh: 0, error: "import over the grid limit" }
      : { importKwh: demandKwh, exportKwh: 0 };
  }
  const surplusKwh = -demandKwh;
  // What could be exported with all PV curtailed: only the battery's own discharge beyond the load.
  const floorKwh = Math.max(0, surplusKwh - slot.pvKwh);
  let exportKwh = slot.exportPricePerKwh < 0 ? floorKwh : Math.min(surplusKwh, limits.maxExportKwh);
  if (exportKwh < floorKwh) exportKwh = floorKwh;
  return exportKwh > limits.maxExportKwh + TOLERANCE_KWH
    ? { importKwh: 0, exportKwh, error: "export over the grid limit" }
    : { importKwh: 0, exportKwh };
}

export function checkPlan(
  problem: PlanProblem,
  plan: readonly {
    chargeKwh: number;
    dischargeKwh: number;
    socKwh?: number;
    importKwh?: number;
    exportKwh?: number;
  }[],
): PlanCheck {
  const { battery: b, grid: g, slots } = problem;
  const errors: string[] = [];
  if (plan.length !== slots.length)
    return { netCost: Number.NaN, errors: [`plan has ${plan.length} slots, problem ${slots.length}`] };
  let soc = problem.initialSocKwh;
  let total = 0;
  slots.forEach((s, t) => {
    const p = plan[t]!;
    const h = (s.endMs - s.startMs) / 3_600_000;
    const c = p.chargeKwh;
    const d = p.dischargeKwh;
    if (c < -1e-6 || d < -1e-6) errors.push(`slot ${t}: negative flow`);
    if (c > 1e-9 && d > 1e-9) errors.push(`slot ${t}: charges and discharges`);
    if (c > b.maxChargeKw * h + TOLERANCE_KWH || d > b.maxDischargeKw * h + TOLERANCE_KWH)
      errors.push(`slot ${t}: flow over power limit`);
    soc = soc + c * b.chargeEfficiency - d / b.dischargeEfficiency;
    if (soc < b.minSocKwh - 1e-3 || soc > b.capacityKwh + 1e-3)
      errors.push(`slot ${t}: soc ${soc.toFixed(4)} out of range`);
    const meter = meterSlot(s, c, d, { maxImportKwh: g.maxImportKw * h, maxExportKwh: g.maxExportKw * h });
    if (meter.error) errors.push(`slot ${t}: ${meter.error}`);
    total +=
      meter.importKwh * s.importPricePerKwh - meter.exportKwh * s.exportPricePerKwh + d * b.cycleCostPerKwh;
    if (p.socKwh !== undefined && Math.abs(p.socKwh - soc) > 1e-6)
      errors.push(`slot ${t}: plan soc ${p.socKwh} vs ${soc}`);
    if (p.importKwh !== undefined && Math.abs(p.importKwh - meter.importKwh) > 1e-6)
      errors.push(`slot ${t}: import differs`);
    if (p.exportKwh !== undefined && Math.abs(p.exportKwh - meter.exportKwh) > 1e-6)
      errors.push(`slot ${t}: export differs`);
  });
  total -= problem.terminalValuePerKwh * (soc - problem.initialSocKwh);
  return { netCost: total, errors };
}

/** The battery left idle, settled the same way: the baseline every saving is measured from. */
export function idleNetCost(problem: PlanProblem): number {
  return checkPlan(
    problem,
    problem.slots.map(() => ({ chargeKwh: 0, dischargeKwh: 0 })),
  ).netCost;
}
