// The grid search can leave crumbs: a slot that tops the battery up by a watt-hour because the
// previous slot stopped a grid step short of full. Each crumb would be a mode change the inverter
// has to carry out for nothing, so it is moved into a neighbouring slot that already flows the
// same way, when that keeps every limit and costs (next to) nothing.
import { flowCost, maxChargeFrom, maxDischargeFrom, type SlotModel } from "./slot-model.js";

/** A flow below this share of the slot's power limit is a crumb. */
const CRUMB_SHARE = 0.02;
/** How far (in slots) to look for a neighbour that can take a crumb. */
const REACH = 12;
const EPS_KWH = 1e-9;

function flowFor(m: SlotModel, fromSoc: number, toSoc: number): number {
  const b = m.battery;
  return toSoc >= fromSoc
    ? (toSoc - fromSoc) / b.chargeEfficiency
    : (toSoc - fromSoc) * b.dischargeEfficiency;
}

function withinLimits(m: SlotModel, t: number, soc: number, x: number): boolean {
  return x <= maxChargeFrom(m, t, soc) + EPS_KWH && -x <= maxDischargeFrom(m, t, soc) + EPS_KWH;
}

function socInRange(m: SlotModel, soc: number): boolean {
  return soc >= m.battery.minSocKwh - EPS_KWH && soc <= m.battery.capacityKwh + EPS_KWH;
}

/**
 * Moves crumbs in place (flows and SOCs) while the total extra cost stays within budget.
 * Slots in `pinned` (forced or stability-restricted) are never changed.
 */
export function tidyCrumbs(
  m: SlotModel,
  flows: Float64Array,
  socs: Float64Array,
  pinned: ReadonlySet<number>,
  budget: number,
): void {
  let left = budget;
  for (let t = 0; t < m.n; t++) {
    const x = flows[t]!;
    const limit = CRUMB_SHARE * Math.max(m.maxChargeKwh[t]!, m.maxDischargeKwh[t]!);
    if (x === 0 || Math.abs(x) >= limit || pinned.has(t)) continue;
    const delta = socs[t + 1]! - socs[t]!;
    const spent =
      moveBack(m, flows, socs, pinned, t, delta, left) ?? moveForward(m, flows, socs, pinned, t, delta, left);
    if (spent !== undefined) left -= spent;
  }
}

/** Into an earlier slot: the SOCs in between rise by delta. Returns the extra cost, if moved. */
function moveBack(
  m: SlotModel,
  flows: Float64Array,
  socs: Float64Array,
  pinned: ReadonlySet<number>,
  t: number,
  delta: number,
  budget: number,
): number | undefined {
  const x = flows[t]!;
  for (let k = t - 1; k >= Math.max(0, t - REACH); k--) {
    if (!socInRange(m, socs[k + 1]! + delta)) return undefined;
    const xk = flows[k]!;
    if (pinned.has(k) || xk * x <= 0) continue;
    const moved = flowFor(m, socs[k]!, socs[k + 1]! + delta);
    if (moved * x <= 0 || !withinLimits(m, k, socs[k]!, moved)) continue;
    const extra = flowCost(m, k, moved) + flowCost(m, t, 0) - flowCost(m, k, xk) - flowCost(m, t, x);
    if (extra > budget) return undefined;
    flows[k] = moved;
    flows[t] = 0;
    for (let j = k + 1; j <= t; j++) socs[j] = socs[j]! + delta;
    return extra;
  }
  return undefined;
}

/** Into a later slot: the SOCs in between fall by delta. Returns the extra cost, if moved. */
function moveForward(
  m: SlotModel,
  flows: Float64Array,
  socs: Float64Array,
  pinned: ReadonlySet<number>,
  t: number,
  delta: number,
  budget: number,
): number | undefined {
  const x = flows[t]!;
  for (let k = t + 1; k < Math.min(m.n, t + 1 + REACH); k++) {
    if (!socInRange(m, socs[k]! - delta)) return undefined;
    const xk = flows[k]!;
    if (pinned.has(k) || xk * x <= 0) continue;
    const moved = flowFor(m, socs[k]! - delta, socs[k + 1]!);
    if (moved * x <= 0 || !withinLimits(m, k, socs[k]! - delta, moved)) continue;
    const extra = flowCost(m, k, moved) + flowCost(m, t, 0) - flowCost(m, k, xk) - flowCost(m, t, x);
    if (extra > budget) return undefined;
    flows[k] = moved;
    flows[t] = 0;
    for (let j = t + 1; j <= k; j++) socs[j] = socs[j]! - delta;
    return extra;
  }
  return undefined;
}
