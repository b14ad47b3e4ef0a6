import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/sim/virtual-clock.js";

describe("the twin's virtual clock", () => {
  it("stands still until moved, then fires what fell due in time order, ties in arming order", () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b@300"), 300);
    clock.setTimeout(() => fired.push("a@100"), 100);
    clock.setTimeout(() => fired.push("c@300"), 300);
    const gone = clock.setTimeout(() => fired.push("cleared"), 50);
    clock.clearTimeout(gone);
    expect(clock.fireNext()).toBe(false);
    expect(clock.nextDueMs()).toBe(1_100);
    clock.moveTo(1_300);
    while (clock.fireNext());
    expect(fired).toEqual(["a@100", "b@300", "c@300"]);
    expect(clock.nowMs()).toBe(1_300);
  });

  it("never moves back", () => {
    const clock = new VirtualClock(5_000);
    clock.moveTo(4_000);
    expect(clock.nowMs()).toBe(5_000);
  });
});
