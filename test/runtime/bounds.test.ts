// The bounds of src/runtime/README.md on a fake clock: a command that did not get through is
// retried with backoff, control switched off during an outage still ends in self-use, stop
// restores within its deadline, an override's end and a plan's expiry act when they happen.
import { describe, expect, it } from "vitest";
import { optimise } from "../../src/core/optimiser.js";
import type { Mode, PlanProblem } from "../../src/core/types.js";
import { createRuntime, type RuntimeDeps } from "../../src/runtime/runtime.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import {
  agileLikeRates,
  FakeInputs,
  HALF_HOUR,
  RecordingPublisher,
  simBattery,
  T0,
  tempDir,
  testConfig,
} from "./helpers.js";

/** The real optimiser with the modes a test dictates (so which slots force is not up to prices). */
function withModes(modeAt: (startMs: number) => Mode) {
  return (problem: PlanProblem) => {
    const plan = optimise(problem);
    for (const slot of plan.slots) {
      slot.mode = modeAt(slot.startMs);
      slot.targetSocKwh = slot.mode === "charge" ? 9 : slot.socKwh;
      slot.powerW = slot.mode === "charge" ? 3000 : 0;
    }
    return plan;
  };
}

async function setup(configOverrides: Record<string, unknown> = {}, extra: Partial<RuntimeDeps> = {}) {
  const config = testConfig(configOverrides);
  const clock = new FakeClock(T0 + 60_000);
  const inputs = new FakeInputs();
  inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
  const publisher = new RecordingPublisher();
  const sim = new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5);
  const deps: RuntimeDeps = {
    inputs,
    publisher,
    controllers: { modbus: sim },
    dataDir: await tempDir(),
    clock,
    config,
    ...extra,
  };
  const runtime = await createRuntime(deps);
  clock.waitAfterEachTimer(() => runtime.whenIdle());
  return { config, clock, inputs, publisher, sim, runtime, deps };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 500) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records the fake time of every apply the simulated inverter is asked for. */
function applyTimes(sim: BatterySim, clock: FakeClock): number[] {
  const times: number[] = [];
  const apply = sim.apply.bind(sim);
  sim.apply = (command) => {
    times.push(clock.nowMs());
    return apply(command);
  };
  return times;
}

describe("a command that did not get through", () => {
  it("is tried again after 2 s, then 4 s, and stops once it is applied", async () => {
    const { runtime, sim, clock } = await setup();
    await runtime.planOnce({ reason: "startup" });
    sim.failApplies = true;
    const first = await runtime.executeOnce({ refetchInverter: true });
    expect(first).toMatchObject({ state: "error", retry: true });
    const times = applyTimes(sim, clock);
    const t = clock.nowMs();
    await clock.advance(2_000);
    expect(times).toEqual([t + 2_000]);
    sim.failApplies = false;
    await clock.advance(4_000);
    expect(times).toEqual([t + 2_000, t + 6_000]);
    expect(sim.registers.mode).toBe("charge");
    // The old error does not outlive the recovery.
    expect(runtime.status().state).toBe("ok");
    expect(runtime.status().reason).not.toMatch(/could not/);
    await clock.advance(10 * 60_000);
    expect(times).toHaveLength(2);
  });

  it("backs off doubling to at most 60 s apart, for as long as it fails", async () => {
    const { runtime, sim, clock } = await setup();
    await runtime.planOnce({ reason: "startup" });
    sim.failApplies = true;
    const times = applyTimes(sim, clock);
    const t = clock.nowMs();
    await runtime.executeOnce({ refetchInverter: true });
    await clock.advance(10 * 60_000);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    expect(times[0]).toBe(t);
    expect(gaps.slice(0, 6)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000]);
    expect(Math.max(...gaps)).toBe(60_000);
    expect(times.at(-1)).toBeGreaterThan(t + 9 * 60_000);
  });

  it("is re-applied at once when the link comes back", async () => {
    const { runtime, sim, clock } = await setup();
    await runtime.planOnce({ reason: "startup" });
    sim.failApplies = true;
    await runtime.executeOnce({ refetchInverter: true });
    await clock.advance(2_000 + 4_000 + 8_000); // the next retry is 16 s away
    sim.failApplies = false;
    runtime.linkRestored("the inverter answers again");
    await runtime.whenIdle();
    expect(sim.registers.mode).toBe("charge");
    expect(runtime.status().state).toBe("ok");
  });
});

describe("control switched off while the inverter cannot be written", () => {
  it("restores self-use as soon as the inverter takes it, then stays hands-off", async () => {
    const { runtime, sim, clock } = await setup();
    await runtime.cycle();
    expect(sim.registers.mode).toBe("charge");
    sim.failApplies = true;
    await runtime.setControlEnabled(false);
    expect(sim.registers.mode).toBe("charge");
    expect(runtime.status()).toMatchObject({ state: "error", controlEnabled: false });
    await clock.advance(2_000);
    sim.failApplies = false;
    await clock.advance(4_000);
    expect(sim.registers.mode).toBe("self-use");
    expect(runtime.status().state).not.toBe("error");
    const writes = sim.writes.length;
    await clock.advance(30 * 60_000);
    await runtime.cycle();
    expect(sim.writes.length).toBe(writes);
  });

  it("still restores self-use after a restart, whatever the switch says", async () => {
    const { runtime, sim, deps } = await setup();
    await runtime.cycle();
    sim.failApplies = true;
    await runtime.setControlEnabled(false);
    await runtime.stop({ restoreDeadlineMs: 50 });
    expect(sim.registers.mode).toBe("charge");
    // The process died; the inverter is reachable again when it comes back.
    sim.failApplies = false;
    const restarted = await createRuntime({ ...deps });
    expect(restarted.status().controlEnabled).toBe(false);
    await restarted.executeOnce({ refetchInverter: true });
    expect(sim.registers.mode).toBe("self-use");
  });
});

describe("stop", () => {
  it("restores self-use with control off when the last write was not self-use", async () => {
    const { runtime, sim } = await setup();
    await runtime.cycle();
    sim.failApplies = true;
    await runtime.setControlEnabled(false);
    sim.failApplies = false;
    const outcome = await runtime.stop();
    expect(outcome.restored).toBe("yes");
    expect(sim.registers.mode).toBe("self-use");
  });

  it("leaves the inverter alone with control off when it was left in self-use", async () => {
    const { runtime, sim } = await setup({ control: { method: "modbus", enabled: false } });
    await runtime.cycle();
    expect(await runtime.stop()).toMatchObject({ restored: "not-needed" });
    expect(sim.writes).toEqual([]);
  });

  it("gives up at its deadline when the inverter never answers", async () => {
    const { runtime, sim } = await setup();
    await runtime.cycle();
    sim.applyGate = new Promise(() => undefined);
    const outcome = await runtime.stop({ restoreDeadlineMs: 200 });
    expect(outcome.restored).toBe("failed");
  });

  it("restores without waiting for a write in flight, and once more after it lands", async () => {
    const { runtime, sim } = await setup();
    await runtime.planOnce({ reason: "startup" });
    let land!: () => void;
    sim.applyGate = new Promise((resolve) => {
      land = resolve;
    });
    const inFlight = runtime.executeOnce({ refetchInverter: true });
    await until(() => sim.applyCalls === 1);
    sim.applyGate = undefined;
    const stopping = runtime.stop({ restoreDeadlineMs: 10_000 });
    await until(() => sim.applyCalls === 2);
    expect(sim.registers.mode).toBe("self-use");
    expect(sim.writes).toEqual([]); // self-use was already there; the charge has not landed yet
    land();
    await inFlight;
    expect(await stopping).toMatchObject({ restored: "yes" });
    expect(sim.writes.slice(0, 1)).toEqual(["mode=charge"]);
    expect(sim.registers.mode).toBe("self-use");
  });
});

describe("what ends on its own is executed when it ends", () => {
  it("an override that ends mid-slot gives way to the plan at its end", async () => {
    const { runtime, sim, clock } = await setup({}, { optimise: withModes(() => "charge") });
    await runtime.cycle();
    await runtime.createOverride({ mode: "hold", durationMinutes: 20 });
    await runtime.whenIdle();
    await runtime.executeOnce({ refetchInverter: true });
    expect(sim.registers.mode).toBe("hold");
    await clock.advance(20 * 60_000);
    expect(sim.registers.mode).toBe("charge");
  });

  it("a plan that grows too old falls back to self-use at that instant", async () => {
    const { runtime, sim, clock, inputs } = await setup({}, { optimise: withModes(() => "charge") });
    await runtime.cycle();
    expect(sim.registers.mode).toBe("charge");
    inputs.fail = new Error("Home Assistant is down");
    await clock.advance(2 * 3_600_000 - 60_000);
    expect(sim.registers.mode).toBe("charge");
    await clock.advance(61_000);
    expect(sim.registers.mode).toBe("self-use");
    expect(runtime.status().reason).toMatch(/minutes old/);
  });
});

describe("an override", () => {
  it("acts at once, also when the replan that plans around it has to wait its turn", async () => {
    const { runtime, sim } = await setup({}, { optimise: withModes(() => "self-use") });
    await runtime.cycle();
    runtime.setReplanHandler(() => undefined); // the scheduler's rate limit holds the replan
    const id = await runtime.createOverride({ mode: "export", durationMinutes: 30, powerW: 2000 });
    await runtime.whenIdle();
    expect(sim.registers.mode).toBe("export");
    await runtime.cancelOverride(id);
    await runtime.whenIdle();
    expect(sim.registers.mode).toBe("self-use");
  });
});

describe("the reserve changed at run time", () => {
  it("reaches the controller through the port", async () => {
    const { runtime, sim } = await setup();
    expect(sim.reservePct).toBe(10);
    await runtime.setReservePct(40);
    expect(sim.reservePct).toBe(40);
  });
});

describe("battery_planner_plan_changed", () => {
  it("fires when tomorrow's slots arrive with something to do", async () => {
    const firstEndMs = T0 + 40 * HALF_HOUR;
    const { runtime, inputs, publisher } = await setup(
      { planner: { horizon_hours: 48, slot_minutes: 30 } },
      { optimise: withModes((startMs) => (startMs >= firstEndMs + 4 * HALF_HOUR ? "charge" : "self-use")) },
    );
    inputs.importRates = agileLikeRates(T0, 40);
    await runtime.planOnce({ reason: "startup" });
    expect(publisher.changes).toBe(1);
    inputs.importRates = agileLikeRates(T0, 96);
    await runtime.planOnce({ reason: "tomorrow's rates" });
    expect(runtime.latestPlan()!.planVersion).toBe(2);
    expect(publisher.changes).toBe(2);
  });
});
