// "Does this change warrant a replan?" Entity changes arrive in bursts and most of them (a new
// SOC reading that matches the plan, the same rates re-announced) change nothing; replanning on
// each would waste the Pi and, worse, invite flip-flopping. The scheduler asks this first.
import type { PlanSlot } from "./types.js";

export type ReplanTrigger =
  | { kind: "manual"; reason?: string }
  | { kind: "settings" }
  | { kind: "rates"; fingerprint?: string }
  | { kind: "forecast"; fingerprint?: string }
  | { kind: "soc"; socPct: number }
  | { kind: "tick" };

export interface ReplanPlanView {
  computedAtMs: number;
  capacityKwh: number;
  initialSocKwh?: number;
  slots: readonly PlanSlot[];
  ratesFingerprint?: string;
  forecastFingerprint?: string;
}

export interface ReplanContext {
  nowMs: number;
  plan: ReplanPlanView | undefined;
  socTolerancePct: number;
  /** Replan when the plan is older than this, whatever else happened. */
  maxAgeMs: number;
}

export interface ReplanDecision {
  replan: boolean;
  reason: string;
}

export function replanDecision(trigger: ReplanTrigger, ctx: ReplanContext): ReplanDecision {
  const { plan, nowMs } = ctx;
  if (trigger.kind === "manual") return yes(trigger.reason ? `manual: ${trigger.reason}` : "manual");
  if (!plan) return yes("no plan yet");
  if (nowMs - plan.computedAtMs >= ctx.maxAgeMs) return yes("aged");
  switch (trigger.kind) {
    case "settings":
      return yes("settings changed");
    case "rates":
      return changed(trigger.fingerprint, plan.ratesFingerprint, "rates changed");
    case "forecast":
      return changed(trigger.fingerprint, plan.forecastFingerprint, "forecast changed");
    case "soc": {
      const plannedKwh = plannedSocKwhAt(plan, nowMs);
      if (plannedKwh === undefined) return yes("plan does not cover now");
      const offPct = Math.abs(trigger.socPct - (plannedKwh / plan.capacityKwh) * 100);
      if (offPct > ctx.socTolerancePct) return yes(`SOC ${offPct.toFixed(1)}% off plan`);
      return no(`SOC within ${ctx.socTolerancePct}% of plan`);
    }
    case "tick":
      return no("plan is fresh");
  }
}

function changed(next: string | undefined, current: string | undefined, reason: string): ReplanDecision {
  // Without fingerprints we cannot tell, and a needless replan is cheaper than a missed one.
  if (next === undefined || current === undefined || next !== current) return yes(reason);
  return no("unchanged");
}

/** SOC the plan expects at `nowMs`, linear within the slot; undefined outside the plan. */
export function plannedSocKwhAt(plan: ReplanPlanView, nowMs: number): number | undefined {
  const index = plan.slots.findIndex((s) => s.startMs <= nowMs && nowMs < s.endMs);
  if (index < 0) return undefined;
  const slot = plan.slots[index]!;
  const startSocKwh = index === 0 ? plan.initialSocKwh : plan.slots[index - 1]!.socKwh;
  if (startSocKwh === undefined) return slot.socKwh;
  const fraction = (nowMs - slot.startMs) / (slot.endMs - slot.startMs);
  return startSocKwh + (slot.socKwh - startSocKwh) * fraction;
}

function yes(reason: string): ReplanDecision {
  return { replan: true, reason };
}

function no(reason: string): ReplanDecision {
  return { replan: false, reason };
}
