// Characterisation of planOnce / executeOnce / cycle: what the runtime does in each situation.
import { describe, expect, it } from "vitest";
import { createRuntime, type RuntimeDeps } from "../../src/runtime/runtime.js";
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

async function setup(configOverrides: Record<string, unknown> = {}, dataDir?: string) {
  const config = testConfig(configOverrides);
  const clock = new FakeClock(T0 + 60_000);
  const inputs = new FakeInputs();
  const publisher = new RecordingPublisher();
  const sim = new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5);
  const dir = dataDir ?? (await tempDir());
  const deps: RuntimeDeps = { inputs, publisher, controllers: { modbus: sim }, dataDir: dir, clock, config };
  const runtime = await createRuntime(deps);
  return { config, clock, inputs, publisher, sim, dir, runtime, deps };
}

describe("planOnce", () => {
  it("makes, persists and publishes a plan on first call", async () => {
    const { runtime, publisher } = await setup();
    const outcome = await runtime.planOnce({ reason: "startup" });
    expect(outcome).toMatchObject({ ok: true, recomputed: true, planValid: true, planVersion: 1 });
    expect(publisher.plans).toHaveLength(1);
    expect(runtime.latestPlan()?.reason).toBe("startup");
  });

  it("reuses a fresh plan whose inputs did not change", async () => {
    const { runtime, clock, inputs } = await setup();
    await runtime.planOnce({ reason: "startup" });
    await clock.advance(5 * 60_000);
    inputs.socPct = runtime.latestPlan()!.plan.slots[0]!.socKwh * 10; // on plan
    const outcome = await runtime.planOnce({ reason: "tick" });
    expect(outcome).toMatchObject({ ok: true, recomputed: false, planVersion: 1 });
  });

  it("recomputes when the rates change", async () => {
    const { runtime, inputs } = await setup();
    await runtime.planOnce({ reason: "startup" });
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i % 48 === 20 ? 0.01 : 0.3));
    const outcome = await runtime.planOnce({ reason: "rates changed" });
    expect(outcome).toMatchObject({ ok: true, recomputed: true, planVersion: 2 });
  });

  it("recomputes an aged plan and persists it like any other", async () => {
    const { runtime, clock, deps } = await setup();
    await runtime.planOnce({ reason: "startup" });
    await clock.advance(31 * 60_000);
    const outcome = await runtime.planOnce({ reason: "tick" });
    expect(outcome).toMatchObject({ ok: true, recomputed: true, planVersion: 2 });
    const restarted = await createRuntime({ ...deps });
    expect(restarted.latestPlan()?.planVersion).toBe(2);
    expect(restarted.latestPlan()?.reason).toContain("aged");
  });

  it("says there are no rates instead of planning", async () => {
    const { runtime, inputs, publisher } = await setup();
    inputs.importRates = [];
    const outcome = await runtime.planOnce({ reason: "startup" });
    expect(outcome).toMatchObject({ ok: false, reason: "no-rates" });
    expect(publisher.lastStatus()?.reason).toContain("no import rates");
  });

  it("says there is no battery state instead of planning", async () => {
    const { runtime, inputs } = await setup();
    inputs.socPct = Number.NaN;
    expect(await runtime.planOnce({ reason: "startup" })).toMatchObject({
      ok: false,
      reason: "no-battery-state",
    });
  });

  it("reports invalid inputs when the reader throws", async () => {
    const { runtime, inputs } = await setup();
    inputs.fail = new Error("garbage");
    expect(await runtime.planOnce({ reason: "startup" })).toMatchObject({
      ok: false,
      reason: "inputs-invalid",
    });
  });

  it("plans all-zero rates without forcing the battery", async () => {
    const { runtime, inputs, sim } = await setup();
    inputs.importRates = agileLikeRates(T0, 96, () => 0);
    const outcome = await runtime.planOnce({ reason: "startup" });
    expect(outcome).toMatchObject({ ok: true, planValid: true });
    const modes = new Set(runtime.latestPlan()!.plan.slots.map((s) => s.mode));
    expect(modes.has("export")).toBe(false);
    await runtime.executeOnce({ refetchInverter: true });
    expect(sim.registers.mode).not.toBe("export");
  });

  it("ends the horizon where the rates end", async () => {
    const { runtime, inputs } = await setup();
    inputs.importRates = agileLikeRates(T0, 20);
    await runtime.planOnce({ reason: "startup" });
    expect(runtime.latestPlan()!.plan.slots.at(-1)!.endMs).toBe(T0 + 20 * 30 * 60_000);
  });
});

describe("executeOnce", () => {
  it("applies the current slot of the plan to the inverter", async () => {
    const { runtime, sim } = await setup();
    await runtime.planOnce({ reason: "startup" });
    const outcome = await runtime.executeOnce({ refetchInverter: true });
    expect(outcome.decision.source).toBe("plan");
    expect(sim.registers.mode).toBe(runtime.latestPlan()!.plan.slots[0]!.mode);
  });

  it("falls back to self-use and says why when the inverter cannot be read", async () => {
    const { runtime, sim, publisher } = await setup();
    await runtime.planOnce({ reason: "startup" });
    sim.registers = { mode: "charge", targetSocPct: 90, powerW: 3000 };
    sim.failReads = true;
    const outcome = await runtime.executeOnce({ refetchInverter: true });
    expect(outcome.decision).toMatchObject({ source: "fallback", reason: "inverter-unreadable" });
    expect(sim.registers.mode).toBe("self-use");
    expect(publisher.lastStatus()).toMatchObject({ state: "fallback" });
    expect(publisher.lastStatus()?.reason).toContain("could not be read");
  });

  it("falls back to self-use without a plan", async () => {
    const { runtime, sim, inputs } = await setup();
    inputs.importRates = [];
    await runtime.cycle();
    expect(runtime.status()).toMatchObject({ state: "fallback" });
    expect(sim.registers.mode).toBe("self-use");
  });

  it("falls back to self-use when the plan has expired", async () => {
    const { runtime, clock, inputs } = await setup();
    await runtime.planOnce({ reason: "startup" });
    inputs.fail = new Error("HA down");
    await clock.advance(3 * 3_600_000);
    const outcome = await runtime.cycle();
    expect(outcome.execute.decision).toMatchObject({ source: "fallback", reason: "plan-expired" });
  });

  it("writes the inverter once for the same slot of the same plan", async () => {
    const { runtime, sim, inputs } = await setup();
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    await runtime.planOnce({ reason: "startup" });
    await runtime.executeOnce({ refetchInverter: true });
    const writes = sim.writes.length;
    const calls = sim.applyCalls;
    await runtime.executeOnce({ refetchInverter: true });
    await runtime.executeOnce({ refetchInverter: false });
    expect(sim.writes.length).toBe(writes);
    expect(sim.applyCalls).toBe(calls);
  });

  it("after a restart re-applies only what drifted", async () => {
    const { runtime, sim, inputs, deps } = await setup();
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    await runtime.planOnce({ reason: "startup" });
    await runtime.executeOnce({ refetchInverter: true });
    expect(sim.registers.mode).toBe("charge");
    const before = sim.writes.length;
    sim.registers.powerW = 1; // someone changed the power behind our back
    const restarted = await createRuntime({ ...deps });
    const outcome = await restarted.executeOnce({ refetchInverter: true });
    expect(outcome.applied).toBe(true);
    expect(sim.writes.slice(before)).toEqual([outcome.written[0]]);
    expect(outcome.written[0]).toMatch(/^powerW=/);
  });

  it("completes a command that was half applied", async () => {
    const { runtime, sim, inputs } = await setup();
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    await runtime.planOnce({ reason: "startup" });
    sim.failAfterWrites = 1;
    const first = await runtime.executeOnce({ refetchInverter: true });
    expect(first.state).toBe("error");
    expect(sim.registers.mode).toBe("charge");
    expect(sim.registers.powerW).toBeUndefined();
    await runtime.executeOnce({ refetchInverter: true });
    expect(sim.registers.powerW).toBeGreaterThan(0);
    expect(sim.registers.targetSocPct).toBeGreaterThan(50);
  });

  it("completes after a restart a command that was half applied when the process died", async () => {
    const { runtime, sim, inputs, deps } = await setup();
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    await runtime.planOnce({ reason: "startup" });
    sim.failAfterWrites = 1;
    await runtime.executeOnce({ refetchInverter: true });
    expect(sim.registers.powerW).toBeUndefined();
    const restarted = await createRuntime({ ...deps });
    const outcome = await restarted.executeOnce({ refetchInverter: true });
    expect(outcome.written.map((w) => w.split("=")[0])).toEqual(["targetSocPct", "powerW"]);
    expect(sim.registers.mode).toBe("charge");
  });

  it("with the master switch off plans and publishes but never writes", async () => {
    const { runtime, sim, publisher } = await setup({ control: { method: "modbus", enabled: false } });
    const outcome = await runtime.cycle();
    expect(outcome.plan).toMatchObject({ ok: true });
    expect(publisher.plans).toHaveLength(1);
    expect(outcome.execute.controller).toBe("dry_run");
    expect(sim.writes).toEqual([]);
    expect(runtime.status().reason).toContain("dry run");
  });

  it("switching control off at run time restores self-use once, then stays hands-off", async () => {
    const { runtime, sim, inputs } = await setup();
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    await runtime.cycle();
    expect(sim.registers.mode).toBe("charge");
    await runtime.setControlEnabled(false);
    expect(sim.registers.mode).toBe("self-use");
    const writes = sim.writes.length;
    await runtime.cycle();
    expect(sim.writes.length).toBe(writes);
    expect(runtime.status().controlEnabled).toBe(false);
  });
});

describe("control switched off and on again", () => {
  it("re-applies the plan's command that switching off replaced", async () => {
    const { runtime, sim, inputs } = await setup();
    sim.reportsMode = false; // so that only the runtime's own bookkeeping can tell
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    await runtime.cycle();
    await runtime.setControlEnabled(false);
    expect(sim.registers.mode).toBe("self-use");
    await runtime.setControlEnabled(true);
    await runtime.executeOnce({ refetchInverter: false });
    expect(sim.registers.mode).toBe("charge");
  });
});

describe("overrides", () => {
  it("a forced override is applied now and planned around", async () => {
    const { runtime, sim, clock, publisher } = await setup();
    await runtime.planOnce({ reason: "startup" });
    const id = await runtime.createOverride({
      mode: "export",
      durationMinutes: 60,
      targetSocPct: 20,
      powerW: 2000,
    });
    await clock.advance(0);
    const outcome = await runtime.executeOnce({ refetchInverter: true });
    expect(outcome.decision).toMatchObject({ source: "override", overrideId: id });
    expect(sim.registers).toMatchObject({ mode: "export", targetSocPct: 20, powerW: 2000 });
    await runtime.planOnce({ reason: "after override", force: true });
    const slots = runtime.latestPlan()!.plan.slots;
    expect(slots[1]!.mode).toBe("export");
    expect(runtime.recentOverrideEvents().map((e) => e.kind)).toEqual(["created", "started"]);
    expect(publisher.overrideEvents.map((e) => e.kind)).toEqual(["created", "started"]);
  });

  it("a cancelled override's mode is not applied again from the plan made around it", async () => {
    const { runtime, sim, clock } = await setup();
    await runtime.planOnce({ reason: "startup" });
    const id = await runtime.createOverride({
      mode: "export",
      durationMinutes: 60,
      targetSocPct: 20,
      powerW: 2000,
    });
    await clock.advance(0);
    await runtime.planOnce({ reason: "after override", force: true });
    expect(runtime.latestPlan()!.plan.slots[0]).toMatchObject({ mode: "export", forced: true });
    await runtime.whenIdle();
    // The replan the cancellation asks for has not landed yet: the plan in force still has the
    // forced export for now, and the execution in between must not re-apply it.
    runtime.setReplanHandler(() => undefined);
    await runtime.cancelOverride(id);
    const outcome = await runtime.executeOnce({ refetchInverter: true });
    expect(outcome.decision.command.mode).toBe("self-use");
    expect(sim.registers.mode).toBe("self-use");
  });

  it("survive a restart and can be cancelled", async () => {
    const { runtime, deps } = await setup();
    const id = await runtime.createOverride({ mode: "hold", durationMinutes: 120, recurrence: "daily" });
    const restarted = await createRuntime({ ...deps });
    expect(restarted.overrides().map((o) => o.id)).toEqual([id]);
    await restarted.cancelOverride(id);
    expect(restarted.overrides()).toEqual([]);
    expect(restarted.recentOverrideEvents().map((e) => e.kind)).toContain("deleted");
  });

  it("rejects an invalid override with a clear error", async () => {
    const { runtime } = await setup();
    await expect(runtime.createOverride({ mode: "charge", durationMinutes: -5 })).rejects.toThrow(
      /durationMinutes/,
    );
  });
});

describe("concurrency", () => {
  it("runs one plan at a time with at most one queued follow-up", async () => {
    const { runtime, inputs } = await setup();
    let open!: () => void;
    inputs.gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = runtime.planOnce({ reason: "a", force: true });
    const second = runtime.planOnce({ reason: "b", force: true });
    const third = runtime.planOnce({ reason: "c", force: true });
    expect(second).toBe(third);
    inputs.gate = undefined;
    open();
    const outcomes = await Promise.all([first, second, third]);
    expect(inputs.reads).toBe(2);
    expect(outcomes.map((o) => (o.ok ? o.planVersion : 0))).toEqual([1, 2, 2]);
    expect(runtime.latestPlan()?.reason).toBe("c");
  });

  it("plan and execute called together leave a consistent state", async () => {
    const { runtime } = await setup();
    await Promise.all([
      runtime.cycle(),
      runtime.planOnce({ reason: "x", force: true }),
      runtime.executeOnce(),
      runtime.cycle(),
    ]);
    expect(runtime.latestPlan()?.planVersion).toBeGreaterThan(0);
    const status = runtime.status();
    expect(["ok", "degraded"]).toContain(status.state);
  });
});
