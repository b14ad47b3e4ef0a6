// The two DST nights of Europe/London, run by the add-on on a fake clock against the HA simulator
// serving the real Agile days around them: a cycle on every UTC half hour through the night (no
// boundary skipped or doubled when 01:00 jumps to 02:00 or 02:00 falls back to 01:00), and a daily
// override at 23:00 local for three hours that runs three elapsed hours across the change and comes
// back at 23:00 local the next evening.
import { afterEach, describe, expect, it } from "vitest";
import type { OverrideEvent } from "../../src/runtime/ports.js";
import { FakeClock } from "../fakes/clock.js";
import { recordFault } from "./record.js";
import { localMidnight, removeDir, startAddonIn, startHome, tempDataDir } from "./time-rig.js";

const SLOT = 30 * 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NIGHTS = [
  {
    night: "spring forward (2025-03-30, 01:00 GMT → 02:00 BST)",
    clockStart: "2025-03-29T20:00:00Z",
    overrideStart: "2025-03-29T23:00:00Z", // 23:00 GMT
    windows: [
      ["2025-03-29T23:00:00.000Z", "2025-03-30T02:00:00.000Z"], // to 03:00 BST
      ["2025-03-30T22:00:00.000Z", "2025-03-31T01:00:00.000Z"], // 23:00 BST
    ],
  },
  {
    night: "fall back (2025-10-26, 02:00 BST → 01:00 GMT)",
    clockStart: "2025-10-25T19:00:00Z",
    overrideStart: "2025-10-25T22:00:00Z", // 23:00 BST
    windows: [
      ["2025-10-25T22:00:00.000Z", "2025-10-26T01:00:00.000Z"], // to 01:00 GMT
      ["2025-10-26T23:00:00.000Z", "2025-10-27T02:00:00.000Z"], // 23:00 GMT
    ],
  },
];

describe("DST nights in Europe/London", () => {
  for (const { night, clockStart, overrideStart, windows } of NIGHTS) {
    it(`${night}: a cycle on every UTC half hour, and a daily 23:00 override keeps its local time`, async () => {
      const startMs = Date.parse(clockStart);
      const home = await startHome({ startMs: localMidnight(startMs) });
      cleanups.push(() => home.sim.close());
      const dir = await tempDataDir();
      cleanups.push(() => removeDir(dir));
      const clock = new FakeClock(startMs + 60_000);
      const run = await startAddonIn(home, dir, clock);
      cleanups.push(() => run.stop());
      const { runtime, scheduler, commands } = run.addon;
      await commands.createOverride({
        mode: "hold",
        startMs: Date.parse(overrideStart),
        durationMinutes: 180,
        recurrence: "daily",
      });
      const modeAt = new Map<number, string | undefined>();
      const cycles: number[] = [];
      const endMs = Date.parse(windows[1]![0]!) + SLOT;
      for (let t = Math.ceil(clock.nowMs() / SLOT) * SLOT; t <= endMs; t += SLOT) {
        await clock.advanceTo(t);
        await scheduler.whenIdle();
        await runtime.whenIdle();
        if (runtime.status().updatedAtMs === t) cycles.push(t);
        modeAt.set(t, runtime.status().currentCommand?.mode);
      }
      const expectedCycles: number[] = [];
      for (let t = Math.ceil((startMs + 60_000) / SLOT) * SLOT; t <= endMs; t += SLOT) expectedCycles.push(t);
      const events = runtime.recentOverrideEvents().filter((e: OverrideEvent) => e.kind === "started");
      const seenWindows = events.map((e) => [iso(e.windowStartMs!), iso(e.windowEndMs!)]);
      const [first] = windows;
      const inFirst = (t: number) => t >= Date.parse(first![0]!) && t < Date.parse(first![1]!);
      const heldInWindow = [...modeAt].filter(([t]) => inFirst(t)).every(([, mode]) => mode === "hold");
      recordFault({
        area: "clock",
        fault: `DST night: ${night.split(" (")[0]}`,
        tried: expectedCycles.length,
        survived: cycles.filter((t) => expectedCycles.includes(t)).length - (heldInWindow ? 0 : 1),
      });
      expect(cycles.map(iso)).toEqual(expectedCycles.map(iso));
      expect(seenWindows).toEqual(windows);
      expect(heldInWindow).toBe(true);
    });
  }
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
