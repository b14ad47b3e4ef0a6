// An independent re-simulation of a plan, as the reference checker does it: only the planned
// chargeKwh/dischargeKwh are trusted; everything else is recomputed and compared.
import { settleSlot, slotHours } from "../src/core/physics.js";
import type { PlanProblem } from "../src/core/types.js";

export interface PlanCheck {
  netCost: number;
  errors: string[];
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
    const h = slotHours(s);
    const c = p.chargeKwh;
    const d = p.dischargeKwh;
    if (c < -1e-6 || d < -1e-6) errors.push(`slot ${t}: negative flow`);
    if (c > 1e-9 && d > 1e-9) errors.push(`slot ${t}: charges and discharges`);
    if (c > b.maxChargeKw * h + 1e-4 || d > b.maxDischargeKw * h + 1e-4)
      errors.push(`slot ${t}: flow over power limit`);
    soc = soc + c * b.chargeEfficiency - d / b.dischargeEfficiency;
    if (soc < b.minSocKwh - 1e-3 || soc > b.capacityKwh + 1e-3)
      errors.push(`slot ${t}: soc ${soc.toFixed(4)} out of range`);
    const flows = settleSlot(s, c, d, g, h);
    if (flows.error) errors.push(`slot ${t}: ${flows.error}`);
    total +=
      flows.importKwh * s.importPricePerKwh - flows.exportKwh * s.exportPricePerKwh + d * b.cycleCostPerKwh;
    if (p.socKwh !== undefined && Math.abs(p.socKwh - soc) > 1e-6)
      errors.push(`slot ${t}: plan soc ${p.socKwh} vs ${soc}`);
    if (p.importKwh !== undefined && Math.abs(p.importKwh - flows.importKwh) > 1e-6)
      errors.push(`slot ${t}: import differs`);
    if (p.exportKwh !== undefined && Math.abs(p.exportKwh - flows.exportKwh) > 1e-6)
      errors.push(`slot ${t}: export differs`);
  });
  total -= problem.terminalValuePerKwh * (soc - problem.initialSocKwh);
  return { netCost: total, errors };
}
