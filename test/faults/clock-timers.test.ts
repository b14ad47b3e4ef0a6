// Plan expiry and an override's end after NTP steps the wall clock. Node's timers run on a
// monotonic clock, so a plain setTimeout armed for "in 2 h" fires 2 real hours later whatever the
// wall clock did: after a jump back of 3 h the charge kept running 3 h past its end. The edge timer
// follows the wall clock (wall-timer.ts), so the edge acts at its wall instant either way.
import { describe, expect, it } from "vitest";
import { optimise } from "../../src/core/optimiser.js";
import type { Mode, PlanProblem } from "../../src/core/types.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { WAKE_STEP_MS } from "../../src/runtime/wall-timer.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import { JumpingClock } from "../fakes/jumping-clock.js";
import {
  agileLikeRates,
  FakeInputs,
  RecordingPublisher,
  simBattery,
  T0,
  tempDir,
  testConfig,
} from "../runtime/helpers.js";
import { recordFault } from "./record.js";

const HOUR = 3_600_000;
const MIN = 60_000;

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

async function setup() {
  const config = testConfig({});
  const clock = new JumpingClock(new FakeClock(T0 + MIN));
  const inputs = new FakeInputs();
  inputs.importRates = agileLikeRates(T0, 96, () => 0.2);
  const sim = new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5);
  const runtime = await createRuntime({
    inputs,
    publisher: new RecordingPublisher(),
    controllers: { modbus: sim },
    dataDir: await tempDir(),
    clock,
    config,
    optimise: withModes(() => "charge"),
  });
  clock.base.waitAfterEachTimer(() => runtime.whenIdle());
  /** The wall time at which the inverter first reads `mode`, stepping real time a minute at a time. */
  const wallTimeOf = async (mode: Mode, limitMs: number): Promise<number | undefined> => {
    for (let spentMs = 0; spentMs <= limitMs; spentMs += MIN) {
      if (sim.registers.mode === mode) return clock.nowMs();
      await clock.advance(MIN);
    }
    return undefined;
  };
  return { clock, inputs, sim, runtime, wallTimeOf };
}

describe("edge timers after a wall-clock jump", () => {
  for (const jumpMs of [-3 * HOUR, 30 * MIN]) {
    const way = jumpMs < 0 ? "back 3 h" : "forward 30 min";
    it(`plan expiry acts at its wall instant after a jump ${way}`, async () => {
      const { clock, inputs, sim, runtime, wallTimeOf } = await setup();
      await runtime.cycle();
      expect(sim.registers.mode).toBe("charge");
      const expiresAtMs = clock.nowMs() + 2 * HOUR;
      inputs.fail = new Error("Home Assistant is down");
      await clock.advance(10 * MIN);
      clock.jump(jumpMs);
      const firedAtMs = await wallTimeOf("self-use", 6 * HOUR);
      const lateMs = firedAtMs === undefined ? Number.POSITIVE_INFINITY : firedAtMs - expiresAtMs;
      recordFault({
        area: "clock",
        fault: `plan expiry after a jump ${way}`,
        tried: 1,
        survived: lateMs >= 0 && lateMs <= WAKE_STEP_MS + MIN ? 1 : 0,
        ...(Number.isFinite(lateMs) ? { recoveryMs: lateMs } : {}),
        boundMs: WAKE_STEP_MS + MIN,
      });
      expect(firedAtMs).toBeDefined();
      expect(lateMs).toBeGreaterThanOrEqual(0);
      expect(lateMs).toBeLessThanOrEqual(WAKE_STEP_MS + MIN);
    });
  }

  it("an override's end acts at its wall instant after a jump forward", async () => {
    const { clock, sim, runtime, wallTimeOf } = await setup();
    await runtime.cycle();
    await runtime.createOverride({ mode: "hold", durationMinutes: 90 });
    await runtime.whenIdle();
    await runtime.executeOnce({ refetchInverter: true });
    expect(sim.registers.mode).toBe("hold");
    const endsAtMs = clock.nowMs() + 90 * MIN;
    await clock.advance(5 * MIN);
    clock.jump(30 * MIN);
    const firedAtMs = await wallTimeOf("charge", 5 * HOUR);
    const lateMs = firedAtMs === undefined ? Number.POSITIVE_INFINITY : firedAtMs - endsAtMs;
    recordFault({
      area: "clock",
      fault: "override end after a jump forward 30 min",
      tried: 1,
      survived: lateMs >= 0 && lateMs <= WAKE_STEP_MS + MIN ? 1 : 0,
      ...(Number.isFinite(lateMs) ? { recoveryMs: lateMs } : {}),
      boundMs: WAKE_STEP_MS + MIN,
    });
    expect(firedAtMs).toBeDefined();
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThanOrEqual(WAKE_STEP_MS + MIN);
  });
});
