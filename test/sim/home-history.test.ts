import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dayForecast } from "../../bench/load-forecast-error.js";
import { parseScenario } from "../../src/scenario/schema.js";
import { parseHomeHistory, scenarioToHomeHistory } from "../../src/sim/home-history.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const json = (path: string) =>
  JSON.parse(readFileSync(join(FIXTURES, path), "utf8")) as Record<string, unknown>;

describe("home-history files", () => {
  it("the bundled days parse, with four weeks of recorder history ending where the day starts", () => {
    const history = parseHomeHistory(json("home-history/day-2024-07-09.json"));
    expect(history.slots).toHaveLength(48);
    expect(history.loadHistory.hourlyKwh).toHaveLength(28 * 24);
    expect(
      history.solcast.every((p) => p.pv_estimate10 <= p.pv_estimate && p.pv_estimate <= p.pv_estimate90),
    ).toBe(true);
  });

  it("rejects a history that does not end where the day starts, naming the field", () => {
    const raw = json("home-history/day-2024-07-09.json");
    const history = raw.loadHistory as { hourlyKwh: number[] };
    history.hourlyKwh = history.hourlyKwh.slice(1);
    expect(() => parseHomeHistory(raw, "f.json")).toThrow(
      /f\.json: loadHistory must end where the day starts/,
    );
  });

  it("the bundled days carry the next day's Agile rates, out at 16:00 London time", () => {
    const history = parseHomeHistory(json("home-history/day-2024-07-09.json"));
    expect(history.nextDayRates?.publishedAt).toBe("2024-07-09T15:00:00.000Z");
    expect(history.nextDayRates?.rates).toHaveLength(48);
  });

  it("rejects next-day rates published outside the day, naming the field", () => {
    const raw = json("home-history/day-2024-07-09.json");
    (raw.nextDayRates as { publishedAt: string }).publishedAt = "2024-07-10T15:00:00.000Z";
    expect(() => parseHomeHistory(raw, "f.json")).toThrow(
      /f\.json: nextDayRates\.publishedAt must be within/,
    );
  });

  it("rejects a Solcast period that is not its slot's", () => {
    const raw = json("home-history/day-2024-07-09.json");
    (raw.solcast as { period_start: string }[])[3]!.period_start = "2024-07-09T05:00:00.000Z";
    expect(() => parseHomeHistory(raw)).toThrow(/solcast\[3\]\.period_start/);
  });

  it("the bundled days carry Solcast's forecast for tomorrow, starting where the day ends", () => {
    const history = parseHomeHistory(json("home-history/day-2024-10-10.json"));
    expect(history.solcastTomorrow).toHaveLength(48);
    expect(history.solcastTomorrow?.[0]?.period_start).toBe("2024-10-10T23:00:00.000Z");
    expect(history.solcastTomorrow!.reduce((s, p) => s + p.pv_estimate, 0)).toBeGreaterThan(1);
  });

  it("rejects a tomorrow forecast that does not follow the day, naming the field", () => {
    const raw = json("home-history/day-2024-07-09.json");
    (raw.solcastTomorrow as { period_start: string }[])[0]!.period_start = "2024-07-09T22:30:00.000Z";
    expect(() => parseHomeHistory(raw)).toThrow(/solcastTomorrow\[0\]\.period_start must follow the slots/);
  });

  it("the bundled runs are consecutive days of one home, each day's tomorrow the next day's today", () => {
    const run = ["run-2024-12-10.json", "run-2024-12-11.json", "run-2024-12-12.json"].map((f) =>
      parseHomeHistory(json(`home-history/${f}`)),
    );
    for (const [today, tomorrow] of [
      [run[0]!, run[1]!],
      [run[1]!, run[2]!],
    ] as const) {
      expect(tomorrow.start).toBe(new Date(Date.parse(today.start) + 24 * 3_600_000).toISOString());
      expect(tomorrow.battery).toEqual(today.battery);
      expect(today.nextDayRates!.rates).toEqual(
        tomorrow.slots.map((s) => ({ importPrice: s.importPrice, exportPrice: s.exportPrice })),
      );
      expect(today.solcastTomorrow!.map((p) => p.pv_estimate)).toEqual(
        tomorrow.solcast.map((p) => p.pv_estimate),
      );
    }
  });

  it("a scenario becomes a home whose recorder repeats its first day's load forecast, which the forecaster gives back", () => {
    const scenario = parseScenario(json("scenarios/real-agile-20180607-big-20-agile-forecast.json"));
    const history = scenarioToHomeHistory(scenario);
    const forecast = dayForecast(history);
    scenario.slots.forEach((slot, i) => {
      // HA's statistics are hourly: each slot gets half of its hour.
      const first = scenario.slots[(i % 48) - (i % 2)]!;
      const pair = first.loadKwh + scenario.slots[(i % 48) - (i % 2) + 1]!.loadKwh;
      expect(forecast[i]).toBeCloseTo(pair / 2, 9);
      expect(history.slots[i]!.actualLoadKwh).toBe(slot.actualLoadKwh ?? slot.loadKwh);
    });
  });
});
