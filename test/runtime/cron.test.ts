import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { type CatchUpPolicy, createCronRunner, type JobSpec } from "../../src/runtime/cron.js";
import type { Clock, JobRun } from "../../src/runtime/ports.js";
import { FakeClock } from "../fakes/clock.js";
import { JumpingClock } from "../fakes/jumping-clock.js";
import { tempDir } from "./helpers.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse("2025-03-28T12:00:00Z");

function job(overrides: Partial<JobSpec> & { calls: number[] }): JobSpec {
  const { calls, ...rest } = overrides;
  return {
    name: "daily",
    schedule: "15 3 * * *",
    timezone: "Europe/London",
    timeoutMs: 60_000,
    retries: 0,
    backoffMs: 60_000,
    catchUp: { policy: "skip" },
    run: async ({ plannedAtMs }) => {
      calls.push(plannedAtMs);
      return "done";
    },
    ...rest,
  };
}

async function runner(clock: FakeClock | JumpingClock, dir: string, jobs: JobSpec[], runs: JobRun[] = []) {
  const r = await createCronRunner({
    jobs,
    clock: clock as Clock,
    dataDir: dir,
    log: createLogger("test"),
    onRun: (run) => runs.push(run),
  });
  (clock instanceof JumpingClock ? clock.base : clock).waitAfterEachTimer(() => r.whenIdle());
  await r.start();
  await r.whenIdle();
  return r;
}

async function advance(clock: FakeClock | JumpingClock, ms: number, r: { whenIdle(): Promise<void> }) {
  await clock.advance(ms);
  await r.whenIdle();
}

describe("cron jobs", () => {
  it("runs daily at the local time across a DST change, days in milliseconds", async () => {
    const clock = new FakeClock(START);
    const calls: number[] = [];
    const r = await runner(clock, await tempDir(), [job({ calls })]);
    await advance(clock, 3 * DAY, r);
    expect(calls.map((ms) => new Date(ms).toISOString())).toEqual([
      "2025-03-29T03:15:00.000Z", // GMT
      "2025-03-30T02:15:00.000Z", // BST from 01:00 UTC on the 30th
      "2025-03-31T02:15:00.000Z",
    ]);
  });

  it("a restart neither runs an occurrence twice nor drops it", async () => {
    const dir = await tempDir();
    const clock = new FakeClock(START);
    const calls: number[] = [];
    const first = await runner(clock, dir, [job({ calls, catchUp: { policy: "all", windowMs: 2 * DAY } })]);
    await advance(clock, DAY, first);
    first.stop();
    expect(calls).toHaveLength(1);
    // Restart immediately: the occurrence already run is not run again.
    const second = await runner(clock, dir, [job({ calls, catchUp: { policy: "all", windowMs: 2 * DAY } })]);
    expect(calls).toHaveLength(1);
    second.stop();
    // Down for two days: both missed occurrences run on the next start.
    await clock.advance(2 * DAY);
    const third = await runner(clock, dir, [job({ calls, catchUp: { policy: "all", windowMs: 3 * DAY } })]);
    expect(calls).toHaveLength(3);
    third.stop();
  });

  it.each<[CatchUpPolicy, number, number]>([
    [{ policy: "skip" }, 0, 3],
    [{ policy: "latest" }, 1, 2],
    [{ policy: "all", windowMs: 36 * HOUR }, 2, 1],
  ])(
    "catch-up %j after three missed days runs %i and records %i as skipped",
    async (catchUp, ran, skipped) => {
      const dir = await tempDir();
      const clock = new FakeClock(START);
      const calls: number[] = [];
      (await runner(clock, dir, [job({ calls, catchUp })])).stop();
      await clock.advance(3 * DAY);
      const runs: JobRun[] = [];
      const r = await runner(clock, dir, [job({ calls, catchUp })], runs);
      expect(calls).toHaveLength(ran);
      expect(r.records().filter((x) => x.outcome === "skipped")).toHaveLength(skipped);
    },
  );

  it("retries a failing run with backoff, then gives up", async () => {
    const clock = new FakeClock(START);
    const attempts: number[] = [];
    const failing = job({
      calls: [],
      retries: 2,
      backoffMs: 10 * 60_000,
      run: async ({ attempt }) => {
        attempts.push(clock.nowMs());
        throw new Error(`attempt ${attempt} failed`);
      },
    });
    const runs: JobRun[] = [];
    const r = await runner(clock, await tempDir(), [failing], runs);
    await advance(clock, DAY, r);
    expect(attempts).toHaveLength(3);
    expect((attempts[1]! - attempts[0]!) / 60_000).toBe(10);
    expect((attempts[2]! - attempts[1]!) / 60_000).toBe(20);
    expect(runs.filter((x) => x.outcome === "failed").map((x) => x.attempt)).toEqual([1, 2, 3]);
  });

  it("times out a run that hangs", async () => {
    const clock = new FakeClock(START);
    const hanging = job({ calls: [], timeoutMs: 60_000, run: () => new Promise<never>(() => undefined) });
    const runs: JobRun[] = [];
    const r = await runner(clock, await tempDir(), [hanging], runs);
    await advance(clock, DAY, r);
    expect(runs.at(-1)).toMatchObject({ outcome: "timeout" });
  });

  it("retries after a restart a run that died half-way", async () => {
    const dir = await tempDir();
    const clock = new FakeClock(START);
    const hanging = job({ calls: [], timeoutMs: DAY, run: () => new Promise<never>(() => undefined) });
    const first = await runner(clock, dir, [hanging]);
    await advance(clock, 16 * HOUR, first); // the 03:15 run starts and never finishes: the process "dies"
    first.stop();
    expect(first.records().at(-1)).toMatchObject({ outcome: "running", attempt: 1 });
    const calls: number[] = [];
    const second = await runner(clock, dir, [job({ calls })]);
    expect(calls).toEqual([Date.parse("2025-03-29T03:15:00Z")]);
    expect(second.records().at(-1)).toMatchObject({ outcome: "ok", attempt: 2 });
    second.stop();
  });

  it("runs a timed retry every backoff period with a fixed backoff", async () => {
    const clock = new FakeClock(START);
    const attempts: number[] = [];
    const failing = job({
      calls: [],
      retries: 4,
      backoffMs: 15 * 60_000,
      backoff: "fixed",
      run: async () => {
        attempts.push(clock.nowMs());
        throw new Error("not yet");
      },
    });
    const r = await runner(clock, await tempDir(), [failing]);
    await advance(clock, DAY, r);
    expect(attempts.map((ms) => (ms - attempts[0]!) / 60_000)).toEqual([0, 15, 30, 45, 60]);
  });
});

describe("a damaged jobs.json", () => {
  it("one bad record loses only itself: a run already made is not made again, the original is kept", async () => {
    const dir = await tempDir();
    const clock = new FakeClock(START);
    const calls: number[] = [];
    const first = await runner(clock, dir, [job({ calls, catchUp: { policy: "all", windowMs: 2 * DAY } })]);
    await advance(clock, DAY, first);
    first.stop();
    expect(calls).toHaveLength(1);
    const path = join(dir, "jobs.json");
    const state = JSON.parse(await readFile(path, "utf8"));
    state.occurrences.push({ job: "daily", plannedAtMs: "soon", outcome: "ok" }, null);
    await writeFile(path, JSON.stringify(state));
    const second = await runner(clock, dir, [job({ calls, catchUp: { policy: "all", windowMs: 2 * DAY } })]);
    second.stop();
    expect(calls).toHaveLength(1);
    const aside = (await readdir(dir)).filter((n) => n.startsWith("jobs.json.damaged-"));
    expect(aside).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, aside[0]!), "utf8")).occurrences).toHaveLength(3);
    expect(JSON.parse(await readFile(path, "utf8")).occurrences).toHaveLength(1);
  });
});

describe("cron jobs across wall-clock jumps", () => {
  const MIDNIGHT = Date.parse("2025-01-14T00:00:00Z"); // London is on GMT: local = UTC

  it("runs at the local time the clock reads after it jumps back 3 hours", async () => {
    const clock = new JumpingClock(new FakeClock(MIDNIGHT));
    const ranAt: number[] = [];
    const r = await runner(clock, await tempDir(), [
      job({ calls: [], run: async () => void ranAt.push(clock.nowMs()) }),
    ]);
    await advance(clock, 30 * 60_000, r);
    clock.jump(-3 * HOUR); // 21:30 the day before
    await advance(clock, 8 * HOUR, r);
    expect(ranAt.map((ms) => new Date(ms).toISOString())).toEqual(["2025-01-14T03:15:00.000Z"]);
  });

  it("runs a due occurrence within a minute when the clock jumps forward past it", async () => {
    const clock = new JumpingClock(new FakeClock(MIDNIGHT));
    const ranAt: number[] = [];
    const r = await runner(clock, await tempDir(), [
      job({ calls: [], run: async () => void ranAt.push(clock.nowMs()) }),
    ]);
    await advance(clock, 30 * 60_000, r);
    clock.jump(5 * HOUR); // 05:30, past 03:15
    await advance(clock, 2 * 60_000, r);
    expect(ranAt.map((ms) => new Date(ms).toISOString())).toEqual(["2025-01-14T05:31:00.000Z"]);
  });

  it("a last run recorded in the future (a clock that ran ahead) does not hold the job back", async () => {
    const dir = await tempDir();
    const ahead = new FakeClock(MIDNIGHT + 2 * DAY);
    const first = await runner(ahead, dir, [job({ calls: [] })]);
    await advance(ahead, 4 * HOUR, first); // runs "2025-01-16T03:15"
    first.stop();
    const calls: number[] = [];
    const clock = new FakeClock(MIDNIGHT); // NTP put the clock right
    const second = await runner(clock, dir, [job({ calls })]);
    await advance(clock, 4 * HOUR, second);
    expect(calls.map((ms) => new Date(ms).toISOString())).toEqual(["2025-01-14T03:15:00.000Z"]);
    second.stop();
  });
});
