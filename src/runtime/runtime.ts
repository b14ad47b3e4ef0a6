// The runtime: planOnce, executeOnce and the cycle that composes them, plus the commands HA and
// the web page may send. Planning is single-flight with at most one queued follow-up; execution
// is serialised; the plan store's compare-and-set keeps a late, stale plan from winning.
import { join } from "node:path";
import { decisionEndsAtMs } from "../core/decide.js";
import { optimise as coreOptimise } from "../core/optimiser.js";
import { modesChanged } from "../core/plan-change.js";
import { replanDecision } from "../core/replan.js";
import type { Plan } from "../core/types.js";
import { errorMessage, InputError } from "../errors.js";
import { createLogger } from "../log.js";
import { APPLY_RETRY, createRetryTimer } from "./apply-retry.js";
import { writeFileAtomic } from "./atomic-file.js";
import { openDayKeeper } from "./day-keeper.js";
import { createExecutor, type ExecuteOutcome } from "./executor.js";
import { openJournal } from "./journal.js";
import { openOverrideBook } from "./overrides.js";
import { openPlanStore } from "./plan-store.js";
import type { InputsSnapshot, JobRun, OverrideEvent, RuntimeStatus, SocSample, StoredPlan } from "./ports.js";
import { batteryFromConfig, buildProblem, type PlanFailureReason } from "./problem.js";
import type { PlanOutcome, Runtime, RuntimeDeps } from "./runtime-types.js";
import { createSerialQueue } from "./serial.js";
import { openSettingsStore } from "./settings-store.js";
import { singleFlight } from "./single-flight.js";
import { loadSocHistory } from "./soc-history.js";
import { restoreOnStop } from "./stop.js";
import { type WallTimer, wakeAt } from "./wall-timer.js";

export type { CycleOutcome, PlanOutcome, Runtime, RuntimeDeps, StopOutcome } from "./runtime-types.js";

const RECENT = 50;
/** How long stop may spend putting the inverter back to self-use (src/runtime/README.md, Bounds). */
export const RESTORE_DEADLINE_MS = 20_000;
const SOC_HISTORY_MS = 48 * 3_600_000;
/** The SOC history is saved at most this often (it is for the chart, not for correctness). */
const SOC_SAVE_EVERY_MS = 5 * 60_000;

export async function createRuntime(deps: RuntimeDeps): Promise<Runtime> {
  const { clock, config, publisher } = deps;
  const log = deps.log ?? createLogger("runtime");
  const optimise = deps.optimise ?? coreOptimise;
  const settings = await openSettingsStore(
    deps.dataDir,
    { controlEnabled: config.control.enabled, reservePct: config.battery.reserve_pct },
    log,
  );
  let { controlEnabled, reservePct } = settings.initial;
  const store = await openPlanStore(deps.dataDir);
  const journal = await openJournal(deps.dataDir);
  const days = await openDayKeeper({
    dataDir: deps.dataDir,
    config,
    inputs: deps.inputs,
    clock,
    battery: () => batteryFromConfig(config, reservePct),
    latestPlan: () => store.latest(),
    log,
    ...(deps.currency ? { currency: deps.currency } : {}),
  });
  const safely = async (what: string, action: () => Promise<void> | undefined) => {
    try {
      await action();
    } catch (error) {
      log.warn(`${what} failed: ${errorMessage(error)}`);
    }
  };
  const overrideEvents: OverrideEvent[] = [];
  const overrides = await openOverrideBook({
    dataDir: deps.dataDir,
    zone: deps.timezone ?? config.timezone ?? "UTC",
    onEvent: (event) => {
      overrideEvents.push(event);
      if (overrideEvents.length > RECENT) overrideEvents.shift();
      log.info(`override ${event.overrideId} ${event.kind} (${event.mode})`);
      void safely("publishing an override event", () => publisher.publishOverrideEvent?.(event));
    },
  });
  const jobRuns: JobRun[] = [];
  const socHistoryPath = join(deps.dataDir, "soc-history.json");
  const socSamples: SocSample[] = await loadSocHistory(socHistoryPath);
  let socSavedAtMs = Number.NEGATIVE_INFINITY;
  const raised = new Map<string, string>();
  if (settings.problem) raised.set("settings-file", settings.problem);
  let lastSnapshot: InputsSnapshot | undefined;
  let planProblem: string | undefined;
  let execution: ExecuteOutcome | undefined;
  let status: RuntimeStatus = {
    state: "starting",
    reason: "starting",
    controlEnabled,
    updatedAtMs: clock.nowMs(),
  };
  let replanHandler: ((reason: string) => void) | undefined;
  const replanMs = config.schedule.replan_minutes * 60_000;
  const maxPlanAgeMs = Math.max(2 * 3_600_000, 4 * replanMs);

  const saveSettings = async () => {
    await settings.save({ controlEnabled, reservePct });
    raised.delete("settings-file");
  };

  function composeStatus(): RuntimeStatus {
    const reasons: string[] = [];
    let state: RuntimeStatus["state"] = execution?.state ?? (store.latest() ? "ok" : "starting");
    if (execution?.reason) reasons.push(execution.reason);
    if (planProblem) {
      reasons.push(planProblem);
      if (state === "ok") state = "degraded";
    }
    for (const reason of raised.values()) {
      reasons.push(reason);
      if (state === "ok") state = "degraded";
    }
    for (const warning of lastSnapshot?.warnings ?? []) reasons.push(warning);
    const next: RuntimeStatus = {
      state,
      reason: reasons.join("; ") || "ok",
      controlEnabled,
      updatedAtMs: clock.nowMs(),
    };
    if (execution) next.currentCommand = execution.decision.command;
    if (lastSnapshot) next.battery = lastSnapshot.battery;
    return next;
  }

  async function publishStatus(): Promise<void> {
    status = composeStatus();
    await safely("publishing status", () => publisher.publishStatus(status));
  }

  async function plan(reason: string, force: boolean): Promise<PlanOutcome> {
    const nowMs = clock.nowMs();
    let snapshot: InputsSnapshot;
    try {
      snapshot = await deps.inputs.readInputs(nowMs);
    } catch (error) {
      return fail(
        "inputs-invalid",
        error instanceof InputError ? error.message : `reading inputs: ${errorMessage(error)}`,
      );
    }
    try {
      snapshot = await days.onSnapshot(snapshot, nowMs);
    } catch (error) {
      log.warn(`keeping the day's rates failed: ${errorMessage(error)}`);
    }
    lastSnapshot = snapshot;
    const previous = store.latest();
    const horizonEnd = nowMs + config.planner.horizon_hours * 3_600_000;
    const built = buildProblem({
      snapshot,
      config,
      reservePct,
      nowMs,
      overrides: overrides.windowsBetween(nowMs, horizonEnd),
      previous,
    });
    if ("failure" in built) return fail(built.failure, built.message);
    if (!force && previous && previous.inputsFingerprint === built.fingerprint) {
      const decision = replanDecision(
        { kind: "soc", socPct: snapshot.battery.socPct },
        {
          nowMs,
          plan: { ...previous, slots: previous.plan.slots },
          socTolerancePct: config.schedule.soc_tolerance_pct,
          maxAgeMs: replanMs,
        },
      );
      if (!decision.replan) {
        planProblem = undefined;
        return {
          ok: true,
          recomputed: false,
          planValid: coversNow(previous, nowMs),
          planVersion: previous.planVersion,
          planLastUpdated: previous.computedAtMs,
        };
      }
      reason = `${reason} (${decision.reason})`;
    }
    let computed: Plan;
    try {
      computed = optimise(built.problem);
    } catch (error) {
      return fail("inputs-invalid", `planning failed: ${errorMessage(error)}`);
    }
    const candidate = {
      inputsReadAtMs: snapshot.readAtMs,
      computedAtMs: clock.nowMs(),
      reason,
      inputsFingerprint: built.fingerprint,
      ratesFingerprint: built.ratesFingerprint,
      forecastFingerprint: built.forecastFingerprint,
      capacityKwh: built.problem.battery.capacityKwh,
      initialSocKwh: built.problem.initialSocKwh,
      plan: computed,
    };
    const result = await store.commit(candidate);
    if (!result.committed) {
      log.info(
        `discarded a plan from inputs read at ${new Date(snapshot.readAtMs).toISOString()}: a newer plan exists`,
      );
      return {
        ok: false,
        reason: "superseded",
        message: "a plan from newer inputs exists",
        planVersion: result.current.planVersion,
      };
    }
    planProblem = undefined;
    const stored = result.plan;
    log.info(
      `plan v${stored.planVersion} (${reason}): ${stored.plan.slots.length} slots, net cost ${stored.plan.summary.netCost.toFixed(2)}`,
    );
    status = composeStatus();
    await safely("publishing the plan", () => publisher.publishPlan(stored, status));
    if (modesChanged(result.previous?.plan.slots, stored.plan.slots))
      await safely("plan-changed event", () => publisher.planChanged?.(result.previous, stored));
    return {
      ok: true,
      recomputed: true,
      planValid: coversNow(stored, clock.nowMs()),
      planVersion: stored.planVersion,
      planLastUpdated: stored.computedAtMs,
    };
  }

  async function fail(reason: PlanFailureReason, message: string): Promise<PlanOutcome> {
    planProblem = `no new plan: ${message}`;
    log.warn(planProblem);
    await publishStatus();
    const current = store.latest();
    return current
      ? { ok: false, reason, message, planVersion: current.planVersion }
      : { ok: false, reason, message };
  }

  // Everything started and not finished, so that a stopping add-on can wait for it before it
  // closes the inverter link and the data directory underneath.
  const inflight = new Set<Promise<unknown>>();
  function tracked<T>(promise: Promise<T>): Promise<T> {
    inflight.add(promise);
    void promise.then(
      () => inflight.delete(promise),
      () => inflight.delete(promise),
    );
    return promise;
  }

  const planFlight = singleFlight<PlanOutcome>((reason, force) => plan(reason, force));
  const planOnce = (options: { reason: string; force?: boolean }) => tracked(planFlight(options));

  const executor = createExecutor({
    config,
    clock,
    log,
    journal,
    overrides,
    controllers: deps.controllers ?? {},
    connectivity: deps.connectivity ?? (() => ({ haConnected: true, modbusConnected: true })),
    latestPlan: () => store.latest(),
    controlEnabled: () => controlEnabled,
    battery: () => batteryFromConfig(config, reservePct),
    lastInputSocPct: () => lastSnapshot?.battery.socPct,
    maxPlanAgeMs,
  });
  const serialExecute = createSerialQueue();
  /** The next execution re-applies even what the journal says is done (see executeOnce). */
  let forgetApplied = false;
  let stopping = false;
  // A command that did not get through is tried again (2 s, doubling, at most 60 s apart) until
  // it does; a reconnect re-applies at once (linkRestored).
  const retry = createRetryTimer(clock, deps.applyRetry ?? APPLY_RETRY, () => {
    if (!stopping) void executeOnce({ refetchInverter: true });
  });
  // An override's end and a plan's expiry are executed when they happen, not at the next tick. The
  // wait follows the wall clock (wall-timer.ts): after NTP steps the clock either way the edge
  // still fires at its wall instant (a jump back re-arms from the corrected clock).
  let edgeTimer: WallTimer | undefined;
  function armEdge(outcome: ExecuteOutcome): void {
    edgeTimer?.cancel();
    edgeTimer = undefined;
    if (stopping) return;
    const nowMs = clock.nowMs();
    const plan = store.latest();
    const edges = overrides
      .windowsBetween(nowMs, nowMs + 2 * 86_400_000)
      .map((w) => w.startMs)
      .filter((startMs) => startMs > nowMs);
    const ends = decisionEndsAtMs(outcome.decision, plan, maxPlanAgeMs);
    if (ends !== undefined) edges.push(ends);
    if (edges.length === 0) return;
    edgeTimer = wakeAt(
      clock,
      Math.min(...edges),
      () => {
        edgeTimer = undefined;
        if (stopping) return;
        void tracked(
          executeOnce({ refetchInverter: true }).then(async () => {
            const events = await overrides.tick(clock.nowMs());
            if (events.some((e) => e.kind === "ended")) requestReplan("override ended");
          }),
        );
      },
      () => armEdge(outcome),
    );
  }
  function executeOnce(options: { refetchInverter?: boolean } = {}): Promise<ExecuteOutcome> {
    return tracked(
      serialExecute(async () => {
        // Forgotten here, in turn: a forget() while a write is still finishing would be undone
        // by that write, and the re-apply queued behind it would then do nothing.
        if (forgetApplied) {
          forgetApplied = false;
          executor.forget();
        }
        execution = await executor.execute(options.refetchInverter ?? true);
        if (execution.retry) {
          const delayMs = stopping ? undefined : retry.arm();
          if (delayMs !== undefined) log.info(`will try again in ${Math.round(delayMs / 1000)} s`);
        } else {
          retry.reset();
        }
        armEdge(execution);
        const executedAtMs = clock.nowMs();
        const { command } = execution.decision;
        const driven = execution.controller !== "dry_run";
        await safely("recording the command for the day score", () =>
          days.onExecuted(executedAtMs, command, driven),
        );
        if (execution.socPct !== undefined) {
          const nowMs = clock.nowMs();
          socSamples.push({ atMs: nowMs, socPct: execution.socPct });
          while (socSamples.length > 0 && socSamples[0]!.atMs < nowMs - SOC_HISTORY_MS) socSamples.shift();
          if (nowMs - socSavedAtMs >= SOC_SAVE_EVERY_MS) {
            socSavedAtMs = nowMs;
            await safely("saving the SOC history", () =>
              writeFileAtomic(socHistoryPath, JSON.stringify(socSamples)),
            );
          }
        }
        await publishStatus();
        return execution;
      }),
    );
  }

  const requestReplan = (reason: string) => {
    if (replanHandler) return replanHandler(reason);
    void tracked(planOnce({ reason, force: true }).then(() => executeOnce({ refetchInverter: false })));
  };

  const controllers = Object.values(deps.controllers ?? {});
  for (const controller of controllers) controller.setReservePct(reservePct);
  // The sensors show the last scored day from the start, not only after the next midnight.
  const lastScore = days.list().at(-1);
  if (lastScore) await safely("publishing the day score", () => publisher.publishDayScore?.(lastScore));

  const runtime: Runtime = {
    planOnce,
    executeOnce,
    async cycle(reason = "periodic") {
      const planOutcome = await planOnce({ reason });
      const executeOutcome = await executeOnce({ refetchInverter: true });
      await overrides.tick(clock.nowMs());
      return { plan: planOutcome, execute: executeOutcome };
    },
    latestPlan: () => store.latest(),
    status: () => status,
    recentJobRuns: () => [...jobRuns],
    recordJobRun(run) {
      const index = jobRuns.findIndex(
        (r) => r.job === run.job && r.plannedAtMs === run.plannedAtMs && r.attempt === run.attempt,
      );
      if (index >= 0) jobRuns[index] = run;
      else jobRuns.push(run);
      if (jobRuns.length > RECENT) jobRuns.shift();
      void safely("publishing a job run", () => publisher.publishJobRun?.(run));
    },
    socHistory: () => [...socSamples],
    dayScores: () => days.list(),
    async scoreDay(day) {
      const record = await days.scoreDay(day, socSamples);
      if (record) await safely("publishing the day score", () => publisher.publishDayScore?.(record));
      return record;
    },
    overrides: () => overrides.list(),
    recentOverrideEvents: () => [...overrideEvents],
    async raiseStatus(key, reason) {
      if (reason === undefined) raised.delete(key);
      else raised.set(key, reason);
      await publishStatus();
    },
    reservePct: () => reservePct,
    linkRestored(reason) {
      if (stopping) return;
      log.info(`${reason}: applying the command of now`);
      forgetApplied = true;
      retry.reset();
      void executeOnce({ refetchInverter: true });
      // Planning may have failed while the link was down: the status must not keep that.
      if (planProblem) requestReplan(reason);
    },
    async stop(options = {}) {
      stopping = true;
      retry.cancel();
      edgeTimer?.cancel();
      void days.flush();
      return restoreOnStop({
        executor,
        journal,
        controlEnabled,
        clock,
        log,
        deadlineMs: options.restoreDeadlineMs ?? RESTORE_DEADLINE_MS,
      });
    },
    async whenIdle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    setReplanHandler(handler) {
      replanHandler = handler;
    },
    requestReplan,
    async createOverride(request) {
      const id = await overrides.create(request, clock.nowMs());
      await overrides.tick(clock.nowMs());
      requestReplan(`override ${id} created`);
      // An override acts now, not when the replan that plans around it gets its turn.
      void executeOnce({ refetchInverter: false });
      return id;
    },
    async updateOverride(id, request) {
      const updated = await overrides.update(id, request, clock.nowMs());
      if (updated) {
        requestReplan(`override ${id} updated`);
        void executeOnce({ refetchInverter: false });
      }
      return updated;
    },
    async cancelOverride(id) {
      const gone = await overrides.cancel(id, clock.nowMs());
      if (gone.length > 0) {
        requestReplan(`override ${gone.join(", ")} cancelled`);
        void executeOnce({ refetchInverter: false });
      }
    },
    async setControlEnabled(enabled) {
      if (enabled === controlEnabled) return;
      // Leaving control must not leave the inverter in a forced mode: with control off the
      // executor restores self-use until the journal confirms it (retried, across restarts).
      controlEnabled = enabled;
      forgetApplied = true;
      retry.reset();
      await saveSettings();
      await executeOnce({ refetchInverter: true });
    },
    async setReservePct(pct) {
      if (!Number.isFinite(pct) || pct < 0 || pct > 100)
        throw new InputError("reserve", `${pct} is not a percentage 0..100`);
      reservePct = pct;
      for (const controller of controllers) controller.setReservePct(pct);
      await saveSettings();
      // The same command now means other register values (the reserve is the self-use floor).
      forgetApplied = true;
      requestReplan("reserve changed");
    },
  };
  return runtime;
}

function coversNow(plan: StoredPlan, nowMs: number): boolean {
  return plan.plan.slots.some((s) => s.startMs <= nowMs && nowMs < s.endMs);
}
