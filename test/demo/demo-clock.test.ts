import { describe, expect, it } from "vitest";
import { createDemoClock } from "../../src/sim/demo/demo-clock.js";
import { FakeClock } from "../fakes/clock.js";

const START = Date.parse("2018-06-07T00:00:00Z");

describe("the demo clock", () => {
  it("stands at the scenario's start until started, then runs accelerated, timers included", async () => {
    const base = new FakeClock(1_000_000);
    const clock = createDemoClock(base, 60, START);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.nowMs()), 60 * 60_000); // one simulated hour
    await base.advance(5_000);
    expect(clock.nowMs()).toBe(START);
    expect(fired).toEqual([]);

    clock.start();
    await base.advance(60_000); // one real minute = one simulated hour
    expect(fired).toEqual([START + 3_600_000]);
    clock.freeze();
    await base.advance(60_000);
    expect(clock.nowMs()).toBe(START + 3_600_000);
  });

  it("does not fire a timer cleared while it stood", async () => {
    const base = new FakeClock(0);
    const clock = createDemoClock(base, 60, START);
    let fired = false;
    clock.clearTimeout(clock.setTimeout(() => (fired = true), 1000));
    clock.start();
    await base.advance(10_000);
    expect(fired).toBe(false);
  });
});
