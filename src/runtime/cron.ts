// Cron jobs on the injected clock. croner only computes the occurrences (in the home's zone, DST
// included); timing comes from the Clock, so tests run days of schedule in milliseconds. Every
// occurrence is recorded persistently by (job, plannedAt) before it runs, so after a restart an
// occurrence is neither run twice nor silently dropped, and one that died half-way ("running"
// but never finished) is retried. Occurrences are waited for on the wall clock in short steps
// (wall-timer.ts), so a clock NTP moves by hours neither fires a job hours early nor hours late.
import { join } from "node:path";
import { Cron } from "croner";
import { z } from "zod";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { damagedFileNote, moveAside, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";
import type { Clock, JobRun } from "./ports.js";
import { createSerialQueue } from "./serial.js";
import { JUMP_TOLERANCE_MS, wakeAt } from "./wall-timer.js";

/** What to do with occurrences missed while the add-on was down. */
export type CatchUpPolicy = { policy: "skip" } | { policy: "latest" } | { policy: "all"; windowMs: number };

export interface JobSpec {
  name: string;
  /** Cron pattern (5 or 6 fields) in `timezone`. */
  schedule: string;
  timezone: string;
  timeoutMs: number;
  /** Attempts after the first one. */
  retries: number;
  /** Wait before retry n: backoffMs · 2^(n-1), or backoffMs every time with `backoff: "fixed"`. */
  backoffMs: number;
  backoff?: "exponential" | "fixed";
  catchUp: CatchUpPolicy;
  /** Resolves with a message for the run's record; throws to fail the attempt. */
  run(context: { plannedAtMs: number; attempt: number }): Promise<string | undefined>;
}

interface OccurrenceRecord extends JobRun {
  /** No further attempt will be made. */
  final: boolean;
}

const occurrenceSchema = z.object({
  job: z.string(),
  plannedAtMs: z.number().finite(),
  startedAtMs: z.number().finite(),
  finishedAtMs: z.number().finite().optional(),
  outcome: z.enum(["running", "ok", "failed", "skipped", "timeout"]),
  attempt: z.number().int().min(0).max(10_000),
  message: z.string().optional(),
  final: z.boolean(),
});
/** The file's outline; each occurrence and each job's mark is checked on its own. */
const stateSchema = z.object({
  lastPlannedAtMs: z.record(z.string(), z.unknown()),
  occurrences: z.array(z.unknown()),
});
const plannedAtSchema = z.number().finite().min(0);

interface CronState {
  lastPlannedAtMs: Record<string, number>;
  occurrences: OccurrenceRecord[];
}

/** Reads jobs.json keeping every record that is still sound; moves the file aside if any was not. */
async function loadState(path: string, log: Logger): Promise<CronState> {
  const read = await readJsonFileChecked(path, stateSchema);
  if (read.status === "missing") return { lastPlannedAtMs: {}, occurrences: [] };
  if (read.status === "damaged") {
    log.error(
      `${path} ${read.problem}; ${damagedFileNote(read.movedTo)} (missed jobs follow their catch-up)`,
    );
    return { lastPlannedAtMs: {}, occurrences: [] };
  }
  const state: CronState = { lastPlannedAtMs: {}, occurrences: [] };
  let lost = 0;
  for (const [job, ms] of Object.entries(read.value.lastPlannedAtMs)) {
    const parsed = plannedAtSchema.safeParse(ms);
    if (parsed.success) state.lastPlannedAtMs[job] = parsed.data;
    else lost++;
  }
  for (const record of read.value.occurrences) {
    const parsed = occurrenceSchema.safeParse(record);
    if (parsed.success) state.occurrences.push(parsed.data as OccurrenceRecord);
    else lost++;
  }
  if (lost > 0) {
    const movedTo = await moveAside(path);
    log.error(
      `${path}: dropped ${lost} bad record(s), kept ${state.occurrences.length} occurrence(s)` +
        (movedTo ? `; the original is kept as ${movedTo}` : ""),
    );
    await writeFileAtomic(path, JSON.stringify(state));
  }
  return state;
}

const KEEP_MS = 7 * 86_400_000;
const MAX_CATCH_UP = 1000;

export interface CronRunner {
  start(): Promise<void>;
  stop(): void;
  /** Resolves when no job is running or waiting to be recorded. */
  whenIdle(): Promise<void>;
  records(): JobRun[];
}

export async function createCronRunner(options: {
  jobs: readonly JobSpec[];
  clock: Clock;
  dataDir: string;
  log: Logger;
  onRun?: (run: JobRun) => void;
}): Promise<CronRunner> {
  const { clock, log } = options;
  const path = join(options.dataDir, "jobs.json");
  const state = await loadState(path, log);
  const serial = createSerialQueue();
  const timers = new Set<{ cancel(): void }>();
  const inflight = new Set<Promise<unknown>>();
  let stopped = false;

  const save = () =>
    serial(() => {
      const keepFrom = clock.nowMs() - KEEP_MS;
      state.occurrences = state.occurrences.filter((o) => o.plannedAtMs >= keepFrom || !o.final);
      return writeFileAtomic(path, JSON.stringify(state));
    });
  const find = (job: string, plannedAtMs: number) =>
    state.occurrences.find((o) => o.job === job && o.plannedAtMs === plannedAtMs);
  const track = <T>(promise: Promise<T>) => {
    inflight.add(promise);
    promise.finally(() => inflight.delete(promise)).catch(() => undefined);
    return promise;
  };
  const after = (delayMs: number, callback: () => void) => {
    const timer = {
      cancel: () => clock.clearTimeout(handle),
    };
    const handle = clock.setTimeout(() => {
      timers.delete(timer);
      if (!stopped) callback();
    }, delayMs);
    timers.add(timer);
  };

  async function record(run: OccurrenceRecord): Promise<void> {
    const index = state.occurrences.findIndex((o) => o.job === run.job && o.plannedAtMs === run.plannedAtMs);
    if (index >= 0) state.occurrences[index] = run;
    else state.occurrences.push(run);
    await save();
    const { final: _final, ...published } = run;
    options.onRun?.(published);
  }

  // The job's own work is not tracked as "in flight" (it may wait on the clock); the records
  // before and after it are, so whenIdle means "everything known is persisted".
  async function attempt(job: JobSpec, plannedAtMs: number, attemptNo: number): Promise<void> {
    const run: OccurrenceRecord = {
      job: job.name,
      plannedAtMs,
      startedAtMs: clock.nowMs(),
      outcome: "running",
      attempt: attemptNo,
      final: false,
    };
    await track(record(run));
    let outcome: JobRun["outcome"];
    let message: string | undefined;
    try {
      message = await withTimeout(job.run({ plannedAtMs, attempt: attemptNo }), job.timeoutMs, clock);
      outcome = "ok";
    } catch (error) {
      outcome = error instanceof TimeoutError ? "timeout" : "failed";
      message = errorMessage(error);
    }
    const retry = outcome !== "ok" && attemptNo <= job.retries;
    const done: OccurrenceRecord = { ...run, outcome, finishedAtMs: clock.nowMs(), final: !retry };
    if (message !== undefined) done.message = message;
    await track(
      record(done).then(() => {
        if (outcome !== "ok")
          log.warn(`job ${job.name} (${iso(plannedAtMs)}) attempt ${attemptNo} ${outcome}: ${message}`);
        if (retry) {
          const waitMs = job.backoff === "fixed" ? job.backoffMs : job.backoffMs * 2 ** (attemptNo - 1);
          after(waitMs, () => void attempt(job, plannedAtMs, attemptNo + 1));
        }
      }),
    );
  }

  async function skip(job: JobSpec, plannedAtMs: number, why: string): Promise<void> {
    const nowMs = clock.nowMs();
    await record({
      job: job.name,
      plannedAtMs,
      startedAtMs: nowMs,
      finishedAtMs: nowMs,
      outcome: "skipped",
      attempt: 0,
      message: why,
      final: true,
    });
  }

  async function occur(job: JobSpec, plannedAtMs: number): Promise<void> {
    const existing = find(job.name, plannedAtMs);
    state.lastPlannedAtMs[job.name] = Math.max(state.lastPlannedAtMs[job.name] ?? 0, plannedAtMs);
    if (existing?.final) return;
    await attempt(job, plannedAtMs, (existing?.attempt ?? 0) + 1);
  }

  function arm(job: JobSpec, cron: Cron): void {
    if (stopped) return;
    const nowMs = clock.nowMs();
    forgetFuture(job, nowMs);
    const next = cron.nextRun(new Date(Math.max(nowMs, state.lastPlannedAtMs[job.name] ?? 0)));
    if (!next) return;
    const plannedAtMs = next.getTime();
    const timer = wakeAt(
      clock,
      plannedAtMs,
      () => {
        timers.delete(timer);
        if (stopped) return;
        void occur(job, plannedAtMs);
        arm(job, cron);
      },
      (jumpMs) => {
        timers.delete(timer);
        log.warn(
          `the wall clock went back by ${(-jumpMs / 3_600_000).toFixed(2)} h; re-arming job ${job.name}`,
        );
        arm(job, cron);
      },
    );
    timers.add(timer);
  }

  /**
   * An occurrence recorded "in the future" was run by a clock that ran ahead (a wrong boot time);
   * counting from it would hold the job back for the size of the error.
   */
  function forgetFuture(job: JobSpec, nowMs: number): void {
    const last = state.lastPlannedAtMs[job.name];
    if (last !== undefined && !(last <= nowMs + JUMP_TOLERANCE_MS)) {
      log.warn(
        `job ${job.name} last ran for ${iso(last)}, after now: the clock went back; counting from now`,
      );
      state.lastPlannedAtMs[job.name] = nowMs;
    }
  }

  async function resume(job: JobSpec, cron: Cron): Promise<void> {
    const nowMs = clock.nowMs();
    // Attempts that died with the process, or retries that were still waiting.
    for (const o of state.occurrences.filter((x) => x.job === job.name && !x.final)) {
      log.info(`job ${job.name} (${iso(o.plannedAtMs)}) was interrupted; retrying`);
      void attempt(job, o.plannedAtMs, o.attempt + 1);
    }
    forgetFuture(job, nowMs);
    const last = state.lastPlannedAtMs[job.name];
    if (last === undefined) {
      state.lastPlannedAtMs[job.name] = nowMs;
      await save();
      return;
    }
    const missed: number[] = [];
    for (
      let t = cron.nextRun(new Date(last));
      t && t.getTime() <= nowMs && missed.length < MAX_CATCH_UP;
      t = cron.nextRun(t)
    ) {
      if (!find(job.name, t.getTime())) missed.push(t.getTime());
    }
    const policy = job.catchUp;
    for (const [i, plannedAtMs] of missed.entries()) {
      const run =
        policy.policy === "latest"
          ? i === missed.length - 1
          : policy.policy === "all"
            ? plannedAtMs >= nowMs - policy.windowMs
            : false;
      if (run) void occur(job, plannedAtMs);
      else {
        await skip(job, plannedAtMs, `missed while stopped (catch-up: ${policy.policy})`);
        state.lastPlannedAtMs[job.name] = Math.max(state.lastPlannedAtMs[job.name] ?? 0, plannedAtMs);
      }
    }
  }

  return {
    async start() {
      for (const job of options.jobs) {
        const cron = new Cron(job.schedule, { timezone: job.timezone, paused: true });
        await resume(job, cron);
        arm(job, cron);
      }
    },
    stop() {
      stopped = true;
      for (const timer of timers) timer.cancel();
      timers.clear();
    },
    async whenIdle() {
      // A job that finishes in microtasks records its outcome before the next macrotask.
      do {
        while (inflight.size > 0) await Promise.allSettled([...inflight]);
        await new Promise<void>((resolve) => setImmediate(resolve));
      } while (inflight.size > 0);
      await serial(async () => undefined);
    },
    records: () => state.occurrences.map(({ final: _final, ...run }) => run),
  };
}

class TimeoutError extends Error {
  override name = "TimeoutError";
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handle = clock.setTimeout(
      () => reject(new TimeoutError(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clock.clearTimeout(handle);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(handle);
        reject(error);
      },
    );
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
