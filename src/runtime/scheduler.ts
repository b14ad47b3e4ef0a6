// When to plan and execute: a timer aligned to the wall clock's slot boundaries (and to the
// replan period when that is shorter), entity changes filtered by the pure replan decision,
// debounced (changes come in bursts) and rate-limited, and manual requests, which are neither.
// Planning itself is single-flight in the runtime, so overlapping triggers queue at most one
// follow-up. The wall clock may jump (NTP fixing a wrong boot time): the slot timer re-reads it at
// least every minute (wall-timer.ts); a jump forward makes the next boundary due at once, a jump
// back re-plans and re-arms from the corrected clock.
import type { Config } from "../config/schema.js";
import { type ReplanDecision, type ReplanTrigger, replanDecision } from "../core/replan.js";
import { errorMessage } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { Clock } from "./ports.js";
import type { Runtime } from "./runtime.js";
import { type WallTimer, wakeAt } from "./wall-timer.js";

export interface SchedulerOptions {
  runtime: Runtime;
  clock: Clock;
  log: Logger;
  slotMinutes: number;
  replanMinutes: number;
  socTolerancePct: number;
  debounceMs: number;
  /** At most one replan triggered by entity changes per this interval (they come in bursts). */
  minTriggerIntervalMs: number;
}

export interface Scheduler {
  /** Runs a first cycle now and arms the timer. */
  start(): Promise<void>;
  stop(): void;
  /** An entity changed: replan if the pure decision says so (debounced). */
  notifyChange(trigger: ReplanTrigger): ReplanDecision;
  /** Resolves when no scheduled work is running. */
  whenIdle(): Promise<void>;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { runtime, clock, log } = options;
  const tickMs = Math.min(options.slotMinutes, options.replanMinutes) * 60_000;
  const inflight = new Set<Promise<unknown>>();
  let tickTimer: WallTimer | undefined;
  let triggerTimer: unknown;
  let nextTickMs = 0;
  let pendingReason: string | undefined;
  /** A person or an automation asked: the rate limit does not apply. */
  let pendingManual = false;
  let lastTriggeredMs = Number.NEGATIVE_INFINITY;
  let stopped = false;

  const track = (work: () => Promise<unknown>) => {
    const promise = work().catch((error: unknown) =>
      log.error(`scheduled work failed: ${errorMessage(error)}`),
    );
    inflight.add(promise);
    void promise.finally(() => inflight.delete(promise));
  };

  function armTick(): void {
    // Always from the clock as it reads now: after a jump the old boundary means nothing.
    nextTickMs = Math.floor(clock.nowMs() / tickMs) * tickMs + tickMs;
    tickTimer = wakeAt(clock, nextTickMs, onTick, onJump);
  }

  function onTick(): void {
    if (stopped) return;
    const slotMs = options.slotMinutes * 60_000;
    const reason = nextTickMs % slotMs === 0 ? "slot boundary" : "periodic";
    track(() => runtime.cycle(reason));
    armTick();
  }

  function onJump(jumpMs: number): void {
    if (stopped) return;
    const hours = (-jumpMs / 3_600_000).toFixed(2);
    log.warn(`the wall clock went back by ${hours} h; re-planning and re-arming the schedule from it`);
    // A rate limit measured on the old clock would hold triggers for the size of the jump.
    lastTriggeredMs = Number.NEGATIVE_INFINITY;
    track(async () => {
      await runtime.planOnce({ reason: "clock jumped", force: true });
      await runtime.executeOnce({ refetchInverter: true });
    });
    armTick();
  }

  function armTrigger(atMs: number): void {
    if (triggerTimer !== undefined) clock.clearTimeout(triggerTimer);
    triggerTimer = clock.setTimeout(onTrigger, Math.max(0, atMs - clock.nowMs()));
  }

  function onTrigger(): void {
    triggerTimer = undefined;
    if (stopped || pendingReason === undefined) return;
    const nowMs = clock.nowMs();
    // The rate limit is for bursts of sensor changes; a replan someone asked for goes now. A last
    // trigger "in the future" means the clock went back: that is no reason to wait.
    const sinceLastMs = nowMs - lastTriggeredMs;
    if (!pendingManual && sinceLastMs >= 0 && sinceLastMs < options.minTriggerIntervalMs) {
      armTrigger(lastTriggeredMs + options.minTriggerIntervalMs);
      return;
    }
    const reason = pendingReason;
    pendingReason = undefined;
    pendingManual = false;
    lastTriggeredMs = nowMs;
    track(async () => {
      await runtime.planOnce({ reason, force: true });
      await runtime.executeOnce({ refetchInverter: false });
    });
  }

  const scheduler: Scheduler = {
    async start() {
      stopped = false;
      runtime.setReplanHandler((reason) => {
        scheduler.notifyChange({ kind: "manual", reason });
      });
      armTick();
      track(() => runtime.cycle("startup"));
      await scheduler.whenIdle();
    },
    stop() {
      stopped = true;
      runtime.setReplanHandler(undefined);
      tickTimer?.cancel();
      if (triggerTimer !== undefined) clock.clearTimeout(triggerTimer);
    },
    notifyChange(trigger) {
      const plan = runtime.latestPlan();
      const decision = replanDecision(trigger, {
        nowMs: clock.nowMs(),
        plan: plan && { ...plan, slots: plan.plan.slots },
        socTolerancePct: options.socTolerancePct,
        maxAgeMs: options.replanMinutes * 60_000,
      });
      if (!decision.replan) return decision;
      pendingReason = pendingReason ? `${pendingReason}, ${decision.reason}` : decision.reason;
      if (trigger.kind === "manual") pendingManual = true;
      // A person pressing "replan" should not wait for the debounce meant for sensor bursts.
      armTrigger(clock.nowMs() + (trigger.kind === "manual" ? 0 : options.debounceMs));
      return decision;
    },
    async whenIdle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
  return scheduler;
}

/** The scheduler with the options' schedule section (and the planner's slot length). */
export function createSchedulerFromConfig(
  runtime: Runtime,
  config: Pick<Config, "schedule" | "planner">,
  clock: Clock,
  log: Logger = createLogger("scheduler"),
): Scheduler {
  const { schedule, planner } = config;
  return createScheduler({
    runtime,
    clock,
    log,
    slotMinutes: planner.slot_minutes,
    replanMinutes: schedule.replan_minutes,
    socTolerancePct: schedule.soc_tolerance_pct,
    debounceMs: schedule.debounce_seconds * 1000,
    minTriggerIntervalMs: Math.max(60_000, schedule.debounce_seconds * 1000),
  });
}
