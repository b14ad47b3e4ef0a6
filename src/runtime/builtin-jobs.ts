// The jobs that exist from the start: refresh the load forecast daily, and check that tomorrow's
// rates have arrived by the deadline (status + notification if not; retried, so the warning
// clears itself when the rates turn up late).
import { DateTime } from "luxon";
import { createLogger } from "../log.js";
import type { CronRunner, JobSpec } from "./cron.js";
import { createCronRunner } from "./cron.js";
import { DAY_SCORE_TIME, dayBefore, describeDayScore } from "./day-scoring.js";
import type { Runtime } from "./runtime.js";
import type { RuntimeDeps } from "./runtime-types.js";

/** What the jobs use besides the runtime: the options, the clock, the inputs and the publisher. */
export type JobsWorld = Pick<RuntimeDeps, "config" | "clock" | "inputs" | "publisher">;

const MINUTE = 60_000;
export const RATES_RECHECK_MS = 15 * MINUTE;
export const RATES_RECHECKS = 90;

function dailyAt(localTime: string): string {
  const [hours, minutes] = localTime.split(":");
  return `${Number(minutes)} ${Number(hours)} * * *`;
}

export function builtinJobs(runtime: Runtime, world: JobsWorld, zone: string): JobSpec[] {
  const { config, clock, inputs, publisher } = world;
  const deadline = config.schedule.rates_deadline;
  return [
    {
      name: "refresh-load-forecast",
      schedule: dailyAt(config.schedule.load_refresh_time),
      timezone: zone,
      timeoutMs: 5 * MINUTE,
      retries: 3,
      backoffMs: 10 * MINUTE,
      catchUp: { policy: "latest" },
      async run() {
        if (!inputs.refreshLoadForecast) return "the inputs have no load history to refresh";
        await inputs.refreshLoadForecast(clock.nowMs());
        runtime.requestReplan("load forecast refreshed");
        return "load forecast refreshed";
      },
    },
    {
      // Yesterday's score. HA down at 00:30: tried again every half hour until 05:30; the add-on
      // down then: the missed run is made at start (catch-up), while the SOC samples still reach.
      name: "score-yesterday",
      schedule: dailyAt(DAY_SCORE_TIME),
      timezone: zone,
      timeoutMs: 2 * MINUTE,
      retries: 10,
      backoffMs: 30 * MINUTE,
      backoff: "fixed",
      catchUp: { policy: "latest" },
      async run({ plannedAtMs }) {
        const day = dayBefore(plannedAtMs, zone);
        if (runtime.dayScores().some((r) => r.date === day.date)) return `${day.date} was scored already`;
        const record = await runtime.scoreDay(day);
        if (!record) return `the add-on did not run on ${day.date}`;
        return describeDayScore(record).slice(0, 200);
      },
    },
    {
      name: "check-tomorrow-rates",
      schedule: dailyAt(deadline),
      timezone: zone,
      timeoutMs: 2 * MINUTE,
      // Re-check every 15 minutes until the rates arrive (DOCS promise it): late rates are common
      // and clear the warning. 90 checks are 22.5 hours, short of the next day's deadline.
      retries: RATES_RECHECKS,
      backoffMs: RATES_RECHECK_MS,
      backoff: "fixed",
      catchUp: { policy: "latest" },
      async run({ plannedAtMs, attempt }) {
        const nowMs = clock.nowMs();
        // "Tomorrow's rates" end at different hours (Agile's day runs to 23:00 local, Nord Pool's
        // to midnight): coverage up to 22:00 local tomorrow counts as arrived.
        const tomorrowCoveredMs = DateTime.fromMillis(plannedAtMs, { zone })
          .startOf("day")
          .plus({ days: 1, hours: 22 })
          .toMillis();
        const snapshot = await inputs.readInputs(nowMs);
        const coveredUntilMs = Math.max(0, ...snapshot.importRates.map((r) => r.endMs));
        if (coveredUntilMs >= tomorrowCoveredMs) {
          await runtime.raiseStatus("rates-deadline", undefined);
          return "tomorrow's rates are in";
        }
        const reason = `tomorrow's rates had not arrived by ${deadline}`;
        await runtime.raiseStatus("rates-deadline", reason);
        if (attempt === 1) {
          await publisher.notify?.("Battery Planner", `${reason}; planning with what is known.`);
          await publisher.ratesLate?.({ deadline, coveredUntilMs });
        }
        throw new Error(reason);
      },
    },
  ];
}

/** Creates the cron runner with the built-in jobs (and any extra ones) and starts it. */
export async function startBuiltinJobs(
  runtime: Runtime,
  world: JobsWorld,
  dataDir: string,
  zone: string,
  extra: JobSpec[] = [],
): Promise<CronRunner> {
  const runner = await createCronRunner({
    jobs: [...builtinJobs(runtime, world, zone), ...extra],
    clock: world.clock,
    dataDir,
    log: createLogger("jobs"),
    onRun: (run) => runtime.recordJobRun(run),
  });
  await runner.start();
  return runner;
}
