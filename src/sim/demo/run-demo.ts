// The demo: one real day of the digital twin (src/sim/twin) — the add-on exactly as users run it
// (startAddon), against the bundled Home Assistant simulator serving the day's Agile rates, a
// Solcast forecast and four weeks of recorder history, and a simulated Sungrow inverter over Modbus
// TCP whose battery moves with what it is told and with what the house really used. Time is
// virtual: the same day prints the same figures on every run, in seconds.

import { scoreDay } from "../../core/day-score.js";
import { idleCost } from "../../core/physics.js";
import { createLogger, setLogLevel } from "../../log.js";
import { type HomeHistory, hindsightProblem, readHomeHistoryFile } from "../home-history.js";
import { runTwinDay, type TwinSlot } from "../twin/run-day.js";
import { type Bill, executedHeader, formatBill, formatExecutedSlot, formatStoredPlan } from "./report.js";

export const DEFAULT_DEMO_DAY = new URL(
  "../../../test/fixtures/home-history/day-2024-11-20.json",
  import.meta.url,
);

export interface DemoOptions {
  /** A home-history file (or a scenario with actuals); default: a real Agile day of November. */
  dayPath?: string;
  /** Simulated hours to run (from the day's start). */
  hours: number;
  /** Keep serving the plan page after the simulated period. */
  serve: boolean;
  port: number;
  print: (line: string) => void;
  /** Show the add-on's own log (info level) on stderr. */
  verbose?: boolean;
}

export interface DemoResult {
  history: HomeHistory;
  rows: TwinSlot[];
  bill: Bill;
  planVersions: number;
  pageUrl: string | undefined;
}

const CURRENCY = "GBP";

function firstHours(history: HomeHistory, hours: number): HomeHistory {
  const slots = Math.max(1, Math.min(history.slots.length, Math.round((hours * 60) / history.slotMinutes)));
  if (slots === history.slots.length) return history;
  // Cut short, the day has no "next day" whose rates or PV forecast could be out during it.
  const { nextDayRates: _, solcastTomorrow: __, ...rest } = history;
  return { ...rest, slots: history.slots.slice(0, slots), solcast: history.solcast.slice(0, slots) };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const print = options.print;
  setLogLevel(options.verbose ? "info" : "error");
  const history = firstHours(await readHomeHistoryFile(options.dayPath ?? DEFAULT_DEMO_DAY), options.hours);
  const zone = history.timezone;
  const slotMs = history.slotMinutes * 60_000;
  const startMs = Date.parse(history.start);
  const idleOf = (row: TwinSlot) => {
    const i = Math.round((row.startMs - startMs) / slotMs);
    return idleCost({ slots: [hindsightProblem(history).slots[i]!], grid: history.grid });
  };
  let pageUrl: string | undefined;
  print(`${history.name}: ${history.source ?? "a home-history day"}`);
  const result = await runTwinDay(history, {
    log: createLogger("demo"),
    ...(options.serve ? { web: { host: "127.0.0.1", port: options.port } } : {}),
    onStarted: (addon) => {
      pageUrl = addon.web?.url;
      if (pageUrl) print(`Plan page: ${pageUrl}`);
      const first = addon.runtime.latestPlan();
      print(
        first ? formatStoredPlan(first, zone, CURRENCY) : `No plan yet: ${addon.runtime.status().reason}`,
      );
      print("");
      print("Executed on the simulated inverter, slot by slot (settled against what the house really used):");
      print(executedHeader(CURRENCY));
    },
    onSlot: (row) => print(formatExecutedSlot(row, idleOf(row), zone)),
    beforeStop: async () => {
      if (!options.serve || !pageUrl) return;
      print(`Serving the plan page at ${pageUrl} until Ctrl-C`);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    },
  });
  const selfUse = await runTwinDay(history, { control: "self-use" });
  const score = scoreDay(hindsightProblem(history), result.netCost);
  const { battery } = history;
  const startSocPct = (battery.initialSocKwh / battery.capacityKwh) * 100;
  const bill: Bill = {
    currency: CURRENCY,
    slots: result.slots.length,
    billCost: result.billCost,
    startSocPct,
    endSocPct: (result.finalSocKwh / battery.capacityKwh) * 100,
    storedGainKwh: result.finalSocKwh - battery.initialSocKwh,
    terminalValuePerKwh: history.terminalValuePerKwh,
    netCost: result.netCost,
    idleCost: score.idleCost,
    selfUseNetCost: selfUse.netCost,
    hindsightNetCost: score.hindsightCost,
  };
  print("");
  print(formatBill(bill));
  print(`Plans made: ${result.planVersions}; inverter register writes: ${result.inverterWrites}`);
  return { history, rows: result.slots, bill, planVersions: result.planVersions, pageUrl };
}
