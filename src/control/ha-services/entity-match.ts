// Whether an entity shows the value a step wants, the way HA represents it: numbers as strings
// (bounded and stepped by the entity's min/max/step), switches as on/off, selects and sensors as
// their text. Numbers and the SOC go through the same strict parsers as the planner's readers.

import { ControlError } from "../../errors.js";
import type { HaEntityState } from "../../ha/client.js";
import { socPctFromState, strictNumber } from "../../ha/quantities.js";
import type { Desired, ResolvedStep } from "./resolve.js";

export const UNAVAILABLE = new Set(["unavailable", "unknown", ""]);

/** A number entity's value; hex, blanks, NaN and the like are no value (never 0). */
export function asNumber(state: HaEntityState | undefined): number | undefined {
  if (!state) return undefined;
  const n = strictNumber(state.state);
  return n.ok ? n.value : undefined;
}

/** The battery's SOC in % the way the planner reads it, or a retryable ControlError saying why it
 * cannot be trusted: a forced mode must never be kept on a SOC of -5, 150 or a Wh reading. */
export function readSocPct(
  socEntity: string,
  state: HaEntityState | undefined,
  capacityKwh: number | undefined,
): number {
  const soc = socPctFromState(state, capacityKwh);
  if (soc.ok) return soc.value;
  throw new ControlError(`battery SOC ${socEntity} is not usable: ${soc.reason}`, { retryable: true });
}

/** The value an entity can actually take: HA rejects numbers outside min/max or off the step. */
export function effectiveDesired(step: ResolvedStep, state: HaEntityState | undefined): Desired | undefined {
  if (typeof step.desired !== "number" || !state) return step.desired;
  const { min, max, step: increment } = state.attributes as { min?: unknown; max?: unknown; step?: unknown };
  let value = step.desired;
  if (typeof min === "number") value = Math.max(min, value);
  if (typeof max === "number") value = Math.min(max, value);
  if (typeof increment === "number" && increment > 0) {
    const base = typeof min === "number" ? min : 0;
    value = Number((base + Math.round((value - base) / increment) * increment).toFixed(6));
  }
  return value;
}

export function matches(
  desired: Desired | undefined,
  tolerance: number,
  state: HaEntityState | undefined,
): boolean {
  if (desired === undefined) return true;
  if (!state) return false;
  if (typeof desired === "number") {
    const n = asNumber(state);
    return n !== undefined && Math.abs(n - desired) <= Math.max(tolerance, 1e-6);
  }
  if (typeof desired === "boolean") return state.state === (desired ? "on" : "off");
  return state.state.trim().toLowerCase() === desired.trim().toLowerCase();
}

export function show(value: Desired | undefined): string {
  if (value === undefined) return "press";
  if (typeof value === "boolean") return value ? "on" : "off";
  return String(value);
}

/** "entity: wanted X, reads Y" for every step the entities do not show yet. */
export function unmetSteps(
  steps: readonly ResolvedStep[],
  states: ReadonlyMap<string, HaEntityState>,
): string[] {
  const unmet: string[] = [];
  for (const step of steps) {
    if (step.press) continue;
    const state = states.get(step.entityId);
    const desired = effectiveDesired(step, state);
    if (!matches(desired, step.tolerance, state)) {
      unmet.push(`${step.entityId}: wanted ${show(desired)}, reads ${state?.state ?? "nothing"}`);
    }
  }
  return unmet;
}
