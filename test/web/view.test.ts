import { describe, expect, it } from "vitest";
import {
  averageKw,
  chartData,
  currencyDisplay,
  formatMoney,
  jobRunsView,
  nextActions,
  planView,
} from "../../src/web/view.js";
import { DAY_START_MS, knownJobRuns, knownPlan, knownSocHistory, NOW_MS } from "./plan-fixture.js";

const HOUR_MS = 3_600_000;

describe("nextActions", () => {
  it("starts with the current mode from now and lists every later mode change with its window", () => {
    const actions = nextActions(knownPlan(), NOW_MS);
    expect(
      actions.map((a) => [a.mode, (a.atMs - DAY_START_MS) / HOUR_MS, (a.untilMs - DAY_START_MS) / HOUR_MS]),
    ).toEqual([
      ["charge", (NOW_MS - DAY_START_MS) / HOUR_MS, 4],
      ["self-use", 4, 9],
      ["hold", 9, 10],
      ["self-use", 10, 17],
      ["export", 17, 19],
      ["self-use", 19, 24],
    ]);
  });

  it("gives charge and export their target SOC in percent and their power", () => {
    const [charge] = nextActions(knownPlan(), NOW_MS);
    expect(charge).toMatchObject({ mode: "charge", targetSocPct: 90, powerW: 3000 });
    const exportAction = nextActions(knownPlan(), NOW_MS).find((a) => a.mode === "export");
    expect(exportAction).toMatchObject({ targetSocPct: 20, powerW: 2500 });
  });

  it("lists nothing once the plan has run out", () => {
    expect(nextActions(knownPlan(), DAY_START_MS + 25 * HOUR_MS)).toEqual([]);
  });
});

describe("chartData", () => {
  it("aligns prices, planned SOC and measured SOC on one time axis in seconds", () => {
    const data = chartData(knownPlan(), knownSocHistory);
    const n = data.xS.length;
    // 49 slot boundaries plus the two samples that fall between boundaries (01:00 and 03:00 are on one).
    expect(n).toBe(49 + 1);
    for (const series of [
      data.importPricePerKwh,
      data.exportPricePerKwh,
      data.plannedSocPct,
      data.actualSocPct,
      data.loadKw,
      data.pvKw,
    ]) {
      expect(series).toHaveLength(n);
    }
    expect(data.xS[0]).toBe(DAY_START_MS / 1000);
    expect([...data.xS].sort((a, b) => a - b)).toEqual(data.xS);
    expect(data.actualSocPct.filter((v) => v !== null)).toEqual([30, 27, 33, 55]);
    expect(data.bands).toHaveLength(48);
  });

  it("converts planned SOC from kWh to percent of capacity", () => {
    const plan = knownPlan();
    const data = chartData(plan, []);
    const firstSlot = plan.plan.slots[0]!;
    const index = data.xS.indexOf(firstSlot.endMs / 1000);
    expect(data.plannedSocPct[index]).toBeCloseTo((firstSlot.socKwh / plan.capacityKwh) * 100, 1);
  });

  it("starts the planned SOC line at the SOC the plan started from, when known", () => {
    const plan = knownPlan();
    expect(chartData(plan, []).plannedSocPct[0]).toBeNull();
    plan.initialSocKwh = 3.2;
    expect(chartData(plan, []).plannedSocPct[0]).toBe(32);
  });

  it("shows the measured SOC of the hours before the plan, without prices, and ignores older samples", () => {
    const data = chartData(knownPlan(), [
      { atMs: DAY_START_MS - 13 * HOUR_MS, socPct: 80 },
      { atMs: DAY_START_MS - HOUR_MS, socPct: 99 },
    ]);
    expect(data.xS[0]).toBe((DAY_START_MS - HOUR_MS) / 1000);
    expect(data.actualSocPct[0]).toBe(99);
    expect(data.importPricePerKwh[0]).toBeNull();
    expect(data.exportPricePerKwh[0]).toBeNull();
    expect(data.actualSocPct.filter((v) => v !== null)).toEqual([99]);
  });

  it("gives load and PV as average kW over each slot: 1 kWh in 30 min is 2 kW, 0.5 kWh in a 10-min partial slot 3 kW", () => {
    const plan = knownPlan();
    const [partial, full] = plan.plan.slots;
    // The plan made at 00:20 starts with the rest of the first slot.
    partial!.startMs = DAY_START_MS + 20 * 60_000;
    partial!.pvKwh = 0.5;
    partial!.loadKwh = 0.25;
    full!.loadKwh = 1;
    full!.pvKwh = 0;
    const data = chartData(plan, []);
    const atPartial = data.xS.indexOf(partial!.startMs / 1000);
    const atFull = data.xS.indexOf(full!.startMs / 1000);
    expect([data.pvKw[atPartial], data.loadKw[atPartial]]).toEqual([3, 1.5]);
    expect([data.loadKw[atFull], data.pvKw[atFull]]).toEqual([2, 0]);
    // The horizon's end repeats the last slot's power so the step reaches it (0.2 kWh in 30 min).
    expect(data.loadKw[data.xS.length - 1]).toBe(0.4);
  });

  it("draws no load or PV before the plan, where only the measured SOC is", () => {
    const data = chartData(knownPlan(), [{ atMs: DAY_START_MS - HOUR_MS, socPct: 40 }]);
    expect([data.loadKw[0], data.pvKw[0]]).toEqual([null, null]);
    expect(data.loadKw[1]).toBe(0.4);
  });

  it("returns empty series for a plan without slots", () => {
    const plan = knownPlan();
    plan.plan.slots = [];
    expect(chartData(plan, knownSocHistory).xS).toEqual([]);
  });
});

describe("planView", () => {
  it("names the current mode and the summary with the final SOC in percent", () => {
    const view = planView(knownPlan(), knownSocHistory, NOW_MS);
    expect(view.currentMode).toBe("charge");
    expect(view.summary).toMatchObject({ netCost: 1.84, saving: 1.26, finalSocPct: 24 });
    expect(view.endMs - view.startMs).toBe(24 * HOUR_MS);
  });
});

describe("jobRunsView", () => {
  it("puts the newest run first and gives finished runs their duration", () => {
    const runs = jobRunsView([...knownJobRuns].reverse(), NOW_MS);
    expect(runs.map((r) => r.job)).toEqual(["replan", "load-refresh"]);
    expect(runs[0]?.durationMs).toBe(1_200);
    expect(runs[1]?.durationMs).toBe(30_000);
  });

  it("leaves the duration of a running job open", () => {
    const [run] = jobRunsView(
      [{ job: "replan", plannedAtMs: 0, startedAtMs: 5, outcome: "running", attempt: 1 }],
      10,
    );
    expect(run?.durationMs).toBeUndefined();
    expect(run?.health).toBe("running");
  });

  it("judges a run by the runtime's clock: one planned after its now ran early, not failed", () => {
    // A demo whose clock stood still: tomorrow's 16:00 rate check ran (and failed) at today's now.
    const tomorrow = NOW_MS + 20 * HOUR_MS;
    const runs = jobRunsView(
      [
        {
          job: "check-tomorrow-rates",
          plannedAtMs: tomorrow,
          startedAtMs: NOW_MS,
          finishedAtMs: NOW_MS,
          outcome: "failed",
          attempt: 1,
        },
        {
          job: "load-refresh",
          plannedAtMs: NOW_MS - HOUR_MS,
          startedAtMs: NOW_MS - HOUR_MS,
          outcome: "failed",
          attempt: 1,
        },
      ],
      NOW_MS,
    );
    expect(runs.map((r) => [r.job, r.health])).toEqual([
      ["check-tomorrow-rates", "early"],
      ["load-refresh", "failed"],
    ]);
  });
});

describe("averageKw", () => {
  it("has no power for a slot without time", () => {
    expect(averageKw(1, { startMs: 5, endMs: 5 })).toBeNull();
  });
});

describe("formatMoney", () => {
  it("puts the symbol first, the minus before it, and the code after an amount without a symbol", () => {
    expect(formatMoney(1.234, currencyDisplay("GBP"))).toBe("£1.23");
    expect(formatMoney(-0.4, currencyDisplay("EUR"))).toBe("−€0.40");
    expect(formatMoney(1.2, currencyDisplay("SEK"))).toBe("1.20 SEK");
    expect(formatMoney(-0.004, currencyDisplay("GBP"))).toBe("£0.00");
  });
});

describe("currencyDisplay", () => {
  it("writes pounds and pence, euros and cents, and the code for the rest", () => {
    expect(currencyDisplay("GBP")).toEqual({ code: "GBP", symbol: "£", minorSymbol: "p" });
    expect(currencyDisplay("eur")).toEqual({ code: "EUR", symbol: "€", minorSymbol: "c" });
    expect(currencyDisplay("SEK")).toEqual({ code: "SEK" });
    expect(currencyDisplay(undefined)).toEqual({ code: "?" });
  });
});
