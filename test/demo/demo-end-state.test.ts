// What the plan page shows once `npm run demo -- --serve` has played its day and the clock stands
// at midnight: tomorrow's rates came out in the afternoon (the Octopus integration's next_day_rates
// entities, from the home history), so the frozen page is an honest "ok" — not a fallback to
// self-use with red "tomorrow's rates had not arrived" job runs that only the simulator's missing
// data caused. Read over HTTP, as the page reads it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLogSink } from "../../src/log.js";
import { DEFAULT_DEMO_DAY } from "../../src/sim/demo/run-demo.js";
import { readHomeHistoryFile } from "../../src/sim/home-history.js";
import { runTwinDay } from "../../src/sim/twin/run-day.js";

let restore: (() => void) | undefined;
beforeEach(() => {
  restore = setLogSink(() => undefined);
});
afterEach(() => restore?.());

interface PageStatus {
  state: string;
  reason: string;
  nowMs: number;
}
interface PageJobRun {
  job: string;
  outcome: string;
  message?: string;
}

describe("the demo's page after the day", () => {
  it("is ok at the frozen midnight, with tomorrow's rates in and no failed rates check", {
    timeout: 180_000,
  }, async () => {
    const history = await readHomeHistoryFile(DEFAULT_DEMO_DAY);
    expect(history.nextDayRates?.rates).toHaveLength(48);
    let status: PageStatus | undefined;
    let runs: PageJobRun[] = [];
    let plannedUntilMs = 0;
    await runTwinDay(history, {
      web: { host: "127.0.0.1", port: 0 },
      beforeStop: async (addon) => {
        const url = addon.web!.url;
        status = (await (await fetch(new URL("api/status", url))).json()) as PageStatus;
        runs = ((await (await fetch(new URL("api/jobs", url))).json()) as { runs: PageJobRun[] }).runs;
        const plan = addon.runtime.latestPlan()!;
        plannedUntilMs = Math.max(...plan.plan.slots.map((s) => s.endMs));
      },
    });
    const endMs = Date.parse(history.start) + history.slots.length * 30 * 60_000;
    expect(status?.nowMs).toBe(endMs);
    expect(status?.state).toBe("ok");
    expect(status?.reason).not.toMatch(/had not arrived|does not cover now|no import rates/);
    // The plan runs on into the next day, as far as tomorrow's rates go.
    expect(plannedUntilMs).toBe(endMs + 24 * 3_600_000);
    const rateChecks = runs.filter((r) => r.job === "check-tomorrow-rates");
    expect(rateChecks.length).toBeGreaterThan(0);
    expect(rateChecks.every((r) => r.outcome === "ok")).toBe(true);
    expect(runs.filter((r) => r.outcome !== "ok" && r.outcome !== "skipped")).toEqual([]);
  });
});
