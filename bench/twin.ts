// The closed-loop benchmark on real days, through the digital twin (src/sim/twin): the add-on's own
// composition on a virtual clock against the HA simulator and a simulated inverter replaying
// test/fixtures/home-history. Per day and summed: the battery idle, self-use only (nobody controls
// the inverter), the add-on, the add-on fed perfect forecasts, and the hindsight optimum; the share
// of the optimum saving each reaches; the load forecaster's error against a "same slot last week"
// baseline. Then the runs of consecutive days (run-*.json) through one add-on that never restarts,
// each run judged as a whole against the hindsight optimum of the run (its first day's SOC, a
// terminal value at its end only): a day judged alone values what is left at midnight at a
// terminal value, so an add-on that ends a day emptier before tomorrow's cheap night looks worse
// than it is.
//   npx tsx bench/twin.ts [--json] [--days N] [DIR]
// The forecaster and PV-risk defaults are tuned on the tuning days by bench/tune.ts instead.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { scoreDay } from "../src/core/day-score.js";
import { setLogLevel } from "../src/log.js";
import {
  type HomeHistory,
  hindsightProblem,
  parseHomeHistory,
  withPerfectForecasts,
} from "../src/sim/home-history.js";
import { hindsightCost, runTwinDay, runTwinDays, type TwinOptions } from "../src/sim/twin/run-day.js";
import { consecutiveRuns, scoreRun } from "../src/sim/twin/runs.js";
import { idleNetCost } from "./check-plan.js";
import { dayForecast, type ForecastError, forecastError, lastWeekForecast } from "./load-forecast-error.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const limitAt = args.indexOf("--days");
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Number.POSITIVE_INFINITY;
const dir =
  args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--days") ?? "test/fixtures/home-history";

interface DayRow {
  name: string;
  idle: number;
  selfUse: number;
  addon: number;
  perfectForecasts: number;
  hindsight: number;
  runMs: number;
}

function readDays(prefix: string): HomeHistory[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".json"))
    .sort()
    .slice(0, limit)
    .map((f) => parseHomeHistory(JSON.parse(readFileSync(join(dir, f), "utf8")), f));
}

async function judgeDay(history: HomeHistory, twin: TwinOptions = {}): Promise<DayRow> {
  const started = performance.now();
  const addon = await runTwinDay(history, twin);
  const runMs = performance.now() - started;
  const selfUse = await runTwinDay(history, { control: "self-use" });
  const perfect = await runTwinDay(withPerfectForecasts(history), twin);
  return {
    name: history.name,
    idle: idleNetCost(hindsightProblem(history)),
    selfUse: selfUse.netCost,
    addon: addon.netCost,
    perfectForecasts: perfect.netCost,
    hindsight: hindsightCost(history),
    runMs,
  };
}

interface RunRow extends DayRow {
  /** The same add-on run cut at midnight, each day judged alone from the SOC the run had at its
   * start (its own terminal value, its own optimum): what a one-day judge would make of it. */
  addonDayByDay: { saving: number; possibleSaving: number };
}

/** A run of consecutive days through one add-on, judged as a whole. */
async function judgeRun(days: readonly HomeHistory[]): Promise<RunRow> {
  const started = performance.now();
  const addon = await runTwinDays(days);
  const runMs = performance.now() - started;
  const selfUse = await runTwinDays(days, { control: "self-use" });
  const perfect = await runTwinDays(days, { perfectForecasts: true });
  const score = scoreRun(days, addon.netCost);
  const dayByDay = days.map((day, i) => {
    const own = addon.days[i]!;
    return scoreDay({ ...hindsightProblem(day), initialSocKwh: own.startSocKwh }, own.netCost);
  });
  return {
    addonDayByDay: {
      saving: dayByDay.reduce((s, d) => s + d.saving, 0),
      possibleSaving: dayByDay.reduce((s, d) => s + d.possibleSaving, 0),
    },
    name: `${days[0]!.name} +${days.length - 1}d`,
    idle: score.idleCost,
    selfUse: selfUse.netCost,
    addon: addon.netCost,
    perfectForecasts: perfect.netCost,
    hindsight: score.hindsightCost,
    runMs,
  };
}

const KEYS = ["idle", "selfUse", "addon", "perfectForecasts", "hindsight"] as const;
function totals(rows: readonly DayRow[]) {
  const total = Object.fromEntries(KEYS.map((k) => [k, rows.reduce((s, r) => s + r[k], 0)])) as Record<
    (typeof KEYS)[number],
    number
  >;
  const share = (cost: number) => (total.idle - cost) / (total.idle - total.hindsight);
  return {
    total,
    share: Object.fromEntries(KEYS.map((k) => [k, share(total[k])])) as Record<(typeof KEYS)[number], number>,
  };
}

function dayByDayShare(rows: readonly RunRow[]): number {
  const saving = rows.reduce((s, r) => s + r.addonDayByDay.saving, 0);
  return saving / rows.reduce((s, r) => s + r.addonDayByDay.possibleSaving, 0);
}

const fmt = (v: number) => v.toFixed(2).padStart(8);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const errText = (e: ForecastError) =>
  `MAE ${e.maeKwh.toFixed(3)} kWh/slot, bias ${e.biasKwh >= 0 ? "+" : ""}${e.biasKwh.toFixed(3)} kWh/slot`;

function costLines(rows: readonly DayRow[], label: string): string[] {
  const { total, share } = totals(rows);
  return [
    `${label.padEnd(44)}     idle  selfuse    addon  perfect hindsight  (net cost, GBP)`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(44)} ${fmt(r.idle)} ${fmt(r.selfUse)} ${fmt(r.addon)} ${fmt(r.perfectForecasts)} ${fmt(r.hindsight)}`,
    ),
    `${`total (${rows.length} ${label}s)`.padEnd(44)} ${fmt(total.idle)} ${fmt(total.selfUse)} ${fmt(total.addon)} ${fmt(total.perfectForecasts)} ${fmt(total.hindsight)}`,
    "",
    "share of the hindsight-optimum saving:",
    `  battery idle            ${pct(share.idle)}`,
    `  self-use only           ${pct(share.selfUse)}`,
    `  the add-on              ${pct(share.addon)}`,
    `  add-on, perfect fcasts  ${pct(share.perfectForecasts)}`,
    ...(["agile", "fixed"] as const).map((kind) => {
      const some = totals(rows.filter((r) => r.name.includes(`-${kind}`)));
      return `  ${kind} export ${label}s: self-use ${pct(some.share.selfUse)}, add-on ${pct(some.share.addon)}, perfect forecasts ${pct(some.share.perfectForecasts)}`;
    }),
  ];
}

async function report(): Promise<void> {
  const days = readDays("day-");
  const rows = await inPool(days, async (day) => {
    const row = await judgeDay(day);
    if (!json) process.stderr.write(".");
    return row;
  });
  // Runs of consecutive days, each run judged as one (src/sim/twin/runs.ts).
  const runs = consecutiveRuns(readDays("run-"));
  const runRows = await inPool(runs, async (run) => {
    const row = await judgeRun(run);
    if (!json) process.stderr.write(":");
    return row;
  });
  const forecaster = forecastError(days, (h) => dayForecast(h));
  const lastWeek = forecastError(days, lastWeekForecast);
  const runDays = runs.flat();
  const runForecaster = forecastError(runDays, (h) => dayForecast(h));
  if (json) {
    const { total, share } = totals(rows);
    const runTotals = totals(runRows);
    process.stdout.write(
      `${JSON.stringify(
        {
          days: rows,
          total,
          share,
          forecaster,
          lastWeek,
          runs: runRows.map((r, i) => ({ ...r, days: runs[i]!.length })),
          runTotal: runTotals.total,
          runShare: runTotals.share,
          runAddonDayByDayShare: dayByDayShare(runRows),
          runForecaster,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines = [
    "",
    "each day alone (day-*.json), judged against its own hindsight optimum:",
    ...costLines(rows, "day"),
    "",
    `load forecast vs what happened (${forecaster.slots} slots):`,
    `  the add-on's forecaster ${errText(forecaster)}`,
    `  same slot last week     ${errText(lastWeek)}`,
    `twin run time: median ${median(rows.map((r) => r.runMs)).toFixed(0)} ms per day (add-on run)`,
    "",
    `runs of consecutive days (run-*.json), one add-on throughout, each run judged as a whole:`,
    ...costLines(runRows, "run"),
    `  the add-on's runs cut at midnight, each day judged alone: ${pct(dayByDayShare(runRows))}`,
    `  the add-on's load forecaster on the runs' days (${runForecaster.slots} slots): ${errText(runForecaster)}`,
    `twin run time: median ${median(runRows.map((r) => r.runMs)).toFixed(0)} ms per run (add-on run)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Days run a few at a time: a twin spends much of its time waiting on its sockets. */
async function inPool<T, R>(items: readonly T[], work: (item: T) => Promise<R>, size = 3): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

setLogLevel("error");
await report();
