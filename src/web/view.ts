// Turns the runtime's plan, status and job runs into the JSON the page draws. Pure: `nowMs` is
// passed in. The chart arrays are uPlot's aligned-data shape (one x array, one y array per series,
// null where a series has no point) so the browser does no arithmetic of its own.
import { slotHours } from "../core/physics.js";
import type { Mode, PlanSlot } from "../core/types.js";
import type { JobRun, RuntimeStatus, StoredPlan } from "../runtime/ports.js";
import type { SocSample } from "./state.js";

/** How much measured SOC before the plan's start the chart shows. */
export const SOC_HISTORY_SHOWN_MS = 12 * 3_600_000;

export interface ModeBand {
  startS: number;
  endS: number;
  mode: Mode;
}

export interface ChartData {
  /** Seconds since the epoch (uPlot's time unit): slot boundaries merged with SOC sample times. */
  xS: number[];
  importPricePerKwh: (number | null)[];
  exportPricePerKwh: (number | null)[];
  plannedSocPct: (number | null)[];
  actualSocPct: (number | null)[];
  /** The plan's forecast load and PV as average power over each slot: energies per slot would
   * make a short slot (the partial one at now) look smaller than a full one at the same power. */
  loadKw: (number | null)[];
  pvKw: (number | null)[];
  bands: ModeBand[];
}

export interface NextAction {
  atMs: number;
  /** When this mode is planned to end (the next change, or the horizon's end). */
  untilMs: number;
  mode: Mode;
  targetSocPct?: number;
  powerW?: number;
}

export interface PlanView {
  planVersion: number;
  computedAtMs: number;
  inputsReadAtMs: number;
  reason: string;
  startMs: number;
  endMs: number;
  summary: { netCost: number; idleCost: number; saving: number; modeChanges: number; finalSocPct: number };
  currentMode?: Mode;
  nextActions: NextAction[];
  chart: ChartData;
}

/** How a run reads on the page: `early` is a run that started before its planned time by the
 * runtime's clock (a stopped or jumped clock, never a fault of the home), shown greyed, never red. */
export type JobHealth = "ok" | "failed" | "running" | "skipped" | "early";

export interface JobRunView extends JobRun {
  durationMs?: number;
  health: JobHealth;
}

/** How money reads: £1.23 and 15.2p/kWh for GBP, €1.23 and 15.2c/kWh for EUR, else the code. */
export interface CurrencyDisplay {
  code: string;
  /** Before the amount ("£"), or undefined to write the code after it ("1.23 SEK"). */
  symbol?: string;
  /** The hundredth, for prices per kWh ("p", "c", "¢"); undefined: prices in the main unit. */
  minorSymbol?: string;
}

const CURRENCIES: Record<string, Omit<CurrencyDisplay, "code">> = {
  GBP: { symbol: "£", minorSymbol: "p" },
  EUR: { symbol: "€", minorSymbol: "c" },
  USD: { symbol: "$", minorSymbol: "¢" },
  AUD: { symbol: "$", minorSymbol: "c" },
  NZD: { symbol: "$", minorSymbol: "c" },
  CAD: { symbol: "$", minorSymbol: "¢" },
  CHF: { symbol: "CHF ", minorSymbol: "Rp" },
};

export function currencyDisplay(code: string | undefined): CurrencyDisplay {
  const upper = (code ?? "").trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) return { code: upper || "?" };
  return { code: upper, ...CURRENCIES[upper] };
}

/** £1.23, −£0.40, 1.23 SEK: the rule client.ts's `money()` follows for the amounts it formats
 * itself (it runs in the browser and can import nothing, so it carries its own copy). */
export function formatMoney(value: number, currency: CurrencyDisplay): string {
  const amount = Math.abs(value).toFixed(2);
  // −0.004 rounds to 0.00: no minus sign in front of a zero.
  const sign = value < 0 && amount !== "0.00" ? "−" : "";
  return currency.symbol ? `${sign}${currency.symbol}${amount}` : `${sign}${amount} ${currency.code}`.trim();
}

const MAX_NEXT_ACTIONS = 8;

function toPct(energyKwh: number, capacityKwh: number): number {
  if (!(capacityKwh > 0)) return 0;
  return Math.round((energyKwh / capacityKwh) * 1000) / 10;
}

/** A slot's energy as the average power over it; null for an empty slot (no time to spread over). */
export function averageKw(energyKwh: number, slot: { startMs: number; endMs: number }): number | null {
  const hours = slotHours(slot);
  // To the watt: the JSON carries 3, not 3.0000000000000004.
  return hours > 0 ? Math.round((energyKwh / hours) * 1000) / 1000 : null;
}

function slotAt(slots: readonly PlanSlot[], tMs: number): PlanSlot | undefined {
  return slots.find((s) => s.startMs <= tMs && tMs < s.endMs);
}

/** The mode changes from now on: the current slot's mode first, then every slot whose mode differs
 * from the one before it. */
export function nextActions(stored: StoredPlan, nowMs: number, limit = MAX_NEXT_ACTIONS): NextAction[] {
  const slots = stored.plan.slots.filter((s) => s.endMs > nowMs);
  const runs: NextAction[] = [];
  for (const slot of slots) {
    const last = runs[runs.length - 1];
    if (last && last.mode === slot.mode) {
      last.untilMs = slot.endMs;
      continue;
    }
    const action: NextAction = { atMs: Math.max(slot.startMs, nowMs), untilMs: slot.endMs, mode: slot.mode };
    if (slot.mode === "charge" || slot.mode === "export") {
      action.targetSocPct = toPct(slot.targetSocKwh, stored.capacityKwh);
      action.powerW = Math.abs(slot.powerW);
    }
    runs.push(action);
  }
  return runs.slice(0, limit);
}

export function chartData(stored: StoredPlan, history: readonly SocSample[]): ChartData {
  const slots = stored.plan.slots;
  const first = slots[0];
  const last = slots[slots.length - 1];
  if (!first || !last) {
    return {
      xS: [],
      importPricePerKwh: [],
      exportPricePerKwh: [],
      plannedSocPct: [],
      actualSocPct: [],
      loadKw: [],
      pvKw: [],
      bands: [],
    };
  }
  const plannedAt = new Map<number, number>();
  if (stored.initialSocKwh !== undefined)
    plannedAt.set(first.startMs, toPct(stored.initialSocKwh, stored.capacityKwh));
  for (const s of slots) plannedAt.set(s.endMs, toPct(s.socKwh, stored.capacityKwh));
  // The plan starts now, so "the actual SOC so far" lies before it: show the last hours of it.
  const actualAt = new Map<number, number>();
  for (const h of history) {
    if (h.atMs >= first.startMs - SOC_HISTORY_SHOWN_MS && h.atMs <= last.endMs && Number.isFinite(h.socPct))
      actualAt.set(h.atMs, h.socPct);
  }
  const times = new Set<number>([first.startMs, ...plannedAt.keys(), ...actualAt.keys()]);
  const sorted = [...times].sort((a, b) => a - b);
  const data: ChartData = {
    xS: [],
    importPricePerKwh: [],
    exportPricePerKwh: [],
    plannedSocPct: [],
    actualSocPct: [],
    loadKw: [],
    pvKw: [],
    bands: slots.map((s) => ({ startS: s.startMs / 1000, endS: s.endMs / 1000, mode: s.mode })),
  };
  for (const tMs of sorted) {
    // The horizon's end belongs to no slot; it repeats the last price so the step line reaches it.
    // Before the plan there are no prices to draw, only the measured SOC.
    const slot = tMs < first.startMs ? undefined : (slotAt(slots, tMs) ?? last);
    data.xS.push(tMs / 1000);
    data.importPricePerKwh.push(slot ? slot.importPricePerKwh : null);
    data.exportPricePerKwh.push(slot ? slot.exportPricePerKwh : null);
    data.plannedSocPct.push(plannedAt.get(tMs) ?? null);
    data.actualSocPct.push(actualAt.get(tMs) ?? null);
    // Steps like the prices: drawn from each point to the next, so the slot's value holds across it.
    data.loadKw.push(slot ? averageKw(slot.loadKwh, slot) : null);
    data.pvKw.push(slot ? averageKw(slot.pvKwh, slot) : null);
  }
  return data;
}

export function planView(stored: StoredPlan, history: readonly SocSample[], nowMs: number): PlanView {
  const slots = stored.plan.slots;
  const summary = stored.plan.summary;
  const view: PlanView = {
    planVersion: stored.planVersion,
    computedAtMs: stored.computedAtMs,
    inputsReadAtMs: stored.inputsReadAtMs,
    reason: stored.reason,
    startMs: slots[0]?.startMs ?? stored.computedAtMs,
    endMs: slots[slots.length - 1]?.endMs ?? stored.computedAtMs,
    summary: {
      netCost: summary.netCost,
      idleCost: summary.idleCost,
      saving: summary.saving,
      modeChanges: summary.modeChanges,
      finalSocPct: toPct(summary.finalSocKwh, stored.capacityKwh),
    },
    nextActions: nextActions(stored, nowMs),
    chart: chartData(stored, history),
  };
  const current = slotAt(slots, nowMs);
  if (current) view.currentMode = current.mode;
  return view;
}

/** Slack before a run counts as early: timers may fire a little ahead of their time. */
const EARLY_SLACK_MS = 5_000;

export function jobHealth(run: JobRun, nowMs: number): JobHealth {
  // Judged on the runtime's clock (the one the jobs run on), never the browser's: a demo's
  // accelerated or frozen clock is far from the wall clock.
  if (run.startedAtMs < run.plannedAtMs - EARLY_SLACK_MS || run.plannedAtMs > nowMs + EARLY_SLACK_MS)
    return "early";
  switch (run.outcome) {
    case "ok":
      return "ok";
    case "skipped":
      return "skipped";
    case "running":
      return "running";
    case "failed":
    case "timeout":
      return "failed";
  }
}

export function jobRunsView(runs: readonly JobRun[], nowMs: number, limit = 20): JobRunView[] {
  return [...runs]
    .sort((a, b) => b.startedAtMs - a.startedAtMs)
    .slice(0, limit)
    .map((run) => {
      const view: JobRunView = { ...run, health: jobHealth(run, nowMs) };
      if (run.finishedAtMs !== undefined) view.durationMs = Math.max(0, run.finishedAtMs - run.startedAtMs);
      return view;
    });
}

export interface StatusView extends RuntimeStatus {
  /** The runtime's now: the page's "now" line and today/tomorrow follow it, not the browser. */
  nowMs: number;
  currency: CurrencyDisplay;
}

export function statusView(status: RuntimeStatus, nowMs: number, currency: string | undefined): StatusView {
  return { ...status, nowMs, currency: currencyDisplay(currency) };
}
