// The load forecaster's error on home-history days: the production forecaster (core/load-forecast)
// run at the start of each day on the recorder history the day's file holds, against what the house
// really used, per 30-minute slot (an hour's forecast split evenly, as the planner's resampling
// does). Beside it the "same slot last week" baseline, taken from the same hourly history.
import { DateTime } from "luxon";
import {
  DEFAULT_LOAD_FORECAST,
  forecastHourlyLoad,
  type LoadForecastParams,
  sameSlotLastWeek,
} from "../src/core/load-forecast.js";
import type { HomeHistory } from "../src/sim/home-history.js";

const HOUR_MS = 3_600_000;

export interface ForecastError {
  /** Mean absolute error per slot, kWh. */
  maeKwh: number;
  /** Mean (forecast − actual) per slot, kWh: positive means the forecast ran high. */
  biasKwh: number;
  slots: number;
}

export function recorderHistory(history: HomeHistory): Map<number, number> {
  const startMs = Date.parse(history.loadHistory.start);
  const out = new Map<number, number>();
  history.loadHistory.hourlyKwh.forEach((kwh, i) => {
    if (kwh !== null) out.set(startMs + i * HOUR_MS, kwh);
  });
  return out;
}

/** Forecast (kWh per slot) for the day, made at its start. */
export function dayForecast(
  history: HomeHistory,
  params: LoadForecastParams = DEFAULT_LOAD_FORECAST,
): number[] {
  const startMs = Date.parse(history.start);
  const { points } = forecastHourlyLoad(recorderHistory(history), {
    nowMs: startMs,
    horizonMs: history.slots.length * 30 * 60_000,
    fallbackKw: 0.4,
    params,
    localTime: (ms) => {
      const local = DateTime.fromMillis(ms, { zone: history.timezone });
      return { hour: local.hour, weekday: local.weekday };
    },
  });
  const byHour = new Map(points.map((p) => [p.startMs, p.energyKwh]));
  return history.slots.map((_, i) => {
    const slotStart = startMs + i * 30 * 60_000;
    return (byHour.get(Math.floor(slotStart / HOUR_MS) * HOUR_MS) ?? 0.4) / 2;
  });
}

export function lastWeekForecast(history: HomeHistory): number[] {
  const startMs = Date.parse(history.start);
  const recorder = recorderHistory(history);
  return history.slots.map((_, i) => {
    const hourMs = Math.floor((startMs + i * 30 * 60_000) / HOUR_MS) * HOUR_MS;
    return sameSlotLastWeek(recorder, hourMs, 0.4) / 2;
  });
}

export function forecastError(
  days: readonly HomeHistory[],
  forecast: (h: HomeHistory) => number[],
): ForecastError {
  let abs = 0;
  let signed = 0;
  let slots = 0;
  for (const day of days) {
    const predicted = forecast(day);
    day.slots.forEach((s, i) => {
      const error = predicted[i]! - s.actualLoadKwh;
      abs += Math.abs(error);
      signed += error;
      slots += 1;
    });
  }
  return { maeKwh: abs / slots, biasKwh: signed / slots, slots };
}
