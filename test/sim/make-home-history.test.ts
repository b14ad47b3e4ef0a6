import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type HomeHistory, parseHomeHistory } from "../../src/sim/home-history.js";
import {
  candidateDates,
  MAX_FORECAST_GAP,
  RUN_DAYS,
  readHousehold,
  TUNING_DAYS,
} from "../../src/sim/tools/make-home-history.js";

const DIR = join(import.meta.dirname, "../fixtures/home-history");
const SLOT_MS = 30 * 60_000;
const files = readdirSync(DIR)
  .filter((f) => /^(tune|day|run)-.*\.json$/.test(f))
  .sort();
const bundled = files.map((file) => ({
  file,
  history: parseHomeHistory(JSON.parse(readFileSync(join(DIR, file), "utf8")), file),
}));
const dateOf = (file: string) => file.slice(file.indexOf("-") + 1, -".json".length);
const of = (kind: string) => files.filter((f) => f.startsWith(`${kind}-`)).map(dateOf);

/** The share of the PV the panels made that fell in slots Solcast forecast none for. */
function uncoveredShare(forecast: HomeHistory["solcast"], pvKwhAt: (ms: number) => number): number {
  let pvKwh = 0;
  let uncoveredKwh = 0;
  for (const period of forecast) {
    const kwh = pvKwhAt(Date.parse(period.period_start));
    pvKwh += kwh;
    if (period.pv_estimate <= 0) uncoveredKwh += kwh;
  }
  return pvKwh > 0 ? uncoveredKwh / pvKwh : 0;
}

describe("the bundled home-history days (make-home-history)", () => {
  it("forecast PV on every day whose panels made some (the data's empty forecasts are not bundled)", () => {
    const missing = bundled.flatMap(({ file, history }) => {
      const start = Date.parse(history.start);
      const pvKwhAt = (ms: number) => history.slots[(ms - start) / SLOT_MS]!.actualPvKwh;
      const share = uncoveredShare(history.solcast, pvKwhAt);
      return share > MAX_FORECAST_GAP ? [`${file}: ${Math.round(share * 100)} %`] : [];
    });
    expect(missing).toEqual([]);
  });

  it("forecast PV for tomorrow wherever the next day's panels made some", () => {
    const household = readHousehold();
    const pvKwhAt = (ms: number) => (household.get(ms)?.pvW ?? 0) / 2000;
    const missing = bundled.flatMap(({ file, history }) => {
      if (!history.solcastTomorrow) return [];
      const share = uncoveredShare(history.solcastTomorrow, pvKwhAt);
      return share > MAX_FORECAST_GAP ? [`${file}: ${Math.round(share * 100)} %`] : [];
    });
    expect(missing).toEqual([]);
    // Every run's day plans across midnight on tomorrow's forecast, so each has one.
    expect(bundled.filter((b) => b.file.startsWith("run-") && !b.history.solcastTomorrow)).toEqual([]);
  });

  it("keeps the held-out days off the tuning days, one tuning day, three days and a run a month", () => {
    const tune = of("tune");
    const days = of("day");
    const runs = of("run");
    expect(tune).toHaveLength(TUNING_DAYS.length);
    expect(days).toHaveLength(3 * TUNING_DAYS.length);
    expect(runs).toHaveLength(RUN_DAYS * TUNING_DAYS.length);
    expect([...days, ...runs].filter((d) => tune.includes(d))).toEqual([]);
    const months = (dates: string[]) => [...new Set(dates.map((d) => d.slice(0, 7)))];
    for (const dates of [days, runs]) expect(months(dates)).toEqual(months(tune));
    const consecutive = days.filter(
      (d, i) => i > 0 && Date.parse(d) - Date.parse(days[i - 1]!) <= 86_400_000,
    );
    expect(consecutive).toEqual([]);
  });

  it("moves a wanted date to the nearest of its month, the later on a tie", () => {
    expect(candidateDates("2024-11-18").slice(0, 5)).toEqual([
      "2024-11-18",
      "2024-11-19",
      "2024-11-17",
      "2024-11-20",
      "2024-11-16",
    ]);
    const late = candidateDates("2024-06-26");
    expect(late.every((d) => d.startsWith("2024-06-"))).toBe(true);
    expect(late).toContain("2024-06-16");
  });
});
