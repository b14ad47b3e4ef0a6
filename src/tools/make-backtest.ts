// Builds the closed-loop backtest days in test/fixtures/backtest/ from the repo's real data:
// Octopus Agile import prices (region A) and a real household's load, measured PV and day-ahead
// PV forecast (EMHASS data). The load forecast is what the same weekday of the previous week
// measured, as a simple history-based forecaster would give; the actuals are what happened.
//   npx tsx src/tools/make-backtest.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DATA = "test/fixtures/data";
const OUT = "test/fixtures/backtest";
const SLOT_MS = 30 * 60_000;
const DAY_MS = 86_400_000;
/** One day a month, the 10th; an Agile year five years earlier gives the prices of the same date. */
const DAYS = [
  "2024-03-20",
  "2024-04-10",
  "2024-05-10",
  "2024-06-10",
  "2024-07-10",
  "2024-08-10",
  "2024-09-10",
  "2024-10-10",
  "2024-11-10",
  "2024-12-10",
  "2025-01-10",
  "2025-02-10",
];
const PRICE_YEARS_BACK = 5;
/** Export as Agile Outgoing roughly paid: a fixed share of the import price. */
const EXPORT_SHARE = 0.45;

function parseNumber(text: string | undefined): number {
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
}

function readHousehold(): Map<number, { loadW: number; pvW: number; pvForecastW: number }> {
  const rows = readFileSync(join(DATA, "emhass-load-pv-2024-2025.csv"), "utf8").trim().split("\n").slice(1);
  const byStart = new Map<number, { loadW: number; pvW: number; pvForecastW: number }>();
  for (const row of rows) {
    const [time, load, pv, forecast] = row.split(",");
    byStart.set(Date.parse(`${time}Z`), {
      loadW: Math.max(0, parseNumber(load)),
      pvW: Math.max(0, parseNumber(pv)),
      pvForecastW: Math.max(0, parseNumber(forecast)),
    });
  }
  return byStart;
}

function readPrices(): Map<number, number> {
  const rows = readFileSync(join(DATA, "agile-A-eastern-england-2018-2021.csv"), "utf8").trim().split("\n");
  const byStart = new Map<number, number>();
  for (const row of rows) {
    const [start, , , , pence] = row.split(",");
    byStart.set(Date.parse(start!), parseNumber(pence) / 100);
  }
  return byStart;
}

function shiftYears(ms: number, years: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.getTime();
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;

function buildDay(day: string, household: ReturnType<typeof readHousehold>, prices: Map<number, number>) {
  const startMs = Date.parse(`${day}T00:00:00Z`);
  const slots = [];
  for (let i = 0; i < 48; i++) {
    const t = startMs + i * SLOT_MS;
    const now = household.get(t);
    const lastWeek = household.get(t - 7 * DAY_MS);
    const price = prices.get(shiftYears(t, PRICE_YEARS_BACK));
    if (!now || !lastWeek || price === undefined) throw new Error(`${day}: no data for slot ${i}`);
    slots.push({
      importPrice: round(price),
      exportPrice: round(price * EXPORT_SHARE),
      loadKwh: round(lastWeek.loadW / 2000),
      pvKwh: round(now.pvForecastW / 2000),
      actualLoadKwh: round(now.loadW / 2000),
      actualPvKwh: round(now.pvW / 2000),
    });
  }
  const sorted = slots.map((s) => s.importPrice).sort((a, b) => a - b);
  return {
    format: "battery-planner-scenario/1",
    name: `backtest-${day}`,
    timezone: "Europe/London",
    start: new Date(startMs).toISOString(),
    slotMinutes: 30,
    battery: {
      capacityKwh: 9.5,
      minSocKwh: 0.5,
      initialSocKwh: 3,
      maxChargeKw: 3.6,
      maxDischargeKw: 3.6,
      chargeEfficiency: 0.95,
      dischargeEfficiency: 0.95,
      cycleCostPerKwh: 0.02,
    },
    grid: { maxImportKw: 20, maxExportKw: 5 },
    terminalValuePerKwh: round(sorted[Math.floor(sorted.length / 2)]!),
    slots,
  };
}

const household = readHousehold();
const prices = readPrices();
for (const day of DAYS) {
  const scenario = buildDay(day, household, prices);
  writeFileSync(join(OUT, `${scenario.name}.json`), `${JSON.stringify(scenario, null, 1)}\n`);
}
process.stdout.write(`wrote ${DAYS.length} days to ${OUT}\n`);
