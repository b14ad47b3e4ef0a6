import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { startBuiltinJobs } from "../../src/runtime/builtin-jobs.js";
import { ratesFingerprint } from "../../src/runtime/problem.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { createScheduler } from "../../src/runtime/scheduler.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import {
  agileLikeRates,
  FakeInputs,
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
  return { config, clock, inputs, publisher, sim, runtime, scheduler, dataDir };
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
    expect(publisher.plans.length).toBeGreaterThan(1);
  });

  it("runs days of schedule in milliseconds of test time", async () => {
    const { clock, runtime, scheduler } = await setup();
    await scheduler.start();
    await clock.advance(24 * 60 * MINUTE);
    scheduler.stop();
    // One plan per replan period (aged) plus the first.
    expect(runtime.latestPlan()!.planVersion).toBeGreaterThanOrEqual(48);
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

  it("rate-limits triggered replans", async () => {
    const { clock, scheduler, inputs } = await setup();
    await scheduler.start();
    const before = inputs.reads;
    scheduler.notifyChange({ kind: "settings" });
    await clock.advance(11_000);
    scheduler.notifyChange({ kind: "settings" });
    await clock.advance(11_000);
    expect(inputs.reads - before).toBe(1);
    await clock.advance(60_000);
    expect(inputs.reads - before).toBe(2);
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

describe("built-in jobs", () => {
  it("raises the status and notifies when tomorrow's rates are late, and clears it when they arrive", async () => {
    const { clock, runtime, inputs, publisher, dataDir } = await setup(Date.parse("2025-01-14T12:00:00Z"));
    inputs.importRates = agileLikeRates(T0, 48); // today only
    const jobs = await startBuiltinJobs(runtime, dataDir, "Europe/London");
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

  it("refreshes the load forecast daily at the configured local time", async () => {
    const { clock, runtime, inputs, dataDir } = await setup(Date.parse("2025-01-14T12:00:00Z"));
    const jobs = await startBuiltinJobs(runtime, dataDir, "Europe/London");
    clock.waitAfterEachTimer(() => jobs.whenIdle());
    await clock.advance(2 * 24 * 60 * MINUTE);
    expect(inputs.refreshes).toBe(2);
    expect(loadRefreshRun(runtime)?.outcome).toBe("ok");
    jobs.stop();
  });
});

function loadRefreshRun(runtime: { recentJobRuns(): { job: string; outcome: string }[] }) {
  return runtime.recentJobRuns().find((r) => r.job === "refresh-load-forecast");
}
