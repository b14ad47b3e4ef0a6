// Dynamic programme over the state of charge. The value function of slot t+1 is known on a grid of
// SOC points and linearly interpolated between them, so it is piecewise linear; the slot cost is
// piecewise linear in the flow too. The minimum of their sum over the feasible flows therefore
// lies either at a breakpoint of the slot cost (idle, net zero, export limit, PV fully curtailed,
// power/SOC limits) or at a flow that lands exactly on a grid point: those are the candidates.
import {
  flowCost,
  LIMIT_PENALTY_PER_KWH,
  maxChargeFrom,
  maxDischargeFrom,
  type SlotModel,
  socAfter,
} from "./slot-model.js";

/** A slot whose flows are constrained: a forced command, or a mode imposed by stability. */
export interface SlotRule {
  /** The flow is fully determined by the SOC at the slot start. */
  fixed?: (socKwh: number) => number;
  /** Only flows for which this holds are allowed. */
  allow?: (socKwh: number, flowKwh: number) => boolean;
}

/** SOC grids per slot boundary (0..n) and the value (cost to go) on each. */
export interface DpState {
  grids: Float64Array[];
  values: Float64Array[];
}

const EDGE_KWH = 1e-9;
const IDLE_KWH = 1e-9;

/** Value at soc on slot boundary t: linear interpolation, +∞ outside the grid. */
function valueAt(m: SlotModel, dp: DpState, t: number, soc: number, s0: number, terminal: number): number {
  if (t === m.n) return -terminal * (soc - s0);
  const g = dp.grids[t]!;
  const v = dp.values[t]!;
  const last = g.length - 1;
  if (soc <= g[0]!) return g[0]! - soc <= EDGE_KWH ? v[0]! : Number.POSITIVE_INFINITY;
  if (soc >= g[last]!) return soc - g[last]! <= EDGE_KWH ? v[last]! : Number.POSITIVE_INFINITY;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (g[mid]! <= soc) lo = mid;
    else hi = mid;
  }
  const a = g[lo]!;
  const w = (soc - a) / (g[hi]! - a);
  const va = v[lo]!;
  const vb = v[hi]!;
  if (w === 0) return va;
  return va + w * (vb - va);
}

/** Index of the first grid point ≥ x. */
function lowerBound(g: Float64Array, x: number): number {
  let lo = 0;
  let hi = g.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (g[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Flow chosen by the last call to bestFlow (a scratch slot instead of an allocation). */
export let chosenFlowKwh = 0;

/** Minimum over the candidate flows of slot cost + value after; sets chosenFlowKwh. */
export function bestFlow(
  m: SlotModel,
  dp: DpState,
  t: number,
  soc: number,
  s0: number,
  terminal: number,
  rule: SlotRule | undefined,
): number {
  const b = m.battery;
  if (rule?.fixed) {
    const x = rule.fixed(soc);
    chosenFlowKwh = x;
    return flowCost(m, t, x) + valueAt(m, dp, t + 1, socAfter(m, soc, x), s0, terminal);
  }
  const allow = rule?.allow;
  const xMax = maxChargeFrom(m, t, soc);
  const xMin = -maxDischargeFrom(m, t, soc);
  // The slot's constants, hoisted: flowCost inlined below is the hot path of the whole planner.
  const net = m.netLoadKwh[t]!;
  const pi = m.importPrice[t]!;
  const pe = m.exportPrice[t]!;
  const pv = m.pvKwh[t]!;
  const maxExport = m.maxExportKwh[t]!;
  const maxImport = m.maxImportKwh[t]!;
  const wear = b.cycleCostPerKwh;
  let best = Number.POSITIVE_INFINITY;
  let bestX = 0;
  if (t + 1 < m.n) {
    const g = dp.grids[t + 1]!;
    const v = dp.values[t + 1]!;
    const endHi = soc + xMax * b.chargeEfficiency;
    const ce = 1 / b.chargeEfficiency;
    const de = b.dischargeEfficiency;
    for (let j = lowerBound(g, soc + xMin / de); j < g.length; j++) {
      const end = g[j]!;
      if (end > endHi) break;
      const vj = v[j]!;
      if (vj === Number.POSITIVE_INFINITY) continue;
      let x = end >= soc ? (end - soc) * ce : (end - soc) * de;
      if (x > xMax) x = xMax;
      else if (x < xMin) x = xMin;
      if (allow && !allow(soc, x)) continue;
      const after = net + x;
      let cost = x < 0 ? -x * wear : 0;
      if (after >= 0) {
        cost += after * pi;
        if (after > maxImport) cost += (after - maxImport) * LIMIT_PENALTY_PER_KWH;
      } else {
        const surplus = -after;
        const forced = surplus - pv;
        if (pe >= 0) cost -= pe * Math.min(surplus, maxExport);
        else if (forced > 0) cost -= pe * forced;
        if (forced > maxExport) cost += (forced - maxExport) * LIMIT_PENALTY_PER_KWH;
      }
      const total = cost + vj;
      if (total < best) {
        best = total;
        bestX = x;
      }
    }
  }
  let previous = Number.NaN;
  for (let k = 0; k < 6; k++) {
    let x: number;
    switch (k) {
      case 0:
        x = 0;
        break;
      case 1:
        x = -net;
        break;
      case 2:
        x = -net - maxExport;
        break;
      case 3:
        x = -net - pv;
        break;
      case 4:
        x = xMin;
        break;
      default:
        x = xMax;
    }
    if (x > xMax || x < xMin || x === previous) continue;
    previous = x;
    if (allow && !allow(soc, x)) continue;
    const total = flowCost(m, t, x) + valueAt(m, dp, t + 1, socAfter(m, soc, x), s0, terminal);
    if (total < best) {
      best = total;
      bestX = x;
    }
  }
  chosenFlowKwh = bestX;
  return best;
}

/** Fills dp.values for boundaries n−1..0 from the grids. */
export function backward(
  m: SlotModel,
  dp: DpState,
  s0: number,
  terminal: number,
  rules: readonly (SlotRule | undefined)[],
): void {
  for (let t = m.n - 1; t >= 0; t--) {
    const g = dp.grids[t]!;
    const v = new Float64Array(g.length);
    const rule = rules[t];
    for (let i = 0; i < g.length; i++) v[i] = bestFlow(m, dp, t, g[i]!, s0, terminal, rule);
    dp.values[t] = v;
  }
}

/** Follows the value function from the exact initial SOC: flows and SOC at each boundary. */
export function forward(
  m: SlotModel,
  dp: DpState,
  s0: number,
  terminal: number,
  rules: readonly (SlotRule | undefined)[],
): { flowsKwh: Float64Array; socKwh: Float64Array; cost: number } {
  const flowsKwh = new Float64Array(m.n);
  const socKwh = new Float64Array(m.n + 1);
  socKwh[0] = s0;
  let soc = s0;
  let cost = 0;
  for (let t = 0; t < m.n; t++) {
    bestFlow(m, dp, t, soc, s0, terminal, rules[t]);
    // Float noise around idle would otherwise show as a "charge 0.000" slot.
    const x = Math.abs(chosenFlowKwh) < IDLE_KWH ? 0 : chosenFlowKwh;
    flowsKwh[t] = x;
    cost += flowCost(m, t, x);
    soc = socAfter(m, soc, x);
    socKwh[t + 1] = soc;
  }
  cost -= terminal * (soc - s0);
  return { flowsKwh, socKwh, cost };
}
