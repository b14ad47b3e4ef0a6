// executeOnce: pick the command for now (core/decide), choose the controller (core/controller-
// choice), and apply it idempotently through the journal. Errors never escape: they become the
// status, and the next call tries again.

import type { Config } from "../config/schema.js";
import { type ControllerChoice, chooseController } from "../core/controller-choice.js";
import { type Decision, decide } from "../core/decide.js";
import type { BatterySpec, InverterState } from "../core/types.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { drifted, type ExecutionJournal, sameCommand } from "./journal.js";
import type { OverrideBook } from "./overrides.js";
import type { Clock, Controller, RuntimeState, StoredPlan } from "./ports.js";

export interface ExecuteOutcome {
  decision: Decision;
  controller: ControllerChoice["kind"];
  /** Whether the controller was asked to write (it writes only what differs). */
  applied: boolean;
  written: string[];
  state: RuntimeState;
  reason: string;
  socPct?: number;
}

export interface ExecutorContext {
  config: Config;
  clock: Clock;
  log: Logger;
  journal: ExecutionJournal;
  overrides: OverrideBook;
  controllers: Partial<Record<"ha_services" | "modbus", Controller>>;
  connectivity: () => { haConnected: boolean; modbusConnected: boolean };
  latestPlan: () => StoredPlan | undefined;
  controlEnabled: () => boolean;
  battery: () => BatterySpec;
  /** The SOC the inputs last reported, for the dry run (which cannot read an inverter). */
  lastInputSocPct: () => number | undefined;
  maxPlanAgeMs: number;
}

export interface Executor {
  execute(refetchInverter: boolean): Promise<ExecuteOutcome>;
  /**
   * Someone else touched the inverter (control switched off and on, a reconnect): the journal no
   * longer says what the inverter holds, so the next execution re-applies (diff-based).
   */
  forget(): void;
}

export function createExecutor(ctx: ExecutorContext): Executor {
  // True until a command has been applied in this process, and again after forget(): a restart
  // or a gap in control re-applies even what the journal says is done.
  let firstRun = true;
  let lastChoice: ControllerChoice["kind"] | undefined;
  let cachedState: InverterState | undefined;

  function journalKey(decision: Decision): string {
    if (decision.source === "plan") return `plan:${decision.planVersion}:${decision.slotStartMs}`;
    if (decision.source === "override") return `override:${decision.overrideId}:${decision.windowStartMs}`;
    return `fallback:${decision.reason}`;
  }

  async function execute(refetchInverter: boolean): Promise<ExecuteOutcome> {
    const nowMs = ctx.clock.nowMs();
    const { haConnected, modbusConnected } = ctx.connectivity();
    const choice = chooseController({
      method: ctx.config.control.method,
      controlEnabled: ctx.controlEnabled(),
      haConnected,
      modbusConnected,
      haProfileReady: ctx.controllers.ha_services !== undefined,
      modbusConfigured: ctx.controllers.modbus !== undefined,
    });
    const controller =
      choice.kind === "ha_services" || choice.kind === "modbus" ? ctx.controllers[choice.kind] : undefined;
    if (choice.kind !== lastChoice) firstRun = true;
    lastChoice = choice.kind;
    let readError: string | undefined;
    let state: InverterState | undefined;
    if (controller) {
      if (refetchInverter || firstRun || !cachedState) {
        try {
          cachedState = await controller.readState();
        } catch (error) {
          cachedState = undefined;
          readError = errorMessage(error);
        }
      }
      state = cachedState;
    } else if (choice.kind === "dry_run") {
      const socPct = ctx.lastInputSocPct();
      if (socPct !== undefined) state = { socPct };
    }
    const plan = ctx.latestPlan();
    const decision = decide({
      nowMs,
      plan: plan && {
        planVersion: plan.planVersion,
        computedAtMs: plan.computedAtMs,
        capacityKwh: plan.capacityKwh,
        slots: plan.plan.slots,
      },
      maxPlanAgeMs: ctx.maxPlanAgeMs,
      inverter: state,
      override: ctx.overrides.activeAt(nowMs),
      battery: ctx.battery(),
    });
    const outcome: ExecuteOutcome = {
      decision,
      controller: choice.kind,
      applied: false,
      written: [],
      state: "ok",
      reason: "",
    };
    if (state) outcome.socPct = state.socPct;
    const what = describe(decision);

    if (choice.kind === "unavailable") {
      outcome.state = "fallback";
      outcome.reason = `${choice.reason}; cannot apply ${what}`;
      return outcome;
    }
    if (!controller) {
      outcome.state = decision.source === "fallback" ? "fallback" : "ok";
      outcome.reason = `dry run (${choice.reason}): would ${what}`;
      return outcome;
    }
    if (decision.source === "fallback") {
      outcome.state = "fallback";
      outcome.reason = `self-use because ${readError ? `the inverter could not be read (${readError})` : decision.detail}`;
    } else {
      outcome.reason = what;
    }

    const key = journalKey(decision);
    const last = ctx.journal.last();
    const done = last?.key === key && last.state === "applied" && sameCommand(last.command, decision.command);
    const drift = state !== undefined && refetchInverter && drifted(state, decision.command);
    if (done && !firstRun && !drift) return outcome;
    try {
      await ctx.journal.record({ key, command: decision.command, state: "applying", atMs: nowMs });
      const report =
        decision.source === "fallback"
          ? await controller.restoreSelfUse()
          : await controller.apply(decision.command);
      outcome.applied = true;
      outcome.written = report.written;
      await ctx.journal.record({ key, command: decision.command, state: "applied", atMs: ctx.clock.nowMs() });
      firstRun = false;
      if (!report.verified) {
        outcome.state = "degraded";
        outcome.reason = `${what}; not verified: ${report.mismatches.join(", ") || "read-back differs"}`;
      }
      if (report.written.length > 0) ctx.log.info(`applied ${what}: ${report.written.join(", ")}`);
    } catch (error) {
      outcome.state = "error";
      outcome.reason = `could not ${what}: ${errorMessage(error)}`;
      ctx.log.warn(outcome.reason);
    }
    return outcome;
  }

  return {
    execute,
    forget: () => {
      firstRun = true;
    },
  };
}

function describe(decision: Decision): string {
  const c = decision.command;
  const parts: string[] = [c.mode];
  if (c.targetSocPct !== undefined && (c.mode === "charge" || c.mode === "export"))
    parts.push(`to ${c.targetSocPct}%`);
  if (c.powerW !== undefined) parts.push(`at ${c.powerW} W`);
  if (decision.source === "override") parts.push(`(override ${decision.overrideId})`);
  if (decision.source === "plan") parts.push(`(plan v${decision.planVersion})`);
  return parts.join(" ");
}
