import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/log.js";
import { startBuiltinJobs } from "../../src/runtime/builtin-jobs.js";
import { ratesFingerprint } from "../../src/runtime/problem.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { createScheduler } from "../../src/runtime/scheduler.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import { JumpingClock } from "../fakes/jumping-clock.js";
import {
  agileLikeRates,
  FakeInputs,
  flatLoad,
  RecordingPublisher,
  simBattery,
  T0,
  tempDir,
  testConfig,
} from "./helpers.js";

const MINUTE = 60_000;

async function setup(startMs = T0 + 7 * MINUTE) {
  const config = testConfig({ schedule: { replan_minutes: 30, debounce_seconds: 10 } });
  const clock = new FakeClock(startMs);
  const inputs = new FakeInputs();
  inputs.importRates = agileLikeRates(T0, 48 * 4);
  const publisher = new RecordingPublisher();
  const sim = new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5);
  const dataDir = await tempDir();
  const runtime = await createRuntime({
    inputs,
    publisher,
    controllers: { modbus: sim },
    dataDir,
    clock,
    config,
  });
  const scheduler = createScheduler({
    runtime,
    clock,
    log: createLogger("test"),
    slotMinutes: 30,
    replanMinutes: 30,
    socTolerancePct: 5,
    debounceMs: 10_000,
    minTriggerIntervalMs: MINUTE,
  });
  clock.waitAfterEachTimer(() => scheduler.whenIdle());
  const world = { config, clock, inputs, publisher };
  return { config, clock, inputs, publisher, sim, runtime, scheduler, dataDir, world };
}

describe("scheduler", () => {
  it("runs a cycle at start and then on every slot boundary of the wall clock", async () => {
    const { clock, runtime, scheduler, publisher, sim } = await setup();
    await scheduler.start();
    expect(runtime.latestPlan()?.planVersion).toBe(1);
    const executedAt: number[] = [];
    const read = sim.readState.bind(sim);
    sim.readState = () => {
      executedAt.push(clock.nowMs());
      return read();
    };
    await clock.advance(2 * 60 * MINUTE);
    scheduler.stop();
    expect(executedAt.map((ms) => (ms - T0) / MINUTE)).toEqual([30, 60, 90, 120]);
    // Planned at start (00:07); at 00:30 the 23-minute-old plan is reused; aged from 01:00 on.
    expect(publisher.plans.map((p) => (p.computedAtMs - T0) / MINUTE)).toEqual([7, 60, 90, 120]);
  });

  it("runs days of schedule in milliseconds of test time", async () => {
    const { clock, runtime, scheduler, inputs, publisher } = await setup();
    inputs.importRates = agileLikeRates(T0, 4 * 48);
    await scheduler.start();
    await clock.advance(24 * 60 * MINUTE);
    scheduler.stop();
    // The plan made at start (00:07) is reused at 00:30 (same inputs, 23 minutes old); from 01:00
    // on every slot boundary finds it aged: 1 + 47 plans, each at a boundary.
    expect(publisher.plans.map((p) => (p.computedAtMs - T0) / MINUTE)).toEqual([
      7,
      ...Array.from({ length: 47 }, (_, i) => 60 + 30 * i),
    ]);
    expect(publisher.plans.map((p) => p.planVersion)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(runtime.latestPlan()!.planVersion).toBe(48);
  });

  it("debounces a burst of entity changes into one replan", async () => {
    const { clock, runtime, scheduler, inputs } = await setup();
    await scheduler.start();
    const before = inputs.reads;
    for (let i = 0; i < 5; i++) {
      expect(scheduler.notifyChange({ kind: "rates", fingerprint: `new-${i}` }).replan).toBe(true);
      await clock.advance(2_000);
    }
    await clock.advance(10_000);
    expect(inputs.reads - before).toBe(1);
    expect(runtime.latestPlan()!.reason).toContain("rates changed");
    scheduler.stop();
  });

  it("rate-limits replans triggered by entity changes to one a minute", async () => {
    const { clock, scheduler, inputs } = await setup();
    await scheduler.start();
    const t = clock.nowMs();
    const readsAt = recordReads(inputs, clock);
    scheduler.notifyChange({ kind: "settings" });
    await clock.advance(11_000);
    scheduler.notifyChange({ kind: "settings" });
    await clock.advance(2 * MINUTE);
    // The first after the 10 s debounce; the second held until a minute after the first.
    expect(readsAt.map((ms) => ms - t)).toEqual([10_000, 10_000 + MINUTE]);
    scheduler.stop();
  });

  it("a manual replan right after a triggered one is not rate-limited", async () => {
    const { clock, runtime, scheduler, inputs } = await setup();
    await scheduler.start();
    const t = clock.nowMs();
    const readsAt = recordReads(inputs, clock);
    scheduler.notifyChange({ kind: "settings" });
    await clock.advance(15_000);
    runtime.requestReplan("button");
    await clock.advance(0);
    expect(readsAt.map((ms) => ms - t)).toEqual([10_000, 15_000]);
    expect(runtime.latestPlan()!.reason).toBe("manual: button");
    scheduler.stop();
  });

  it("an override gets a plan at once, even right after a triggered replan", async () => {
    const { clock, runtime, scheduler, inputs } = await setup();
    await scheduler.start();
    const t = clock.nowMs();
    scheduler.notifyChange({ kind: "settings" });
    await clock.advance(12_000);
    const readsAt = recordReads(inputs, clock);
    const id = await runtime.createOverride({ mode: "hold", durationMinutes: 60 });
    await clock.advance(0);
    expect(readsAt.map((ms) => ms - t)).toEqual([12_000]);
    expect(runtime.latestPlan()!.reason).toBe(`manual: override ${id} created`);
    scheduler.stop();
  });

  it("ignores changes that do not warrant a replan", async () => {
    const { clock, runtime, scheduler, inputs } = await setup();
    await scheduler.start();
    const plan = runtime.latestPlan()!;
    const before = inputs.reads;
    const decision = scheduler.notifyChange({ kind: "rates", fingerprint: plan.ratesFingerprint! });
    expect(decision).toEqual({ replan: false, reason: "unchanged" });
    await clock.advance(20_000);
    expect(inputs.reads).toBe(before);
    scheduler.stop();
  });

  it("an adapter can compute the rates fingerprint the plan was made from", async () => {
    const { clock, runtime, scheduler, inputs } = await setup();
    await scheduler.start();
    const fingerprint = ratesFingerprint(await inputs.readInputs(clock.nowMs()));
    expect(scheduler.notifyChange({ kind: "rates", fingerprint }).replan).toBe(false);
    expect(runtime.latestPlan()!.ratesFingerprint).toBe(fingerprint);
    scheduler.stop();
  });

  it("a manual replan request goes through at once", async () => {
    const { clock, runtime, scheduler } = await setup();
    await scheduler.start();
    runtime.requestReplan("button");
    await clock.advance(0);
    expect(runtime.latestPlan()!.reason).toBe("manual: button");
    scheduler.stop();
  });
});

describe("scheduler across wall-clock jumps", () => {
  async function jumpingSetup() {
    const base = new FakeClock(T0 + 7 * MINUTE);
    const clock = new JumpingClock(base);
    const config = testConfig({ schedule: { replan_minutes: 30, debounce_seconds: 10 } });
    const inputs = new FakeInputs();
    inputs.importRates = agileLikeRates(T0 - 48 * 60 * MINUTE, 48 * 6);
    inputs.load = flatLoad(T0 - 48 * 60 * MINUTE, 48 * 6);
    const plansAt: number[] = [];
    const publisher = new RecordingPublisher();
    const publishPlan = publisher.publishPlan.bind(publisher);
    publisher.publishPlan = (plan, status) => {
      plansAt.push(clock.nowMs());
      return publishPlan(plan, status);
    };
    const sim = new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5);
    const executedAt: number[] = [];
    const read = sim.readState.bind(sim);
    sim.readState = () => {
      executedAt.push(clock.nowMs());
      return read();
    };
    const runtime = await createRuntime({
      inputs,
      publisher,
      controllers: { modbus: sim },
      dataDir: await tempDir(),
      clock,
      config,
    });
    const scheduler = createScheduler({
      runtime,
      clock,
      log: createLogger("test"),
      slotMinutes: 30,
      replanMinutes: 30,
      socTolerancePct: 5,
      debounceMs: 10_000,
      minTriggerIntervalMs: MINUTE,
    });
    base.waitAfterEachTimer(() => scheduler.whenIdle());
    return { clock, runtime, scheduler, plansAt, executedAt };
  }

  for (const jumpMs of [-3 * 60 * MINUTE, -2 * 24 * 60 * MINUTE, 5 * 60 * MINUTE]) {
    const what = `${jumpMs < 0 ? "back" : "forward"} by ${Math.abs(jumpMs) / (60 * MINUTE)} h`;
    it(`re-plans a minute after the wall clock jumps ${what}, then keeps to the new boundaries`, async () => {
      const { clock, runtime, scheduler, plansAt, executedAt } = await jumpingSetup();
      await scheduler.start();
      await clock.advance(10 * MINUTE); // 00:17
      clock.jump(jumpMs);
      const jumpedAt = clock.nowMs(); // hh:17 on the new clock
      plansAt.length = 0;
      executedAt.length = 0;
      await clock.advance(61 * MINUTE);
      scheduler.stop();
      // Seen at the next one-minute wake-up: a plan from the corrected clock, which the store
      // accepts although the last plan's inputs were read "later"; then the new clock's :30 and :00.
      expect(plansAt[0]! - jumpedAt).toBe(MINUTE);
      expect(executedAt.map((ms) => (ms - jumpedAt) / MINUTE)).toEqual([1, 13, 43]);
      expect(runtime.latestPlan()!.plan.slots[0]!.startMs).toBeLessThanOrEqual(clock.nowMs());
      expect(runtime.latestPlan()!.plan.slots[0]!.endMs).toBeGreaterThan(clock.nowMs());
    });
  }
});

describe("built-in jobs", () => {
  it("re-checks late rates every 15 minutes until they arrive", async () => {
    const { clock, runtime, inputs, dataDir, world } = await setup(Date.parse("2025-01-14T12:00:00Z"));
    inputs.importRates = agileLikeRates(T0, 48); // today only
    const jobs = await startBuiltinJobs(runtime, world, dataDir, "Europe/London");
    clock.waitAfterEachTimer(() => jobs.whenIdle());
    const readsAt = recordReads(inputs, clock);
    await clock.advance(6 * 60 * MINUTE); // 18:00
    await clock.advance(5 * 60 * MINUTE); // 23:00
    const deadline = Date.parse("2025-01-14T18:00:00Z");
    expect(readsAt.map((ms) => (ms - deadline) / MINUTE)).toEqual(
      Array.from({ length: 21 }, (_, i) => i * 15),
    );
    inputs.importRates = agileLikeRates(T0, 94);
    await clock.advance(60 * MINUTE);
    expect(readsAt.length).toBe(22);
    expect(runtime.status().reason).not.toContain("tomorrow's rates");
    jobs.stop();
  });

  it("raises the status and notifies when tomorrow's rates are late, and clears it when they arrive", async () => {
    const { clock, runtime, inputs, publisher, dataDir, world } = await setup(
      Date.parse("2025-01-14T12:00:00Z"),
    );
    inputs.importRates = agileLikeRates(T0, 48); // today only
    const jobs = await startBuiltinJobs(runtime, world, dataDir, "Europe/London");
    clock.waitAfterEachTimer(() => jobs.whenIdle());
    await clock.advance(6 * 60 * MINUTE + MINUTE); // past 18:00
    expect(runtime.status().reason).toContain("tomorrow's rates had not arrived by 18:00");
    expect(publisher.notifications).toHaveLength(1);
    expect(publisher.ratesLateEvents).toEqual([{ deadline: "18:00", coveredUntilMs: expect.any(Number) }]);
    expect(
      runtime.recentJobRuns().some((r) => r.job === "check-tomorrow-rates" && r.outcome === "failed"),
    ).toBe(true);
    inputs.importRates = agileLikeRates(T0, 94); // Agile-style: tomorrow's prices end at 23:00
    await clock.advance(20 * MINUTE);
    expect(runtime.status().reason).not.toContain("tomorrow's rates");
    expect(publisher.notifications).toHaveLength(1);
    jobs.stop();
  });

  it("scores yesterday at 00:30 from what it kept and what the meters say, and publishes it", async () => {
    const { clock, runtime, scheduler, inputs, publisher, dataDir, world } = await setup(T0);
    inputs.importRates = agileLikeRates(T0, 4 * 48);
    await scheduler.start();
    const jobs = await startBuiltinJobs(runtime, world, dataDir, "Europe/London");
    clock.waitAfterEachTimer(async () => {
      await Promise.all([scheduler.whenIdle(), jobs.whenIdle()]);
    });
    await clock.advance(24 * 60 * MINUTE + 29 * MINUTE);
    expect(publisher.dayScores).toEqual([]);
    await clock.advance(2 * MINUTE);
    // The job's file writes are real I/O, outside the fake clock.
    await vi.waitFor(() => expect(publisher.dayScores).toHaveLength(1));
    const record = publisher.dayScores[0]!;
    expect(record).toMatchObject({ date: "2025-01-14", replayed: false, slotsScored: 48, slotsInDay: 48 });
    expect(record.score!.idleCost).toBeCloseTo(
      agileLikeRates(T0, 48).reduce((sum, r) => sum + 0.3 * r.pricePerKwh, 0),
      9,
    );
    expect(runtime.dayScores().map((r) => r.date)).toEqual(["2025-01-14"]);
    await vi.waitFor(() => expect(runScore(runtime)?.outcome).toBe("ok"));
    expect(runScore(runtime)).toMatchObject({
      outcome: "ok",
      message: expect.stringMatching(/^2025-01-14: saved -?\d/),
    });
    // Once a day: the next night scores the next day, nothing in between.
    await clock.advance(23 * 60 * MINUTE);
    expect(publisher.dayScores).toHaveLength(1);
    scheduler.stop();
    jobs.stop();
  });

  it("tries the score again every half hour while the meters cannot be read", async () => {
    const { clock, runtime, scheduler, inputs, publisher, dataDir, world } = await setup(T0);
    inputs.importRates = agileLikeRates(T0, 4 * 48);
    await scheduler.start();
    const jobs = await startBuiltinJobs(runtime, world, dataDir, "Europe/London");
    clock.waitAfterEachTimer(async () => {
      await Promise.all([scheduler.whenIdle(), jobs.whenIdle()]);
    });
    await clock.advance(24 * 60 * MINUTE);
    inputs.measured = async () => {
      throw new Error("Home Assistant is restarting");
    };
    await clock.advance(31 * MINUTE);
    await vi.waitFor(() => expect(runScore(runtime)?.outcome).toBe("failed"));
    expect(publisher.dayScores).toEqual([]);
    inputs.measured = undefined;
    await clock.advance(30 * MINUTE);
    await vi.waitFor(() => expect(publisher.dayScores.map((r) => r.date)).toEqual(["2025-01-14"]));
    expect(inputs.measuredReads).toBe(2);
    scheduler.stop();
    jobs.stop();
  });

  it("refreshes the load forecast daily at the configured local time", async () => {
    const { clock, runtime, inputs, dataDir, world } = await setup(Date.parse("2025-01-14T12:00:00Z"));
    const jobs = await startBuiltinJobs(runtime, world, dataDir, "Europe/London");
    clock.waitAfterEachTimer(() => jobs.whenIdle());
    await clock.advance(2 * 24 * 60 * MINUTE);
    expect(inputs.refreshes).toBe(2);
    expect(loadRefreshRun(runtime)?.outcome).toBe("ok");
    jobs.stop();
  });
});

/** The latest run of the day-score job. */
function runScore(runtime: { recentJobRuns(): { job: string; outcome: string; message?: string }[] }) {
  return runtime
    .recentJobRuns()
    .filter((r) => r.job === "score-yesterday")
    .at(-1);
}

/** The clock readings at which the inputs are read from now on. */
function recordReads(inputs: FakeInputs, clock: { nowMs(): number }): number[] {
  const readsAt: number[] = [];
  const read = inputs.readInputs.bind(inputs);
  inputs.readInputs = (nowMs) => {
    readsAt.push(clock.nowMs());
    return read(nowMs);
  };
  return readsAt;
}

function loadRefreshRun(runtime: { recentJobRuns(): { job: string; outcome: string }[] }) {
  return runtime.recentJobRuns().find((r) => r.job === "refresh-load-forecast");
}
