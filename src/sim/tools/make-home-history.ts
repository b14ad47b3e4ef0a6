// Builds the home-history days (docs/home-history.md) in test/fixtures/home-history/ from the
// repo's real data: a real household's load, measured PV and day-ahead PV forecast (EMHASS data,
// France, 2024-02-28 → 2025-02-27) and Octopus Agile import prices (region A, 2018-02 → 2021-08).
//   npx tsx src/sim/tools/make-home-history.ts
// The years differ, so the data are mapped onto the household's own dates in Europe/London:
// - load by local clock time (the household's 07:00 in Paris is the home's 07:00): France is
//   always one hour ahead of the UK, both change clocks at the same instant, so that is the
//   household's reading one hour earlier in UTC;
// - PV and its forecast by UTC instant (the sun is at its highest at about the same UTC time in
//   Paris and London);
// - prices from the Agile day with the same weekday 52 × 5 weeks earlier (52 × 4 on every other
//   day, for prices of another year), at the same London clock time; so within a week of the same
//   date, five or four years before;
// - Solcast's p10/p90: the household's forecast scaled by the 10th/90th percentile of what the
//   panels made per forecast kWh over the four weeks before the day (its own recent error).
// Tomorrow's rates: the price day's next day, the same way, published at 16:00 (as Agile's are).
// On about 50 of the data's days the household's forecast column is empty (`nan`): no Solcast
// user sees a day without a forecast, so a day is only bundled where its own and tomorrow's
// forecast exist (a wanted date moves to the nearest such date of its month); the forecast is
// never made up from what the panels did, which would hand the add-on hindsight.
// Exports: "agile" pays 45 % of the import price (about what Agile Outgoing paid); "fixed" pays
// 15 p/kWh. Batteries rotate through three sizes.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";
import { HOME_HISTORY_FORMAT, type HomeHistory, parseHomeHistory } from "../home-history.js";

const DATA = "test/fixtures/data";
const OUT = "test/fixtures/home-history";
const ZONE = "Europe/London";
const SLOT_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HISTORY_DAYS = 28;
const EXPORT_SHARE = 0.45;
const FIXED_EXPORT = 0.15;
/** A day's PV forecast is missing when the slots without one held more than this share of what
 * the panels made (a lone empty slot at dawn is the household's logger, not a missing forecast). */
export const MAX_FORECAST_GAP = 0.05;
/** How far (days, either way, within its month) a wanted date may move to one with complete data. */
const MAX_SHIFT_DAYS = 10;

/** Tuning days: the 5th of every month. Reported days: the 10th, 18th and 26th. */
export const TUNING_DAYS = [
  "2024-04-05",
  "2024-05-05",
  "2024-06-05",
  "2024-07-05",
  "2024-08-05",
  "2024-09-05",
  "2024-10-05",
  "2024-11-05",
  "2024-12-05",
  "2025-01-05",
  "2025-02-05",
];
export const REPORT_DAYS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2].flatMap((month) =>
  [10, 18, 26].map((day) => `${month <= 2 ? 2025 : 2024}-${String(month).padStart(2, "0")}-${day}`),
);

/** Runs of consecutive days (`run-*.json`), judged together by `npm run bench`: three days from
 * the 10th of each month, one variant (battery, export, price year) per run, rotating from run to
 * run as the single days' do; each day's tomorrow (rates and PV forecast) is the next file's today. */
export const RUN_STARTS = REPORT_DAYS.filter((d) => d.endsWith("-10"));
export const RUN_DAYS = 3;

const BATTERIES = [
  { label: "givenergy-9.5", capacityKwh: 9.5, minSocKwh: 0.5, maxChargeKw: 3.6, maxDischargeKw: 3.6 },
  { label: "small-5", capacityKwh: 5.2, minSocKwh: 0.5, maxChargeKw: 2.6, maxDischargeKw: 2.6 },
  { label: "big-13.5", capacityKwh: 13.5, minSocKwh: 0.7, maxChargeKw: 5, maxDischargeKw: 5 },
];

export interface HouseholdRow {
  loadW: number | undefined;
  pvW: number;
  /** undefined: the household's forecast column is empty (`nan`) there. */
  pvForecastW: number | undefined;
}

function num(text: string | undefined): number | undefined {
  const value = Number(text);
  return text === undefined || text === "nan" || !Number.isFinite(value) ? undefined : value;
}

export function readHousehold(): Map<number, HouseholdRow> {
  const rows = readFileSync(join(DATA, "emhass-load-pv-2024-2025.csv"), "utf8").trim().split("\n").slice(1);
  const out = new Map<number, HouseholdRow>();
  for (const row of rows) {
    const [time, load, pv, forecast] = row.split(",");
    const loadW = num(load);
    const forecastW = num(forecast);
    out.set(Date.parse(`${time}Z`), {
      loadW: loadW === undefined ? undefined : Math.max(0, loadW),
      pvW: Math.max(0, num(pv) ?? 0),
      pvForecastW: forecastW === undefined ? undefined : Math.max(0, forecastW),
    });
  }
  return out;
}

function readPrices(): Map<number, number> {
  const rows = readFileSync(join(DATA, "agile-A-eastern-england-2018-2021.csv"), "utf8").trim().split("\n");
  const out = new Map<number, number>();
  for (const row of rows) {
    const [start, , , , pence] = row.split(",");
    const price = num(pence);
    if (start && price !== undefined) out.set(Date.parse(start), price / 100);
  }
  return out;
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The household's load in the half hour that is `ms` on the home's (London) clock. */
function loadKwhAt(household: Map<number, HouseholdRow>, ms: number): number | undefined {
  const w = household.get(ms - HOUR_MS)?.loadW;
  return w === undefined ? undefined : w / 2000;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 1;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The share of the PV measured in [fromMs, toMs) that fell in slots with no forecast (0 when the
 * panels made nothing). */
export function forecastGapShare(household: Map<number, HouseholdRow>, fromMs: number, toMs: number): number {
  let pvW = 0;
  let uncoveredW = 0;
  for (let t = fromMs; t < toMs; t += SLOT_MS) {
    const row = household.get(t);
    if (!row) continue;
    pvW += row.pvW;
    if (row.pvForecastW === undefined) uncoveredW += row.pvW;
  }
  return pvW > 0 ? uncoveredW / pvW : 0;
}

export function buildDay(
  day: string,
  variant: number,
  household: Map<number, HouseholdRow>,
  prices: Map<number, number>,
): HomeHistory {
  const local = DateTime.fromISO(day, { zone: ZONE });
  const startMs = local.toMillis();
  const endMs = local.plus({ days: 1 }).toMillis();
  const weeksBack = 52 * (variant % 2 === 0 ? 5 : 4);
  const priceDay = local.minus({ weeks: weeksBack });
  const battery = BATTERIES[variant % BATTERIES.length]!;
  const fixedExport = Math.floor(variant / 2) % 2 === 1;

  const slots: HomeHistory["slots"] = [];
  for (let t = startMs; t < endMs; t += SLOT_MS) {
    const clock = DateTime.fromMillis(t, { zone: ZONE });
    const priceAt = priceDay.set({ hour: clock.hour, minute: clock.minute }).toMillis();
    const price = prices.get(priceAt);
    const load = loadKwhAt(household, t);
    const pv = household.get(t);
    if (price === undefined || load === undefined || !pv)
      throw new Error(`${day}: no data at ${clock.toISO()}`);
    slots.push({
      importPrice: round(price),
      exportPrice: round(fixedExport ? FIXED_EXPORT : price * EXPORT_SHARE),
      actualLoadKwh: round(load),
      actualPvKwh: round(pv.pvW / 2000),
    });
  }

  const gap = forecastGapShare(household, startMs, endMs);
  if (gap > MAX_FORECAST_GAP)
    throw new Error(`${day}: no PV forecast for ${Math.round(gap * 100)} % of its PV`);

  const historyStartMs = startMs - HISTORY_DAYS * DAY_MS;
  const hourlyKwh: (number | null)[] = [];
  for (let t = historyStartMs; t < startMs; t += HOUR_MS) {
    const a = loadKwhAt(household, t);
    const b = loadKwhAt(household, t + SLOT_MS);
    // A gap in the household's data is a gap in the recorder's statistics.
    hourlyKwh.push(a === undefined || b === undefined ? null : round(a + b));
  }

  // What the panels made per forecast kWh over the four weeks before (daylight slots only).
  const ratios: number[] = [];
  for (let t = historyStartMs; t < startMs; t += SLOT_MS) {
    const row = household.get(t);
    if (row?.pvForecastW !== undefined && row.pvForecastW > 200) ratios.push(row.pvW / row.pvForecastW);
  }
  ratios.sort((a, b) => a - b);
  const q10 = Math.min(1, quantile(ratios, 0.1));
  const q90 = Math.max(1, quantile(ratios, 0.9));
  const solcast = slots.map((_, i) => {
    const t = startMs + i * SLOT_MS;
    const kw = (household.get(t)?.pvForecastW ?? 0) / 1000;
    return {
      period_start: new Date(t).toISOString(),
      pv_estimate: round(kw),
      pv_estimate10: round(kw * q10),
      pv_estimate90: round(kw * q90),
    };
  });

  // Tomorrow's rates, from the Agile day after the price day at the same London clock times, out
  // at 16:00 as Agile's are. A gap in the price feed leaves them out (as a late supplier would).
  const nextEndMs = local.plus({ days: 2 }).toMillis();
  const nextDay: { importPrice: number; exportPrice: number }[] = [];
  for (let t = endMs; t < nextEndMs; t += SLOT_MS) {
    const clock = DateTime.fromMillis(t, { zone: ZONE });
    const price = prices.get(
      priceDay.plus({ days: 1 }).set({ hour: clock.hour, minute: clock.minute }).toMillis(),
    );
    if (price === undefined) break;
    nextDay.push({
      importPrice: round(price),
      exportPrice: round(fixedExport ? FIXED_EXPORT : price * EXPORT_SHARE),
    });
  }
  const nextDayComplete = nextDay.length === (nextEndMs - endMs) / SLOT_MS;

  // Solcast's forecast_tomorrow during the day: the household's day-ahead forecast of the next
  // local day, its percentiles scaled by today's recent error (Solcast refreshes during the day;
  // the data hold one forecast per instant, so today's sensor tomorrow shows the same median).
  const solcastTomorrow: HomeHistory["solcast"] = [];
  for (let t = endMs; t < nextEndMs; t += SLOT_MS) {
    const row = household.get(t);
    if (!row) break;
    const kw = (row.pvForecastW ?? 0) / 1000;
    solcastTomorrow.push({
      period_start: new Date(t).toISOString(),
      pv_estimate: round(kw),
      pv_estimate10: round(kw * q10),
      pv_estimate90: round(kw * q90),
    });
  }
  const tomorrowComplete = solcastTomorrow.length === (nextEndMs - endMs) / SLOT_MS;
  const tomorrowGap = forecastGapShare(household, endMs, nextEndMs);
  if (tomorrowComplete && tomorrowGap > MAX_FORECAST_GAP)
    throw new Error(`${day}: no PV forecast for ${Math.round(tomorrowGap * 100)} % of tomorrow's PV`);

  const sortedPrices = slots.map((s) => s.importPrice).sort((a, b) => a - b);
  const history = {
    format: HOME_HISTORY_FORMAT,
    name: `home-${day}-${battery.label}-${fixedExport ? "fixed" : "agile"}`,
    timezone: ZONE,
    start: new Date(startMs).toISOString(),
    slotMinutes: 30,
    battery: {
      capacityKwh: battery.capacityKwh,
      minSocKwh: battery.minSocKwh,
      initialSocKwh: round(battery.capacityKwh * 0.3, 3),
      maxChargeKw: battery.maxChargeKw,
      maxDischargeKw: battery.maxDischargeKw,
      chargeEfficiency: 0.95,
      dischargeEfficiency: 0.95,
      cycleCostPerKwh: 0.02,
    },
    grid: { maxImportKw: 20, maxExportKw: 5 },
    terminalValuePerKwh: sortedPrices[Math.floor(sortedPrices.length / 2)]!,
    loadHistory: { start: new Date(historyStartMs).toISOString(), hourlyKwh },
    solcast,
    ...(tomorrowComplete ? { solcastTomorrow } : {}),
    slots,
    ...(nextDayComplete
      ? { nextDayRates: { publishedAt: local.set({ hour: 16 }).toUTC().toISO()!, rates: nextDay } }
      : {}),
    source:
      `EMHASS household (FR) load by local clock, PV by UTC, of ${day}; Agile region A prices of ` +
      `${priceDay.toISODate()} (same weekday, ${weeksBack / 52} years earlier); p10/p90 from the ` +
      `previous ${HISTORY_DAYS} days' PV forecast error`,
  };
  return parseHomeHistory(history, day);
}

/** `wanted`, then the other dates of its month nearest to it, the later first on a tie. */
export function candidateDates(wanted: string): string[] {
  const at = DateTime.fromISO(wanted);
  const out = [wanted];
  for (let shift = 1; shift <= MAX_SHIFT_DAYS; shift++)
    for (const date of [at.plus({ days: shift }), at.minus({ days: shift })])
      if (date.month === at.month) out.push(date.toISODate()!);
  return out;
}

const daysApart = (a: string, b: string) =>
  Math.abs(DateTime.fromISO(a).diff(DateTime.fromISO(b), "days").days);

function main(): void {
  const household = readHousehold();
  const prices = readPrices();
  mkdirSync(OUT, { recursive: true });
  // Rebuilt from scratch: a day that moved must not leave its old file behind.
  for (const file of readdirSync(OUT)) if (/^(tune|day|run)-.*\.json$/.test(file)) rmSync(join(OUT, file));
  const days = [
    ...TUNING_DAYS.map((d) => ["tune", d] as const),
    ...REPORT_DAYS.map((d) => ["day", d] as const),
  ];
  const tuning: string[] = [];
  const reported: string[] = [];
  const moved = (kind: string, wanted: string, day: string) => {
    if (day !== wanted) process.stdout.write(`${kind} ${wanted} → ${day}\n`);
  };
  days.forEach(([kind, wanted], i) => {
    // A day with a gap in the data (the household's logger or PV forecast, the price feed) gives
    // way to the nearest date of its month without one; a held-out day never takes a tuning day,
    // nor the day before or after another held-out one.
    for (const day of candidateDates(wanted)) {
      if (kind === "day" && (tuning.includes(day) || reported.some((d) => daysApart(d, day) <= 1))) continue;
      try {
        const history = buildDay(day, i, household, prices);
        writeFileSync(join(OUT, `${kind}-${day}.json`), `${JSON.stringify(history)}\n`);
        (kind === "tune" ? tuning : reported).push(day);
        moved(kind, wanted, day);
        return;
      } catch (error) {
        process.stderr.write(`${(error as Error).message}; trying another day\n`);
      }
    }
    throw new Error(`${kind} ${wanted}: no complete day within ${MAX_SHIFT_DAYS} days in its month`);
  });
  let runFiles = 0;
  RUN_STARTS.forEach((first, variant) => {
    // A run needs every day complete, tomorrow's rates and PV forecast included (they are what
    // the add-on plans across midnight on); a gap moves the whole run to the nearest start of
    // its month that has none (and no tuning day).
    for (const start of candidateDates(first)) {
      const dates = Array.from(
        { length: RUN_DAYS },
        (_, k) => DateTime.fromISO(start).plus({ days: k }).toISODate()!,
      );
      if (dates.some((d) => tuning.includes(d))) continue;
      try {
        const run = dates.map((day) => buildDay(day, variant, household, prices));
        if (run.some((h) => !h.nextDayRates || !h.solcastTomorrow))
          throw new Error(`${dates[0]}: no tomorrow`);
        run.forEach((history, k) => {
          writeFileSync(join(OUT, `run-${dates[k]}.json`), `${JSON.stringify(history)}\n`);
        });
        runFiles += run.length;
        moved("run", first, start);
        return;
      } catch (error) {
        process.stderr.write(`run ${(error as Error).message}; trying another start\n`);
      }
    }
    throw new Error(`run ${first}: no ${RUN_DAYS} complete days within ${MAX_SHIFT_DAYS} days in its month`);
  });
  process.stdout.write(`wrote ${days.length} days and ${runFiles} run days to ${OUT}\n`);
}

if (process.argv[1]?.endsWith("make-home-history.ts")) main();
