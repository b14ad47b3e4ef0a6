// The latest value of every published sensor and what each transport last sent, so only changes go
// out and everything can be sent again after a reconnect (HA restarted, broker came back).

import { DAY_SCORE_TIME } from "../../runtime/day-scoring.js";
import type { DayScoreRecord, JobRun, RuntimeStatus, StoredPlan } from "../../runtime/ports.js";
import type { SensorKey } from "./entities.js";
import {
  dayScoreValues,
  jobValues,
  planAgeValue,
  plannedSavingBetween,
  planValues,
  type SensorValue,
  type SensorValues,
  statusValues,
} from "./sensor-values.js";

export const NOT_SCORED_YET = `no day scored yet: the first full day is scored at ${DAY_SCORE_TIME} the next night`;

export class SensorBoard {
  private readonly values = new Map<SensorKey, SensorValue>();
  private readonly sent = new Map<SensorKey, string>();
  private readonly jobs = new Map<string, JobRun>();
  plan: StoredPlan | undefined;
  status: RuntimeStatus | undefined;
  /** The accrued-saving counter: since when, how much, and up to which instant it is counted. */
  private accrued: { sinceMs: number; amount: number; untilMs: number } | undefined;

  constructor(private readonly timeZone: string) {
    // The day sensors exist (unknown, saying why) before the first day is scored, so a dashboard
    // or automation that names them does not meet a missing entity for the first day.
    const none = { state: null, attributes: { reason: NOT_SCORED_YET } };
    this.values.set("day_score", none);
    this.values.set("day_saving", none);
  }

  /** Counts the plan in force up to now; every instant is counted once, by the plan that was in
   * force then, however often plans change. */
  private accrue(nowMs: number): void {
    if (!this.accrued) this.accrued = { sinceMs: nowMs, amount: 0, untilMs: nowMs };
    if (nowMs > this.accrued.untilMs) {
      if (this.plan) this.accrued.amount += plannedSavingBetween(this.plan, this.accrued.untilMs, nowMs);
      this.accrued.untilMs = nowMs;
    }
    this.values.set("saving_accrued", {
      state: Math.round(this.accrued.amount * 100) / 100,
      lastReset: new Date(this.accrued.sinceMs).toISOString(),
    });
  }

  private merge(values: SensorValues): void {
    for (const [key, value] of Object.entries(values) as [SensorKey, SensorValue][])
      this.values.set(key, value);
  }

  setPlan(plan: StoredPlan, nowMs: number): void {
    // The plan that was in force until now is counted before the new one takes over.
    this.accrue(nowMs);
    this.plan = plan;
    this.merge(planValues(plan, nowMs, this.timeZone));
  }

  setStatus(status: RuntimeStatus, nowMs: number): void {
    this.status = status;
    this.accrue(nowMs);
    this.merge(statusValues(status));
    // Time moved on: the current slot, planned SOC and plan age follow the clock.
    if (this.plan) this.merge(planValues(this.plan, nowMs, this.timeZone));
    else this.merge(planAgeValue(undefined, nowMs));
  }

  setJobRun(run: JobRun): void {
    this.jobs.set(run.job, run);
    this.merge(jobValues(this.jobs));
  }

  setDayScore(record: DayScoreRecord): void {
    this.merge(dayScoreValues(record));
  }

  /** Sensors whose value differs from what was last sent. */
  pending(): [SensorKey, SensorValue][] {
    return [...this.values.entries()].filter(([key, value]) => this.sent.get(key) !== JSON.stringify(value));
  }

  all(): [SensorKey, SensorValue][] {
    return [...this.values.entries()];
  }

  markSent(key: SensorKey, value: SensorValue): void {
    this.sent.set(key, JSON.stringify(value));
  }

  /** After a reconnect nothing counts as sent. */
  forgetSent(): void {
    this.sent.clear();
  }
}
