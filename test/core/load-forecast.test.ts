import { describe, expect, it } from "vitest";
import { forecastHourlyLoad, type LoadForecastParams } from "../../src/core/load-forecast.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A UTC "home": 2024-01-01 was a Monday (ISO weekday 1).
const localTime = (ms: number) => {
  const d = new Date(ms);
  return { hour: d.getUTCHours(), weekday: ((d.getUTCDay() + 6) % 7) + 1 };
};
const NOW = Date.parse("2024-01-29T00:00:00Z"); // a Monday, after four whole weeks

function history(kwhAt: (ms: number) => number, days = 28): Map<number, number> {
  const out = new Map<number, number>();
  for (let t = NOW - days * DAY; t < NOW; t += HOUR) out.set(t, kwhAt(t));
  return out;
}

const forecast = (h: Map<number, number>, params?: LoadForecastParams, horizonMs = DAY) =>
  forecastHourlyLoad(h, { nowMs: NOW, horizonMs, fallbackKw: 0.4, localTime, ...(params ? { params } : {}) });

describe("the load forecaster", () => {
  it("weighs last week more than a month ago", () => {
    const h = history((ms) => (ms >= NOW - 7 * DAY ? 2 : 1));
    const flat = forecast(h, { weekdayWeight: 0, halfLifeDays: Number.POSITIVE_INFINITY, statistic: "mean" });
    expect(flat.points[0]!.energyKwh).toBeCloseTo(1.25, 12);
    // A 7-day half-life gives the last of four weeks about half the weight (0.5 / 0.9375).
    const recent = forecast(h, { weekdayWeight: 0, halfLifeDays: 7, statistic: "mean" });
    expect(recent.points[0]!.energyKwh).toBeGreaterThan(1.5);
    expect(recent.points[0]!.energyKwh).toBeLessThan(1.56);
  });

  it("blends the same weekday's profile with every day's, by weekdayWeight", () => {
    // Mondays use 3 kWh an hour, other days 1.
    const h = history((ms) => (localTime(ms).weekday === 1 ? 3 : 1));
    const params: LoadForecastParams = {
      weekdayWeight: 0.5,
      halfLifeDays: Number.POSITIVE_INFINITY,
      statistic: "mean",
    };
    const monday = forecast(h, params).points[0]!.energyKwh;
    expect(monday).toBeCloseTo(0.5 * 3 + 0.5 * ((4 * 3 + 24 * 1) / 28), 12);
    const tuesday = forecast(h, params, 2 * DAY).points[30]!.energyKwh;
    expect(tuesday).toBeCloseTo(0.5 * 1 + 0.5 * ((4 * 3 + 24 * 1) / 28), 12);
  });

  it("never uses a reading from now on, and falls back where an hour of day has no history", () => {
    const h = history((ms) => (localTime(ms).hour === 5 ? Number.NaN : 1));
    for (const [t] of h) if (localTime(t).hour === 5) h.delete(t);
    h.set(NOW, 100);
    h.set(NOW + HOUR, 100);
    const { points, fallbackHours } = forecast(h);
    expect(points).toHaveLength(24);
    expect(points[0]!.energyKwh).toBeCloseTo(1, 12);
    expect(points[5]!.energyKwh).toBe(0.4);
    expect(fallbackHours).toBe(1);
  });

  it("with a median, one odd day does not move its hour", () => {
    const h = history((ms) => (ms === NOW - 3 * DAY + 18 * HOUR ? 30 : 1));
    const median = forecast(h, { weekdayWeight: 0, halfLifeDays: 7, statistic: "median" });
    expect(median.points.every((p) => p.energyKwh === 1)).toBe(true);
  });

  it("takes the asked weighted quantile of an hour's samples", () => {
    // Four days that used 1, 2, 3 and 4 kWh an hour, all weighed alike.
    const h = history((ms) => 1 + Math.floor((ms - (NOW - 4 * DAY)) / DAY), 4);
    const at = (quantile: number) =>
      forecast(h, { weekdayWeight: 0, halfLifeDays: Number.POSITIVE_INFINITY, statistic: "median", quantile })
        .points[0]!.energyKwh;
    expect(at(0.5)).toBe(2);
    expect(at(0.75)).toBe(3);
    expect(at(1)).toBe(4);
  });
});
