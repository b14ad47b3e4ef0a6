// executeOnce: pick the command for now (core/decide), choose the controller (core/controller-
// choice), and apply it idempotently through the journal. Errors never escape: they become the
// status and `retry` on the outcome, which the runtime turns into a retry with backoff.

import type { Config } from "../config/schema.js";
import { type ControllerChoice, chooseController } from "../core/controller-choice.js";
import { type Decision, decide } from "../core/decide.js";
import type { BatterySpec, InverterState } from "../core/types.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { drifted, type ExecutionJournal, type JournalEntry, sameCommand } from "./journal.js";
import type { OverrideBook } from "./overrides.js";
import type { ApplyReport, Clock, Controller, RuntimeState, StoredPlan } from "./ports.js";

export interface ExecuteOutcome {
  decision: Decision;
  controller: ControllerChoice["kind"];
  /** Whether the controller was asked to write (it writes only what differs). */
  applied: boolean;
  written: string[];
  state: RuntimeState;
  reason: string;
  socPct?: number;
  /**
   * The inverter is not known to do what it should (the write failed, the inverter or Home
   * Assistant is unreachable, or control was switched off and self-use is not confirmed): the
   * runtime tries again with backoff, and at once when the link comes back.
   */
  retry: boolean;
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
  /** No more writes from here on (the add-on is stopping); returns the write still running. */
  halt(): Promise<unknown> | undefined;
  /** The controller the options name, whether or not it may be used now. */
  configured(): Controller | undefined;
}

/** The journal's word that the inverter was last left in self-use (nothing written counts). */
export function leftInSelfUse(last: JournalEntry | undefined): boolean {
  return last === undefined || (last.state === "applied" && last.command.mode === "self-use");
}

const CONTROL_OFF_KEY = "fallback:control-off";

export function createExecutor(ctx: ExecutorContext): Executor {
  // True until a command has been applied in this process, and again after forget(): a restart
  // or a gap in control re-applies even what the journal says is done.
  let firstRun = true;
  let lastChoice: ControllerChoice["kind"] | undefined;
  let cachedState: InverterState | undefined;
  let halted = false;
  let writing: Promise<unknown> | undefined;

  const method = ctx.config.control.method;
  const configured = () => (method === "dry_run" ? undefined : ctx.controllers[method]);

  /** Every controller write goes through here, so that stop knows what is still running. */
  async function write(run: () => Promise<ApplyReport>): Promise<ApplyReport> {
    const running = run();
    writing = running;
    try {
      return await running;
    } finally {
      if (writing === running) writing = undefined;
    }
  }

  function journalKey(decision: Decision): string {
    if (decision.source === "plan") return `plan:${decision.planVersion}:${decision.slotStartMs}`;
    if (decision.source === "override") return `override:${decision.overrideId}:${decision.windowStartMs}`;
    return `fallback:${decision.reason}`;
  }

  /**
   * Control is off, but the journal says the inverter was last told something other than
   * self-use (switched off mid-charge, or during an outage, possibly before a restart): restore
   * self-use through the configured controller until that is confirmed, then stay hands-off.
   */
  async function restoreAfterControlOff(outcome: ExecuteOutcome): Promise<void> {
    const last = ctx.journal.last();
    if (leftInSelfUse(last)) return;
    const controller = configured();
    if (!controller) return;
    const { haConnected, modbusConnected } = ctx.connectivity();
    const reachable = method === "modbus" ? modbusConnected : haConnected;
    const was = `${last!.command.mode}${last!.state === "applying" ? " (maybe half-applied)" : ""}`;
    if (!reachable) {
      outcome.state = "error";
      outcome.retry = true;
      outcome.reason = `control is switched off, but the inverter was last told ${was} and cannot be reached to restore self-use; retrying`;
      return;
    }
    try {
      await ctx.journal.record({
        key: CONTROL_OFF_KEY,
        command: { mode: "self-use" },
        state: "applying",
        atMs: ctx.clock.nowMs(),
      });
      const report = await write(() => controller.restoreSelfUse());
      await ctx.journal.record({
        key: CONTROL_OFF_KEY,
        command: { mode: "self-use" },
        state: "applied",
        atMs: ctx.clock.nowMs(),
      });
      outcome.applied = true;
      outcome.written = report.written;
      ctx.log.info(`control is off: inverter restored to self-use (was ${was})`);
    } catch (error) {
      outcome.state = "error";
      outcome.retry = true;
      outcome.reason = `control is switched off, but restoring self-use failed: ${errorMessage(error)}; retrying`;
      ctx.log.warn(outcome.reason);
    }
  }

  async function execute(refetchInverter: boolean): Promise<ExecuteOutcome> {
    const nowMs = ctx.clock.nowMs();
    const { haConnected, modbusConnected } = ctx.connectivity();
    const choice = chooseController({
      method,
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
    if (controller && !halted) {
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
      retry: false,
    };
    if (state) outcome.socPct = state.socPct;
    const what = describe(decision);

    if (halted) {
      outcome.reason = "stopping: no more writes";
      return outcome;
    }
    if (choice.kind === "unavailable") {
      outcome.state = "fallback";
      outcome.retry = true;
      outcome.reason = `${choice.reason}; cannot apply ${what}`;
      return outcome;
    }
    if (!controller) {
      outcome.state = decision.source === "fallback" ? "fallback" : "ok";
      outcome.reason = `dry run (${choice.reason}): would ${what}`;
      if (choice.kind === "dry_run" && choice.why === "master-switch-off")
        await restoreAfterControlOff(outcome);
      return outcome;
    }
    if (decision.source === "fallback") {
      outcome.state = "fallback";
      outcome.reason = `self-use because ${readError ? `the inverter could not be read (${readError})` : decision.detail}`;
      // Self-use is safe, but not what the plan asked for: keep trying to read the inverter.
      if (readError) outcome.retry = true;
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
      const report = await write(() =>
        decision.source === "fallback" ? controller.restoreSelfUse() : controller.apply(decision.command),
      );
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
      outcome.retry = true;
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
    halt: () => {
      halted = true;
      return writing;
    },
    configured,
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
