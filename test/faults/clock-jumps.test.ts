// Clock jumps both ways: the add-on boots with a wrong wall clock (a Pi without a clock battery,
// a VM restored from a snapshot) and NTP steps it right, by hours or by days, back or forward.
// Within a minute of the jump the add-on has a plan for the corrected now (the plan store does not
// trust the "future" plan made before it), executes it, and keeps to the corrected slot boundaries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WAKE_STEP_MS } from "../../src/runtime/wall-timer.js";
import { FakeClock } from "../fakes/clock.js";
import { JumpingClock } from "../fakes/jumping-clock.js";
import { recordFault } from "./record.js";
import { type Home, removeDir, startAddonIn, startHome, tempDataDir } from "./time-rig.js";

const HOUR = 3_600_000;
const SLOT = 30 * 60_000;
let home: Home;
const dirs: string[] = [];

beforeAll(async () => {
  home = await startHome();
});
afterAll(async () => {
  await home?.sim.close();
  for (const dir of dirs) await removeDir(dir);
});

const CASES = [
  { fault: "booted 3 h ahead, NTP sets it back", bootOffsetMs: 3 * HOUR },
  { fault: "booted 2 days ahead, NTP sets it back", bootOffsetMs: 48 * HOUR },
  { fault: "booted 3 h behind, NTP sets it forward", bootOffsetMs: -3 * HOUR },
  { fault: "booted 2 days behind, NTP sets it forward", bootOffsetMs: -48 * HOUR },
];

describe("wall-clock jumps", () => {
  for (const { fault, bootOffsetMs } of CASES) {
    it(`${fault}: a plan for the corrected now within a minute, then the corrected boundaries`, async () => {
      const realNowMs = home.startMs + 10 * HOUR + 7 * 60_000; // 10:07 on the scenario's first day
      const clock = new JumpingClock(new FakeClock(realNowMs));
      clock.jump(bootOffsetMs);
      const dir = await tempDataDir();
      dirs.push(dir);
      const run = await startAddonIn(home, dir, clock);
      const { runtime, scheduler } = run.addon;
      try {
        await clock.advance(5 * 60_000);
        await scheduler.whenIdle();
        clock.jump(-bootOffsetMs);
        const jumpedAtMs = clock.nowMs();
        const planned = () => {
          const plan = runtime.latestPlan();
          const nowMs = clock.nowMs();
          return (
            plan !== undefined &&
            plan.computedAtMs >= jumpedAtMs &&
            plan.plan.slots.some((s) => s.startMs <= nowMs && nowMs < s.endMs) &&
            runtime.status().updatedAtMs >= jumpedAtMs &&
            runtime.status().currentCommand !== undefined
          );
        };
        let recoveryMs: number | undefined;
        for (let waitedMs = 0; waitedMs <= 2 * WAKE_STEP_MS; waitedMs += 1000) {
          await scheduler.whenIdle();
          await runtime.whenIdle();
          if (planned()) {
            recoveryMs = clock.nowMs() - jumpedAtMs;
            break;
          }
          await clock.advance(1000);
        }
        // Then the cycle runs on the corrected clock's next boundary, to the millisecond.
        const boundaryMs = Math.floor(clock.nowMs() / SLOT) * SLOT + SLOT;
        await clock.advance(boundaryMs - clock.nowMs());
        await scheduler.whenIdle();
        await runtime.whenIdle();
        const onBoundary = runtime.status().updatedAtMs === boundaryMs;
        recordFault({
          area: "clock",
          fault,
          tried: 1,
          survived: recoveryMs !== undefined && recoveryMs <= WAKE_STEP_MS && onBoundary ? 1 : 0,
          ...(recoveryMs === undefined ? {} : { recoveryMs }),
          boundMs: WAKE_STEP_MS,
        });
        expect(recoveryMs, "a plan for the corrected now").toBeDefined();
        expect(recoveryMs!).toBeLessThanOrEqual(WAKE_STEP_MS);
        expect(runtime.status().updatedAtMs).toBe(boundaryMs);
        expect(runtime.status().currentCommand?.mode).toBe(
          runtime.latestPlan()!.plan.slots.find((s) => s.startMs <= boundaryMs && boundaryMs < s.endMs)?.mode,
        );
      } finally {
        await run.stop();
      }
    });
  }
});
