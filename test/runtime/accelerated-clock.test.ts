import { describe, expect, it } from "vitest";
import { createAcceleratedClock } from "../../src/runtime/accelerated-clock.js";
import { FakeClock } from "../fakes/clock.js";

describe("accelerated clock", () => {
  it("runs time and timers factor times faster than its base", async () => {
    const base = new FakeClock(1_000);
    const fast = createAcceleratedClock(base, 60, Date.parse("2025-01-14T00:00:00Z"));
    const fired: number[] = [];
    fast.setTimeout(() => fired.push(fast.nowMs()), 3_600_000);
    await base.advance(59_999);
    expect(fired).toEqual([]);
    await base.advance(1);
    expect(fired).toEqual([Date.parse("2025-01-14T01:00:00Z")]);
  });

  it("refuses a factor that is not positive", () => {
    expect(() => createAcceleratedClock(new FakeClock(0), 0, 0)).toThrow(/positive/);
  });
});
