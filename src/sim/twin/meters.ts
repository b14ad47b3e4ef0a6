// The home's energy meters as Home Assistant holds them: each a cumulative kWh sensor
// (state_class total_increasing) and the recorder's statistics of it — a short-term row every
// five minutes and a long-term row every hour, each `sum` the reading at the period's end, as HA
// compiles them (recorder/statistics.py). The add-on can then score its own days from what a real
// HA would hold: the consumption and PV meters and the grid's import and export.
import type { HaSim } from "../ha/index.js";
import type { StatisticRow } from "../ha/statistics.js";
import { roundKwh } from "./seed.js";

export const FIVE_MINUTES_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

export const METER_ATTRIBUTES = {
  unit_of_measurement: "kWh",
  device_class: "energy",
  state_class: "total_increasing",
} as const;

export class EnergyMeter {
  /** The reading now (kWh), exact; states and rows are rounded as HA shows them. */
  kwh: number;
  private hourly: StatisticRow[];
  private readonly fiveMinute: StatisticRow[];

  /**
   * @param hourly the recorder's long-term rows before `startMs` (the consumption meter's weeks
   *   of history); none: the meter's statistics begin with a row for the period before the start.
   */
  constructor(
    readonly entityId: string,
    startKwh: number,
    startMs: number,
    hourly: StatisticRow[] = [],
  ) {
    this.kwh = startKwh;
    this.hourly =
      hourly.length > 0 ? [...hourly] : [{ start: startMs - HOUR_MS, sum: startKwh, state: startKwh }];
    this.fiveMinute = [
      { start: startMs - FIVE_MINUTES_MS, sum: roundKwh(startKwh), state: roundKwh(startKwh) },
    ];
  }

  add(kwh: number): void {
    this.kwh += kwh;
  }

  /** Replaces the long-term history (the perfect-forecast counterfactual's recorder). */
  replaceHourly(rows: StatisticRow[]): void {
    this.hourly = [...rows];
  }

  /** The period ending at `endMs` is over: HA writes its row(s). Returns which it wrote. */
  closePeriods(endMs: number): "none" | "5minute" | "hour" {
    if (endMs % FIVE_MINUTES_MS !== 0) return "none";
    const reading = roundKwh(this.kwh);
    this.fiveMinute.push({ start: endMs - FIVE_MINUTES_MS, sum: reading, state: reading });
    if (endMs % HOUR_MS !== 0) return "5minute";
    this.hourly.push({ start: endMs - HOUR_MS, sum: reading, state: reading });
    return "hour";
  }

  /** What HA holds of the meter: its sensor's state and its statistics (both of the recorder's
   * tables; the hourly one only changes on the hour). */
  publish(sim: HaSim | undefined, what: { state: boolean; hourly: boolean }): void {
    if (!sim) return;
    if (what.state) sim.setState(this.entityId, roundKwh(this.kwh).toFixed(3), { ...METER_ATTRIBUTES });
    if (what.hourly) sim.setStatistics(this.entityId, this.hourly);
    sim.setStatistics(this.entityId, this.fiveMinute, { period: "5minute" });
  }

  get hourlyRows(): readonly StatisticRow[] {
    return this.hourly;
  }

  get fiveMinuteRows(): readonly StatisticRow[] {
    return this.fiveMinute;
  }
}
