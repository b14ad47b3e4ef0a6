// Inverter control through Home Assistant services, driven by a profile. Each apply reads the
// entities, writes only what differs (so re-applying is free and a half-applied command is
// completed), waits for the integration to show the write, reads back, and retries a bounded
// number of times with growing pauses. What still does not stick is raised, never looped on.
// States come from the shared entity cache (ha/entity-cache.ts), never from `get_states`: the
// read-back waits on the cache's change events for the profile's few entities.
import type { Command, InverterState } from "../../core/types.js";
import { BatteryPlannerError, ControlError, errorMessage } from "../../errors.js";
import type { HaClient, HaEntityState } from "../../ha/client.js";
import type { EntityStates } from "../../ha/entity-cache.js";
import { createLogger, type Logger } from "../../log.js";
import type { ApplyReport, Controller } from "../../runtime/ports.js";
import { readMode } from "./detect-mode.js";
import { effectiveDesired, matches, readSocPct, show, UNAVAILABLE, unmetSteps } from "./entity-match.js";
import {
  boundEntityIds,
  type Desired,
  type Limits,
  type ProfileBinding,
  type ResolvedStep,
  resolveSteps,
} from "./resolve.js";

export interface HaServicesControllerOptions {
  ha: Pick<HaClient, "callService">;
  /** The shared entity cache; the controller adds its profile's entities to it. */
  entities: Pick<EntityStates, "get" | "watch" | "waitUntil" | "sync">;
  binding: ProfileBinding;
  limits: Limits;
  /** The battery's SOC sensor (% or kWh). */
  socEntity: string;
  /** Needed when the SOC sensor is in kWh. */
  capacityKwh?: number;
  /** Write rounds per apply (first try included). */
  attempts?: number;
  /** Longest wait for a write to show; default: the profile's settle time. */
  settleMs?: number;
  /** Pause before the second round; doubles each round. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}

/** The integration took the calls but its entities do not show the values after every retry. */
export class HaWriteNotAppliedError extends ControlError {
  override name = "HaWriteNotAppliedError";
  /** The same, as the Controller port reports it (for the status sensor and the journal). */
  readonly report: ApplyReport;
  constructor(
    readonly mismatches: string[],
    readonly written: string[],
    attempts: number,
  ) {
    super(`inverter settings did not stick after ${attempts} attempts: ${mismatches.join("; ")}`, {
      retryable: true,
    });
    this.report = { written, verified: false, mismatches };
  }
}

type States = Map<string, HaEntityState>;

export function createHaServicesController(options: HaServicesControllerOptions): Controller {
  const { ha, binding } = options;
  const profileName = binding.profile.name;
  const log = options.log ?? createLogger(`control:${profileName}`);
  const attempts = Math.max(1, options.attempts ?? 3);
  const settleMs = options.settleMs ?? binding.profile.settleMs;
  const backoffMs = options.backoffMs ?? 1_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // The reserve can change at run time (setReservePct); the other limits are the options'.
  let limits: Limits = { ...options.limits };

  const { entities } = options;
  // Every entity the profile may touch or read, and the SOC: one set, registered up front.
  const ids = [...new Set([...boundEntityIds(binding), options.socEntity])];
  const view = (): States => {
    const states: States = new Map();
    for (const id of ids) {
      const state = entities.get(id);
      if (state) states.set(id, state);
    }
    return states;
  };

  /** The cache's states once HA has answered a round trip, so every change it sent is in. */
  const readStates = async (): Promise<States> => {
    try {
      await entities.watch(ids);
      await entities.sync();
    } catch (error) {
      throw new ControlError(`cannot read entity states from Home Assistant: ${errorMessage(error)}`, {
        retryable: true,
        cause: error,
      });
    }
    return view();
  };

  /** Drops optional steps whose entity does not exist; refuses to write into missing or dead ones. */
  const usable = (steps: ResolvedStep[], states: States): ResolvedStep[] =>
    steps.filter((step) => {
      const state = states.get(step.entityId);
      if (!state) {
        if (step.optional) return false;
        throw new ControlError(
          `entity ${step.entityId} (role '${step.role}' of the ${profileName} profile) does not exist in ` +
            `Home Assistant; map it in control.entities.${step.role}`,
        );
      }
      if (step.desired !== undefined && step.domain !== "sensor" && UNAVAILABLE.has(state.state)) {
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
      // A refused value (bad option, out of range) will be refused again; a lost connection may not.
      const retryable = error instanceof BatteryPlannerError ? error.retryable : true;
      throw new ControlError(
        `${step.call.domain}.${step.call.service} for ${step.entityId} (${show(desired)}) failed: ${errorMessage(error)}`,
        { retryable, cause: error },
      );
    }
  };

  /** One round: the writes that differ, then the presses. Returns what was written. */
  const writeRound = async (
    active: ResolvedStep[],
    states: States,
    firstRound: boolean,
  ): Promise<string[]> => {
    const written: string[] = [];
    for (const step of active) {
      if (step.press) continue;
      const state = states.get(step.entityId);
      const desired = effectiveDesired(step, state);
      if (matches(desired, step.tolerance, state)) continue;
      await call(step, desired);
      written.push(`${step.entityId}=${show(desired)}`);
    }
    for (const step of active) {
      if (!step.press) continue;
      if (written.length > 0 || (step.press === "always" && firstRound)) {
        await call(step, undefined);
        written.push(`${step.entityId}=press`);
      }
    }
    return written;
  };

  /** Waits until every write shows or the settle time is up (integrations show a write on their
   * next poll); woken by the cache's change events, not by polling. */
  const readBack = async (active: ResolvedStep[]): Promise<{ states: States; unmet: string[] }> => {
    let states = await readStates();
    if (unmetSteps(active, states).length > 0) {
      await entities.waitUntil(() => unmetSteps(active, view()).length === 0, settleMs);
      // The verdict comes from a fresh round trip, never from what the cache kept while the
      // connection was dropping: a lost link fails here and the next round writes again.
      states = await readStates();
    }
    return { states, unmet: unmetSteps(active, states) };
  };

  const apply = async (command: Command): Promise<ApplyReport> => {
    const steps = resolveSteps(binding, command, limits);
    const written: string[] = [];
    let mismatches: string[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
      try {
        const states = await readStates();
        const active = usable(steps, states);
        const round = await writeRound(active, states, attempt === 1);
        written.push(...round);
        if (round.every((w) => w.endsWith("=press")) && unmetSteps(active, states).length === 0) {
          return { written, verified: true, mismatches: [] };
        }
        mismatches = (await readBack(active)).unmet;
        if (mismatches.length === 0) return { written, verified: true, mismatches: [] };
        if (attempt < attempts) {
          log.warn(
            `attempt ${attempt}/${attempts} for ${command.mode} did not stick (${mismatches.join("; ")}); retrying`,
          );
        }
      } catch (error) {
        // A lost connection (HA restarting) or an entity that is briefly unavailable may be over by
        // the next round; a refused value or a missing entity will not be.
        const retryable = error instanceof BatteryPlannerError && error.retryable;
        if (!retryable || attempt >= attempts) throw error;
        log.warn(
          `attempt ${attempt}/${attempts} for ${command.mode} failed (${errorMessage(error)}); retrying`,
        );
      }
    }
    throw new HaWriteNotAppliedError(mismatches, written, attempts);
  };

  return {
    kind: "ha_services",
    readState: async (): Promise<InverterState> => {
      const states = await readStates();
      const socPct = readSocPct(options.socEntity, states.get(options.socEntity), options.capacityKwh);
      const reading = readMode(binding, limits, states);
      return {
        socPct,
        ...("mode" in reading ? { mode: reading.mode } : {}),
        ...("unrecognised" in reading ? { modeUnrecognised: true } : {}),
      };
    },
    apply,
    restoreSelfUse: () => apply({ mode: "self-use" }),
    setReservePct: (reservePct) => {
      limits = { ...limits, reservePct };
    },
  };
}
