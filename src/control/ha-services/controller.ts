// Inverter control through Home Assistant services, driven by a profile. Each apply reads the
// entities, writes only what differs (so re-applying is free and a half-applied command is
// completed), waits for the integration to show the write, reads back, and retries a bounded
// number of times with growing pauses. What still does not stick is raised, never looped on.
import type { Command, InverterState, Mode } from "../../core/types.js";
import { MODES } from "../../core/types.js";
import { BatteryPlannerError, ControlError, errorMessage } from "../../errors.js";
import type { HaClient, HaEntityState } from "../../ha/client.js";
import { createLogger, type Logger } from "../../log.js";
import type { ApplyReport, Controller } from "../../runtime/ports.js";
import {
  type Desired,
  type Limits,
  type ProfileBinding,
  type ResolvedStep,
  resolveSteps,
} from "./resolve.js";

export interface HaServicesControllerOptions {
  ha: Pick<HaClient, "callService" | "getStates">;
  binding: ProfileBinding;
  limits: Limits;
  /** The battery's SOC sensor (% or kWh). */
  socEntity: string;
  /** Needed when the SOC sensor is in kWh. */
  capacityKwh?: number;
  /** Write rounds per apply (first try included). */
  attempts?: number;
  /** Wait before reading back; default: the profile's settle time. */
  settleMs?: number;
  /** Pause before the second round; doubles each round. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}

/** The integration took the calls but its entities do not show the values after every retry. */
export class HaWriteNotAppliedError extends ControlError {
  override name = "HaWriteNotAppliedError";
  constructor(
    readonly mismatches: string[],
    readonly written: string[],
    attempts: number,
  ) {
    super(`inverter settings did not stick after ${attempts} attempts: ${mismatches.join("; ")}`, {
      retryable: true,
    });
  }

  get report(): ApplyReport {
    return { written: this.written, verified: false, mismatches: this.mismatches };
  }
}

const UNAVAILABLE = new Set(["unavailable", "unknown", ""]);

function asNumber(state: HaEntityState | undefined): number | undefined {
  if (!state || UNAVAILABLE.has(state.state)) return undefined;
  const n = Number(state.state);
  return Number.isFinite(n) ? n : undefined;
}

/** The value an entity can actually take: HA rejects numbers outside min/max or off the step. */
function effectiveDesired(step: ResolvedStep, state: HaEntityState | undefined): Desired | undefined {
  if (typeof step.desired !== "number" || !state) return step.desired;
  const { min, max, step: increment } = state.attributes as { min?: unknown; max?: unknown; step?: unknown };
  let value = step.desired;
  if (typeof min === "number") value = Math.max(min, value);
  if (typeof max === "number") value = Math.min(max, value);
  if (typeof increment === "number" && increment > 0) {
    const base = typeof min === "number" ? min : 0;
    value = base + Math.round((value - base) / increment) * increment;
    value = Number(value.toFixed(6));
  }
  return value;
}

function matches(desired: Desired | undefined, tolerance: number, state: HaEntityState | undefined): boolean {
  if (desired === undefined) return true;
  if (!state) return false;
  if (typeof desired === "number") {
    const n = asNumber(state);
    return n !== undefined && Math.abs(n - desired) <= Math.max(tolerance, 1e-6);
  }
  if (typeof desired === "boolean") return state.state === (desired ? "on" : "off");
  return state.state.trim().toLowerCase() === desired.trim().toLowerCase();
}

const show = (value: Desired | undefined) =>
  value === undefined ? "press" : typeof value === "boolean" ? (value ? "on" : "off") : String(value);

export function createHaServicesController(options: HaServicesControllerOptions): Controller {
  const { ha, binding } = options;
  const log = options.log ?? createLogger(`control:${binding.profile.name}`);
  const attempts = Math.max(1, options.attempts ?? 3);
  const settleMs = options.settleMs ?? binding.profile.settleMs;
  const backoffMs = options.backoffMs ?? 1_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const readStates = async (): Promise<Map<string, HaEntityState>> => {
    try {
      return new Map((await ha.getStates()).map((s) => [s.entity_id, s]));
    } catch (error) {
      throw new ControlError(`cannot read entity states from Home Assistant: ${errorMessage(error)}`, {
        retryable: true,
        cause: error,
      });
    }
  };

  /** Drops optional steps whose entity does not exist; refuses to write into missing or dead ones. */
  const usable = (steps: ResolvedStep[], states: Map<string, HaEntityState>): ResolvedStep[] =>
    steps.filter((step) => {
      const state = states.get(step.entityId);
      if (!state) {
        if (step.optional) return false;
        throw new ControlError(
          `entity ${step.entityId} (role '${step.role}' of the ${binding.profile.name} profile) does not exist in Home Assistant; ` +
            `map it in control.entities.${step.role}`,
        );
      }
      if (step.desired !== undefined && UNAVAILABLE.has(state.state) && step.domain !== "sensor") {
        throw new ControlError(`entity ${step.entityId} is ${state.state || "unavailable"}`, {
          retryable: true,
        });
      }
      return true;
    });

  const call = async (step: ResolvedStep, desired: Desired | undefined): Promise<void> => {
    const data = { ...step.call.data };
    if (typeof desired === "number" && step.call.service === "set_value") data.value = desired;
    try {
      await ha.callService(
        step.call.domain,
        step.call.service,
        data,
        step.call.targetEntity ? { entity_id: step.entityId } : undefined,
      );
    } catch (error) {
      const retryable = error instanceof BatteryPlannerError ? error.retryable : true;
      throw new ControlError(
        `${step.call.domain}.${step.call.service} for ${step.entityId} (${show(desired)}) failed: ${errorMessage(error)}`,
        { retryable, cause: error },
      );
    }
  };

  const apply = async (command: Command): Promise<ApplyReport> => {
    const steps = resolveSteps(binding, command, options.limits);
    const written: string[] = [];
    let mismatches: string[] = [];
    let states = await readStates();
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const active = usable(steps, states);
      let wroteSomething = false;
      for (const step of active) {
        if (step.press) continue;
        const state = states.get(step.entityId);
        const desired = effectiveDesired(step, state);
        if (matches(desired, step.tolerance, state)) continue;
        await call(step, desired);
        written.push(`${step.entityId}=${show(desired)}`);
        wroteSomething = true;
      }
      for (const step of active) {
        if (!step.press) continue;
        if (step.press === "always" ? attempt === 1 || wroteSomething : wroteSomething) {
          await call(step, undefined);
          written.push(`${step.entityId}=press`);
        }
      }
      if (!wroteSomething && attempt === 1) return { written, verified: true, mismatches: [] };
      if (wroteSomething) await sleep(settleMs);
      states = await readStates();
      mismatches = active
        .filter((s) => !s.press)
        .filter(
          (s) => !matches(effectiveDesired(s, states.get(s.entityId)), s.tolerance, states.get(s.entityId)),
        )
        .map(
          (s) =>
            `${s.entityId}: wanted ${show(effectiveDesired(s, states.get(s.entityId)))}, reads ${states.get(s.entityId)?.state ?? "nothing"}`,
        );
      if (mismatches.length === 0) return { written, verified: true, mismatches: [] };
      if (attempt < attempts) {
        log.warn(
          `attempt ${attempt}/${attempts} for ${command.mode} did not stick (${mismatches.join("; ")}); retrying`,
        );
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
    throw new HaWriteNotAppliedError(mismatches, written, attempts);
  };

  const detectMode = (states: Map<string, HaEntityState>): Mode | undefined => {
    let best: { mode: Mode; score: number } | undefined;
    let tie = false;
    for (const mode of MODES) {
      // Only the settings that do not depend on power or target tell modes apart.
      const probe = resolveSteps(binding, { mode }, options.limits).filter((s) => {
        const spec = binding.profile.modes[mode].find((p) => p.role === s.role);
        return (
          s.desired !== undefined &&
          !(typeof spec?.value === "object") &&
          !/\{(powerW|targetSocPct)\}/.test(String(spec?.value))
        );
      });
      const present = probe.filter((s) => states.has(s.entityId));
      if (present.length === 0) continue;
      if (
        !present.every((s) =>
          matches(effectiveDesired(s, states.get(s.entityId)), s.tolerance, states.get(s.entityId)),
        )
      )
        continue;
      if (!best || present.length > best.score) {
        best = { mode, score: present.length };
        tie = false;
      } else if (present.length === best.score) tie = true;
    }
    return tie ? undefined : best?.mode;
  };

  return {
    kind: "ha_services",
    readState: async (): Promise<InverterState> => {
      const states = await readStates();
      const soc = states.get(options.socEntity);
      const value = asNumber(soc);
      if (value === undefined) {
        throw new ControlError(`battery SOC ${options.socEntity} is ${soc ? soc.state : "missing"}`, {
          retryable: true,
        });
      }
      const unit = String(soc?.attributes.unit_of_measurement ?? "%");
      const socPct = unit === "kWh" && options.capacityKwh ? (value / options.capacityKwh) * 100 : value;
      const mode = detectMode(states);
      return { socPct, ...(mode ? { mode } : {}) };
    },
    apply,
    restoreSelfUse: () => apply({ mode: "self-use" }),
  };
}
