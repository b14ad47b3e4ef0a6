// The plan page in a real headless Chromium, behind a stand-in for HA's ingress proxy.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import type { DayScoreRecord, JobRun, RuntimeStatus, StoredPlan } from "../../src/runtime/ports.js";
import { startWebServer, type WebServerHandle } from "../../src/web/server.js";
import { launchChromium } from "./chromium.js";
import { type IngressProxy, startIngressProxy } from "./ingress-proxy.js";
import {
  knownDayScores,
  knownJobRuns,
  knownPlan,
  knownState,
  knownStatus,
  NOW_MS,
  scoredDay,
} from "./plan-fixture.js";

// Outside the repo by default; PAGE_SCREENSHOT=path keeps it where you want to look at it.
const SCREENSHOT = process.env.PAGE_SCREENSHOT ?? join(tmpdir(), "battery-planner-plan-page.png");

let server: WebServerHandle;
// What the runtime reports; the refresh test changes both.
let status: RuntimeStatus = knownStatus;
let plan: StoredPlan | undefined = knownPlan();
let jobs: JobRun[] = knownJobRuns;
let days: DayScoreRecord[] = knownDayScores;
let proxy: IngressProxy;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  server = await startWebServer({
    host: "127.0.0.1",
    port: 0,
    state: {
      ...knownState({
        getStatus: () => status,
        getPlan: () => plan,
        getJobRuns: () => jobs,
        getDayScores: () => days,
      }),
      currency: "GBP",
    },
    nowMs: () => NOW_MS,
    // "Yesterday" is the home's: pinned like the browser's zone, not this machine's.
    timeZone: "UTC",
    log: createLogger("web-test"),
  });
  proxy = await startIngressProxy(server.port);
  browser = await launchChromium();
  // The page shows times in the browser's zone; pin it so the expected times are stable.
  const context = await browser.newContext({
    timezoneId: "UTC",
    locale: "en-GB",
    viewport: { width: 1100, height: 1000 },
  });
  page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  await page.goto(proxy.pageUrl);
  await page.waitForFunction(
    () => (window as unknown as { batteryPlanner?: { plot?: unknown } }).batteryPlanner?.plot !== undefined,
  );
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.close();
});

describe("plan page under the ingress prefix", () => {
  it("loads every resource through the prefix, without script errors", () => {
    expect(proxy.escaped).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it("draws the plan's series into a uPlot chart", async () => {
    const shape = await page.evaluate(() => {
      const plot = (
        window as unknown as { batteryPlanner: { plot: { series: { label?: string }[]; data: unknown[][] } } }
      ).batteryPlanner.plot;
      return { labels: plot.series.map((s) => s.label ?? ""), lengths: plot.data.map((d) => d.length) };
    });
    expect(shape.labels.slice(1)).toEqual([
      "Import price",
      "Export price",
      "Planned SOC",
      "Actual SOC",
      "Planned load",
      "Planned PV",
    ]);
    expect(new Set(shape.lengths)).toEqual(new Set([50]));
  });

  it("draws the planned load and PV in kW on their own axis, with a legend", async () => {
    const drawn = await page.evaluate(() => {
      const plot = (
        window as unknown as {
          batteryPlanner: { plot: { data: (number | null)[][]; axes: { label?: string; scale?: string }[] } };
        }
      ).batteryPlanner.plot;
      const legend = [...document.querySelectorAll("#chart .u-legend .u-series .u-label")].map(
        (el) => el.textContent,
      );
      return {
        load: plot.data[5]?.[0],
        pv: plot.data[6]?.[0],
        axis: plot.axes.find((a) => a.scale === "power")?.label,
        legend,
      };
    });
    // The fixture's slots plan 0.2 kWh of load in each half hour and no PV.
    expect(drawn).toMatchObject({ load: 0.4, pv: 0, axis: "kW" });
    expect(drawn.legend).toEqual(expect.arrayContaining(["Planned load", "Planned PV"]));
  });

  it("paints the chart canvas with the mode bands and lines", async () => {
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>("#chart canvas");
      if (!canvas) return { width: 0, colours: 0 };
      const ctx = canvas.getContext("2d");
      const pixels = ctx?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
      const colours = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4 * 97) {
        if (pixels[i + 3]! > 0) colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
      }
      return { width: canvas.width, colours: colours.size };
    });
    expect(painted.width).toBeGreaterThan(300);
    // Four band colours plus line colours at the very least; a blank canvas has none.
    expect(painted.colours).toBeGreaterThan(6);
  });

  it("shows the status and why", async () => {
    expect(await page.textContent("#status-state")).toBe("ok");
    expect(await page.textContent("#status-reason")).toBe("charging while import is cheap");
    expect(await page.textContent("#status-command")).toBe("charge to 90 % at 3.0 kW");
    // battery.power_entity, as the options document it: shown on the page.
    expect(await page.textContent("#status-battery")).toMatch(/^62 %, charging 3\.0 kW \(\d\d:\d\d\)$/);
  });

  it("lists the next mode changes with their times", async () => {
    const items = await page.$$eval("#next-actions li", (lis) => lis.map((li) => li.textContent ?? ""));
    expect(items).toEqual([
      "03:10–04:00charge to 90 % at 3.0 kW",
      "04:00–09:00self-use",
      "09:00–10:00hold",
      "10:00–17:00self-use",
      "17:00–19:00export to 20 % at 2.5 kW",
      "19:00–Tue 00:00self-use",
    ]);
  });

  it("shows the predicted cost and saving", async () => {
    expect(await page.textContent("#cost-net")).toBe("£1.84");
    expect(await page.textContent("#cost-saving")).toBe("£1.26");
  });

  it("scores yesterday against idle and the hindsight optimum, and lists the days before", async () => {
    expect(await page.textContent("#day-score-day")).toBe("Yesterday");
    expect(await page.textContent("#day-score-share")).toBe("80 % of the best possible");
    const lines = await page.$$eval("#day-score-lines dd", (dds) => dds.map((dd) => dd.textContent));
    expect(lines).toEqual(["£1.20", "£1.50", "£3.10", "£1.90", "£1.60"]);
    const rows = await page.$$eval("#day-score-rows tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
    );
    expect(rows).toEqual([
      ["Yesterday", "80 %", "£1.20", ""],
      ["Sat 30 May", "75 %", "£0.75", ""],
    ]);
    expect(await page.isVisible("#day-score-empty")).toBe(false);
  });

  it("lists the recent job runs with outcome and duration", async () => {
    const rows = await page.$$eval("#jobs-body tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
    );
    expect(rows).toEqual([
      ["replan", "03:00", "ok", "1.2 s", "1", ""],
      ["load-refresh", "02:10", "failed", "30.0 s", "2", "recorder unavailable"],
    ]);
  });

  it("labels prices in pence per kWh, from the home's currency", async () => {
    const label = await page.evaluate(() => {
      const plot = (window as unknown as { batteryPlanner: { plot: { axes: { label?: string }[] } } })
        .batteryPlanner.plot;
      return plot.axes[1]?.label;
    });
    expect(label).toBe("price, p/kWh");
  });

  it("renders readably (screenshot for a human look)", async () => {
    const image = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(image.byteLength).toBeGreaterThan(10_000);
  });
});

describe("plan page on a phone", () => {
  it("fits a 390 px wide screen without scrolling sideways", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 } });
    try {
      await phone.goto(proxy.pageUrl);
      await phone.waitForFunction(
        () =>
          (window as unknown as { batteryPlanner?: { plot?: unknown } }).batteryPlanner?.plot !== undefined,
      );
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await phone.isVisible("#day-score-card")).toBe(true);
      // Three axis titles would leave the plot a sliver: there a caption names the axes instead.
      const axes = await phone.evaluate(() =>
        (
          window as unknown as { batteryPlanner: { plot: { axes: { label?: string }[] } } }
        ).batteryPlanner.plot.axes.map((a) => a.label ?? ""),
      );
      expect(axes).toEqual(["", "", "", ""]);
      expect(await phone.textContent("#chart-axes")).toBe(
        "left: price p/kWh · right: SOC %, then load and PV kW",
      );
    } finally {
      await phone.close();
    }
  });
});

describe("plan page in a browser set to US English", () => {
  it("shows the same 24-hour times, not the browser's 12-hour ones", async () => {
    const context = await browser.newContext({ timezoneId: "UTC", locale: "en-US" });
    try {
      const us = await context.newPage();
      await us.goto(proxy.pageUrl);
      await us.waitForFunction(() => document.body.dataset.loaded === "true");
      const first = await us.$eval("#next-actions li .when", (el) => el.textContent);
      expect(first).toBe("03:10–04:00");
      const started = await us.$$eval("#jobs-body tr td:nth-child(2)", (tds) =>
        tds.map((td) => td.textContent),
      );
      expect(started).toEqual(["03:00", "02:10"]);
    } finally {
      await context.close();
    }
  });
});

describe("plan page refresh", () => {
  type PageApi = { batteryPlanner: { refresh(): Promise<void>; plot: { data: number[][] } } };

  it("shows the runtime's new status and redraws a new plan version", async () => {
    status = {
      ...knownStatus,
      state: "fallback",
      reason: "inverter unreachable",
      currentCommand: { mode: "self-use" },
    };
    const next = knownPlan();
    next.planVersion = 8;
    for (const slot of next.plan.slots) slot.importPricePerKwh = 0.5;
    plan = next;
    await page.evaluate(() => (window as unknown as PageApi).batteryPlanner.refresh());
    expect(await page.textContent("#status-state")).toBe("fallback");
    expect(await page.textContent("#status-reason")).toBe("inverter unreachable");
    const firstPrice = await page.evaluate(
      () => (window as unknown as PageApi).batteryPlanner.plot.data[1]?.[0],
    );
    expect(firstPrice).toBe(0.5);
    expect(await page.textContent("#plan-meta")).toContain("Plan v8");
  });

  it("greys out a job that ran before its time on the runtime's clock, instead of showing it red", async () => {
    // What a demo's frozen clock did: tomorrow's rate check ran, and failed, at today's now.
    jobs = [
      ...knownJobRuns,
      {
        job: "check-tomorrow-rates",
        plannedAtMs: NOW_MS + 20 * 3_600_000,
        startedAtMs: NOW_MS,
        finishedAtMs: NOW_MS,
        outcome: "failed",
        attempt: 1,
        message: "tomorrow's rates had not arrived by 16:00",
      },
    ];
    await page.evaluate(() => (window as unknown as PageApi).batteryPlanner.refresh());
    const rows = await page.$$eval("#jobs-body tr", (trs) =>
      trs.map((tr) => ({
        job: tr.querySelector("td")?.textContent,
        outcome: tr.querySelectorAll("td")[2]?.textContent,
        colour: getComputedStyle(tr.querySelector("td")!).color,
      })),
    );
    const early = rows.find((r) => r.job === "check-tomorrow-rates")!;
    const failed = rows.find((r) => r.job === "load-refresh")!;
    expect(early.outcome).toBe("failed (ran before its time)");
    expect(failed.colour).toBe("rgb(198, 40, 40)");
    expect(early.colour).not.toBe(failed.colour);
    jobs = knownJobRuns;
  });

  it("says plainly that a day the battery was not driven is what the plans would have saved", async () => {
    days = [scoredDay(1, { replayed: true })];
    await page.evaluate(() => (window as unknown as PageApi).batteryPlanner.refresh());
    expect(await page.textContent("#day-score-lines dt")).toBe("Would have saved");
    expect(await page.textContent("#day-score-note")).toMatch(
      /^Dry run or control off: the battery was not driven/,
    );
    expect(await page.isVisible("#day-score-recent")).toBe(false);
  });

  it("shows why a day was not scored, and what to expect before the first score", async () => {
    const { score: _, ...unscored } = scoredDay(1, { reason: "no load statistics for the day" });
    days = [unscored];
    await page.evaluate(() => (window as unknown as PageApi).batteryPlanner.refresh());
    expect(await page.textContent("#day-score-share")).toBe("not scored: no load statistics for the day");
    expect(await page.$$("#day-score-lines dd")).toHaveLength(0);
    days = [];
    await page.evaluate(() => (window as unknown as PageApi).batteryPlanner.refresh());
    expect(await page.isVisible("#day-score-latest")).toBe(false);
    expect(await page.textContent("#day-score-empty")).toContain("after the first full day");
    days = knownDayScores;
  });

  it("says so when there is no plan yet", async () => {
    plan = undefined;
    await page.evaluate(() => (window as unknown as PageApi).batteryPlanner.refresh());
    expect(await page.isVisible("#no-plan")).toBe(true);
  });
});
