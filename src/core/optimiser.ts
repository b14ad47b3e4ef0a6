// The planner: a coarse dynamic programme over the whole SOC range finds the shape of the plan,
// then passes on ever finer grids in a band around the current trajectory (discrete differential
// dynamic programming) refine it. Forced slots and stability are constraints on the candidate
// flows of single slots. See README.md in this folder for the design and the mode mapping.
import { commandFor, describeFlow, type ModeCommand, modeFlows } from "./modes.js";
import { idleCost, settleSlot, slotCost, slotHours } from "./physics.js";
import { buildSlotModel, flowCost, type SlotModel, socAfter } from "./slot-model.js";
import { backward, type DpState, forward, type SlotRule } from "./soc-dp.js";
import { tidyCrumbs } from "./tidy.js";
import type { Mode, Plan, PlanProblem, PlanSlot, SlotInput } from "./types.js";
import { validateProblem } from "./validate-problem.js";

/** Points of the first, whole-range grid. */
const COARSE_POINTS = 61;
/**
 * Refinement passes: each divides the previous step by `factor` and searches ±`halfWidth` steps
 * around the last trajectory. The first, wider pass lets the plan move by up to five coarse steps
 * (escaping the coarse grid's local optima); the later ones converge on the exact flows.
 */
const REFINEMENTS: readonly { factor: number; halfWidth: number }[] = [
  { factor: 2, halfWidth: 10 },
  { factor: 4, halfWidth: 6 },
  { factor: 4, halfWidth: 6 },
  { factor: 4, halfWidth: 6 },
];

interface Solution {
  flowsKwh: Float64Array;
  socKwh: Float64Array;
  cost: number;
}

/** PV the plan is made with: the median, shifted towards p10 by the risk aversion. */
function planningPv(problem: PlanProblem): (slot: SlotInput) => number {
  const aversion = Math.min(1, Math.max(0, problem.options?.pvRiskAversion ?? 0));
  return (slot) =>
    slot.pvP10Kwh === undefined || aversion === 0
      ? slot.pvKwh
      : Math.max(0, slot.pvKwh - aversion * Math.max(0, slot.pvKwh - slot.pvP10Kwh));
}

function uniformGrid(lo: number, hi: number, points: number): Float64Array {
  const g = new Float64Array(points);
  const step = (hi - lo) / (points - 1);
  for (let i = 0; i < points; i++) g[i] = lo + i * step;
  g[points - 1] = hi;
  return g;
}

function bandGrid(centre: number, step: number, lo: number, hi: number, half: number): Float64Array {
  const points: number[] = [];
  if (centre - half * step <= lo) points.push(lo);
  for (let k = -half; k <= half; k++) {
    const p = centre + k * step;
    if (p > lo && p < hi) points.push(p);
  }
  if (centre + half * step >= hi) points.push(hi);
  return Float64Array.from(points);
}

function solve(
  m: SlotModel,
  s0: number,
  terminal: number,
  rules: readonly (SlotRule | undefined)[],
): Solution {
  const b = m.battery;
  const lo = Math.min(b.minSocKwh, s0);
  const hi = Math.max(b.capacityKwh, s0, lo + 1e-6);
  const n = m.n;
  const start = Float64Array.of(s0);
  const coarse = uniformGrid(lo, hi, COARSE_POINTS);
  const dp: DpState = { grids: [start], values: [] };
  for (let t = 1; t <= n; t++) dp.grids.push(coarse);
  backward(m, dp, s0, terminal, rules);
  let best = forward(m, dp, s0, terminal, rules);
  let step = (hi - lo) / (COARSE_POINTS - 1);
  for (const { factor, halfWidth } of REFINEMENTS) {
    step /= factor;
    const grids: Float64Array[] = [start];
    for (let t = 1; t <= n; t++) grids.push(bandGrid(best.socKwh[t]!, step, lo, hi, halfWidth));
    const refined: DpState = { grids, values: [] };
    backward(m, refined, s0, terminal, rules);
    const candidate = forward(m, refined, s0, terminal, rules);
    if (candidate.cost <= best.cost) best = candidate;
  }
  return best;
}

/** Tidies crumbs away (see tidy.ts) and recomputes SOCs and cost from the flows. */
function tidied(
  m: SlotModel,
  solution: Solution,
  pinned: ReadonlySet<number>,
  s0: number,
  terminal: number,
): Solution {
  const flowsKwh = solution.flowsKwh.slice();
  const socKwh = solution.socKwh.slice();
  let idle = 0;
  for (let t = 0; t < m.n; t++) idle += flowCost(m, t, 0);
  // At most a ten-thousandth of the saving goes on tidiness.
  tidyCrumbs(m, flowsKwh, socKwh, pinned, 1e-4 * Math.abs(idle - solution.cost));
  let cost = 0;
  let soc = s0;
  for (let t = 0; t < m.n; t++) {
    const x = flowsKwh[t]!;
    cost += flowCost(m, t, x);
    soc = socAfter(m, soc, x);
    socKwh[t + 1] = soc;
  }
  cost -= terminal * (soc - s0);
  return { flowsKwh, socKwh, cost };
}

/** Rules for forced slots and for slots restricted to a mode. */
function slotRules(
  problem: PlanProblem,
  m: SlotModel,
  restricted: ReadonlyMap<number, Mode>,
): (SlotRule | undefined)[] {
  const rules: (SlotRule | undefined)[] = new Array(m.n).fill(undefined);
  const view = (t: number) => ({
    loadKwh: problem.slots[t]!.loadKwh,
    pvKwh: m.pvKwh[t]!,
    exportPricePerKwh: m.exportPrice[t]!,
  });
  for (const [t, mode] of restricted) {
    const slot = view(t);
    const h = m.hours[t]!;
    rules[t] = {
      allow: (soc, x) => commandFor(mode, x, slot, soc, problem.battery, problem.grid, h) !== undefined,
    };
  }
  for (const forced of problem.forced ?? []) {
    const t = forced.slotIndex;
    if (t < 0 || t >= m.n) continue;
    const slot = view(t);
    const h = m.hours[t]!;
    const command = forcedCommand(forced);
    rules[t] = {
      fixed: (soc) => {
        const [c, d] = modeFlows(command, slot, soc, problem.battery, problem.grid, h);
        return c - d;
      },
    };
  }
  return rules;
}

function forcedCommand(forced: { mode: Mode; targetSocKwh?: number; powerW?: number }): ModeCommand {
  const command: ModeCommand = { mode: forced.mode };
  if (forced.targetSocKwh !== undefined) command.targetSocKwh = forced.targetSocKwh;
  if (forced.powerW !== undefined) command.powerW = forced.powerW;
  return command;
}

function buildPlan(
  problem: PlanProblem,
  m: SlotModel,
  solution: Solution,
  restricted: ReadonlyMap<number, Mode>,
  preferred: ReadonlyMap<number, Mode>,
): Plan {
  const { battery, grid } = problem;
  const forcedAt = new Map((problem.forced ?? []).map((f) => [f.slotIndex, f]));
  const slots: PlanSlot[] = [];
  let total = 0;
  let modeChanges = 0;
  for (let t = 0; t < m.n; t++) {
    const input = problem.slots[t]!;
    const h = slotHours(input);
    const slot = { loadKwh: input.loadKwh, pvKwh: m.pvKwh[t]!, exportPricePerKwh: input.exportPricePerKwh };
    const soc = solution.socKwh[t]!;
    let x = solution.flowsKwh[t]!;
    if (Math.abs(x) < 1e-12) x = 0;
    const chargeKwh = Math.max(0, x);
    const dischargeKwh = Math.max(0, -x);
    const forced = forcedAt.get(t);
    const wanted = restricted.get(t) ?? preferred.get(t);
    const command =
      (forced && forcedCommand(forced)) ||
      (wanted && commandFor(wanted, x, slot, soc, battery, grid, h)) ||
      describeFlow(x, slot, soc, battery, grid, h);
    const flows = settleSlot(slot, chargeKwh, dischargeKwh, grid, h);
    const cost = slotCost(input, flows, dischargeKwh, battery.cycleCostPerKwh);
    total += cost;
    const endSoc = solution.socKwh[t + 1]!;
    if (t > 0 && slots[t - 1]!.mode !== command.mode) modeChanges++;
    slots.push({
      startMs: input.startMs,
      endMs: input.endMs,
      mode: command.mode,
      targetSocKwh: command.targetSocKwh ?? endSoc,
      powerW: command.powerW ?? 0,
      chargeKwh,
      dischargeKwh,
      importKwh: flows.importKwh,
      exportKwh: flows.exportKwh,
      curtailedKwh: flows.curtailedKwh,
      socKwh: endSoc,
      cost,
      importPricePerKwh: input.importPricePerKwh,
      exportPricePerKwh: input.exportPricePerKwh,
      loadKwh: input.loadKwh,
      pvKwh: slot.pvKwh,
      ...(forced ? { forced: true } : {}),
    });
  }
  const finalSocKwh = solution.socKwh[m.n]!;
  const netCost = total - problem.terminalValuePerKwh * (finalSocKwh - problem.initialSocKwh);
  const idle = idleCost({ slots: problem.slots.map((s, t) => ({ ...s, pvKwh: m.pvKwh[t]! })), grid });
  return {
    slots,
    summary: { netCost, idleCost: idle, saving: idle - netCost, modeChanges, finalSocKwh },
  };
}

/** Slots (0 and 1) whose mode the previous plan fixed, by index. */
function previousModes(problem: PlanProblem): Map<number, Mode> {
  const modes = new Map<number, Mode>();
  const hint = problem.previous?.modesByStartMs;
  if (!hint) return modes;
  const forced = new Set((problem.forced ?? []).map((f) => f.slotIndex));
  for (let t = 0; t < Math.min(2, problem.slots.length); t++) {
    const mode = hint.get(problem.slots[t]!.startMs);
    if (mode !== undefined && !forced.has(t)) modes.set(t, mode);
  }
  return modes;
}

/**
 * The cheapest plan for the problem (pure; the same input gives the same plan). Throws InputError
 * naming the field when the problem holds a non-finite number or an impossible battery.
 */
export function optimise(problem: PlanProblem): Plan {
  validateProblem(problem);
  const m = buildSlotModel(problem.slots, problem.battery, problem.grid, planningPv(problem));
  if (m.n === 0) {
    const s = problem.initialSocKwh;
    return { slots: [], summary: { netCost: 0, idleCost: 0, saving: 0, modeChanges: 0, finalSocKwh: s } };
  }
  const none = new Map<number, Mode>();
  const s0 = problem.initialSocKwh;
  const terminal = problem.terminalValuePerKwh;
  const forced = new Set((problem.forced ?? []).map((f) => f.slotIndex));
  const free = tidied(m, solve(m, s0, terminal, slotRules(problem, m, none)), forced, s0, terminal);
  const previous = previousModes(problem);
  const plan = buildPlan(problem, m, free, none, previous);
  const flipped = [...previous].some(([t, mode]) => plan.slots[t]!.mode !== mode);
  if (!flipped) return plan;
  // Keeping the previous modes costs something: keep them only when that is within the threshold.
  const pinned = new Set([...forced, ...previous.keys()]);
  const stable = tidied(m, solve(m, s0, terminal, slotRules(problem, m, previous)), pinned, s0, terminal);
  const threshold = Math.max(0, problem.options?.stabilityThreshold ?? 0);
  if (Number.isFinite(stable.cost) && stable.cost - free.cost <= threshold) {
    return buildPlan(problem, m, stable, previous, previous);
  }
  return plan;
}
