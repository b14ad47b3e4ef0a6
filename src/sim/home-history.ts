// The home-history format `battery-planner-home-history/1` (docs/home-history.md): one real day of
// a home as the digital twin replays it — the day's rates, the recorder's hourly consumption
// before the day (what the add-on's load forecaster learns from), the PV forecast as Solcast
// publishes it (p10/p50/p90, average kW per period), and what the house really used and the panels
// really made in every slot. The add-on never sees the actuals; the world settles against them.
import { readFile } from "node:fs/promises";
import { DateTime } from "luxon";
import { z } from "zod";
import type { PlanProblem } from "../core/types.js";
import { errorMessage, InputError } from "../errors.js";
import { batterySchema, parseScenario, type Scenario } from "../scenario/schema.js";

export const HOME_HISTORY_FORMAT = "battery-planner-home-history/1";
const HOUR_MS = 3_600_000;

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const nonNegative = finite.refine((v) => v >= 0, "must not be negative");
const instant = z.iso.datetime({ offset: true });

export const solcastPeriodSchema = z.object({
  period_start: instant,
  /** Average kW over the period (Solcast's unit), median estimate. */
  pv_estimate: nonNegative,
  pv_estimate10: nonNegative,
  pv_estimate90: nonNegative,
});

export const homeHistorySlotSchema = z.object({
  importPrice: finite,
  exportPrice: finite,
  actualLoadKwh: nonNegative,
  actualPvKwh: nonNegative,
});

/** One 30-minute period of the day after the history, as its rates are published. */
export const nextDayRateSchema = z.object({ importPrice: finite, exportPrice: finite });

export const homeHistorySchema = z
  .object({
    format: z.literal(HOME_HISTORY_FORMAT),
    name: z.string().min(1),
    timezone: z.string().min(1),
    start: instant,
    slotMinutes: z.literal(30),
    battery: batterySchema,
    grid: z.object({ maxImportKw: nonNegative, maxExportKw: nonNegative }),
    terminalValuePerKwh: finite,
    /** Hourly household consumption (kWh) for the hours right before `start`, oldest first; null:
     * the recorder has no row for that hour. */
    loadHistory: z.object({ start: instant, hourlyKwh: z.array(nonNegative.nullable()).min(1) }),
    /** Solcast's detailedForecast for the day, one period per slot. */
    solcast: z.array(solcastPeriodSchema),
    /** Optional: Solcast's forecast for the day after, as its `forecast_tomorrow` sensor holds it
     * during the day, one period per 30 minutes from where `slots` end. Without it the add-on sees
     * no PV beyond the day (as before the format had it). */
    solcastTomorrow: z.array(solcastPeriodSchema).max(50).optional(),
    slots: z.array(homeHistorySlotSchema).min(1).max(144),
    /** The rates of the day after the last slot, one per 30 minutes from where `slots` end, as the
     * Octopus Energy integration's `next_day_rates` entities show them from `publishedAt` (Agile's
     * come out at about 16:00 local). Without it tomorrow's rates never arrive, as in a home whose
     * supplier is late. */
    nextDayRates: z
      .object({ publishedAt: instant, rates: z.array(nextDayRateSchema).min(1).max(50) })
      .optional(),
    /** Where the data came from and how it was mapped; for people, ignored by the code. */
    source: z.string().optional(),
  })
  .superRefine((h, ctx) => {
    const startMs = Date.parse(h.start);
    const historyEndMs = Date.parse(h.loadHistory.start) + h.loadHistory.hourlyKwh.length * HOUR_MS;
    if (historyEndMs !== startMs) {
      ctx.addIssue({
        code: "custom",
        path: ["loadHistory"],
        message: `must end where the day starts (${h.start}), not at ${new Date(historyEndMs).toISOString()}`,
      });
    }
    const endMs = startMs + h.slots.length * h.slotMinutes * 60_000;
    const publishedMs = h.nextDayRates ? Date.parse(h.nextDayRates.publishedAt) : startMs;
    if (publishedMs < startMs || publishedMs >= endMs) {
      ctx.addIssue({
        code: "custom",
        path: ["nextDayRates", "publishedAt"],
        message: "must be within the history's slots (the twin publishes them during the day)",
      });
    }
    if (h.solcast.length !== h.slots.length) {
      ctx.addIssue({
        code: "custom",
        path: ["solcast"],
        message: `has ${h.solcast.length} periods for ${h.slots.length} slots`,
      });
      return;
    }
    h.solcast.forEach((p, i) => {
      if (Date.parse(p.period_start) !== startMs + i * h.slotMinutes * 60_000) {
        ctx.addIssue({
          code: "custom",
          path: ["solcast", i, "period_start"],
          message: "must be the start of the slot with the same index",
        });
      }
    });
    h.solcastTomorrow?.forEach((p, i) => {
      if (Date.parse(p.period_start) !== endMs + i * h.slotMinutes * 60_000) {
        ctx.addIssue({
          code: "custom",
          path: ["solcastTomorrow", i, "period_start"],
          message: "must follow the slots, one period per 30 minutes from where they end",
        });
      }
    });
  });

export type HomeHistory = z.infer<typeof homeHistorySchema>;

/** Validates a parsed JSON value; throws InputError with one line naming the field. */
export function parseHomeHistory(json: unknown, source = "home history"): HomeHistory {
  const result = homeHistorySchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("");
  throw new InputError(source, `${path.replace(/^\./, "") || "file"} ${issue.message}`);
}

/**
 * A planning scenario with actuals is a home history whose recorder holds its own load forecast,
 * day after day: the production forecaster then reproduces that forecast (at the hourly
 * resolution of HA's statistics). Lets `simulate` judge any FORMAT.md file the same way.
 */
export function scenarioToHomeHistory(scenario: Scenario, historyDays = 28): HomeHistory {
  if (scenario.slotMinutes !== 30) {
    throw new InputError(
      scenario.name,
      `slotMinutes ${scenario.slotMinutes}: the twin replays 30-minute days`,
    );
  }
  if (scenario.slots.length > 144) {
    throw new InputError(scenario.name, `${scenario.slots.length} slots: more than the 72-hour horizon`);
  }
  const startMs = Date.parse(scenario.start);
  const slotHours = 0.5;
  const historyStartMs = startMs - historyDays * 24 * HOUR_MS;
  const hourlyKwh = repeatByLocalHour(
    scenario.slots.map((s) => s.loadKwh),
    startMs,
    scenario.timezone,
    historyStartMs,
  );
  return {
    format: HOME_HISTORY_FORMAT,
    name: scenario.name,
    timezone: scenario.timezone,
    start: scenario.start,
    slotMinutes: 30,
    battery: scenario.battery,
    grid: scenario.grid,
    terminalValuePerKwh: scenario.terminalValuePerKwh,
    loadHistory: { start: new Date(historyStartMs).toISOString(), hourlyKwh },
    solcast: scenario.slots.map((s, i) => ({
      period_start: new Date(startMs + i * 30 * 60_000).toISOString(),
      pv_estimate: s.pvKwh / slotHours,
      pv_estimate10: (s.pvP10Kwh ?? s.pvKwh) / slotHours,
      pv_estimate90: (s.pvP90Kwh ?? s.pvKwh) / slotHours,
    })),
    slots: scenario.slots.map((s) => ({
      importPrice: s.importPrice,
      exportPrice: s.exportPrice,
      actualLoadKwh: s.actualLoadKwh ?? s.loadKwh,
      actualPvKwh: s.actualPvKwh ?? s.pvKwh,
    })),
  };
}

/** Reads either format; a scenario becomes a home history (see scenarioToHomeHistory). */
export async function readHomeHistoryFile(file: string | URL): Promise<HomeHistory> {
  const name = file instanceof URL ? file.pathname : file;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      name,
      code ? `cannot read the file (${code})` : `not valid JSON (${errorMessage(error)})`,
    );
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format === HOME_HISTORY_FORMAT) return parseHomeHistory(json, name);
  return scenarioToHomeHistory(parseScenario(json, name));
}

/** The day as a planning problem with perfect foresight: what the hindsight optimum is taken on. */
export function hindsightProblem(history: HomeHistory): PlanProblem {
  const startMs = Date.parse(history.start);
  const slotMs = history.slotMinutes * 60_000;
  return {
    slots: history.slots.map((s, i) => ({
      startMs: startMs + i * slotMs,
      endMs: startMs + (i + 1) * slotMs,
      importPricePerKwh: s.importPrice,
      exportPricePerKwh: s.exportPrice,
      loadKwh: s.actualLoadKwh,
      pvKwh: s.actualPvKwh,
    })),
    battery: history.battery,
    grid: history.grid,
    initialSocKwh: history.battery.initialSocKwh,
    terminalValuePerKwh: history.terminalValuePerKwh,
  };
}

/** The same day with forecasts that are what happened: the add-on "fed perfect forecasts". */
export function withPerfectForecasts(history: HomeHistory): HomeHistory {
  const startMs = Date.parse(history.start);
  const historyStartMs = Date.parse(history.loadHistory.start);
  return {
    ...history,
    name: `${history.name} (perfect forecasts)`,
    loadHistory: {
      start: history.loadHistory.start,
      hourlyKwh: repeatByLocalHour(
        history.slots.map((s) => s.actualLoadKwh),
        startMs,
        history.timezone,
        historyStartMs,
      ),
    },
    solcast: history.solcast.map((p, i) => {
      const kw = history.slots[i]!.actualPvKwh / (history.slotMinutes / 60);
      return { ...p, pv_estimate: kw, pv_estimate10: kw, pv_estimate90: kw };
    }),
  };
}

/**
 * Hourly history from `historyStartMs` up to `dayStartMs` in which every hour holds what the day's
 * 30-minute slots hold at the same local hour: a recorder that saw this day again and again.
 */
function repeatByLocalHour(
  slotKwh: readonly number[],
  dayStartMs: number,
  zone: string,
  historyStartMs: number,
): number[] {
  // The first day's profile: a longer file's later days cannot all be repeated at once.
  const byLocalHour = new Map<number, number>();
  slotKwh.slice(0, 48).forEach((kwh, i) => {
    const hour = DateTime.fromMillis(dayStartMs + i * 30 * 60_000, { zone }).hour;
    byLocalHour.set(hour, (byLocalHour.get(hour) ?? 0) + kwh);
  });
  const out: number[] = [];
  for (let t = historyStartMs; t < dayStartMs; t += HOUR_MS) {
    out.push(byLocalHour.get(DateTime.fromMillis(t, { zone }).hour) ?? 0);
  }
  return out;
}
