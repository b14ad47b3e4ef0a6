// Fuzzed override events (fast-check) at the add-on as its image runs it, in a child process on the
// real clock: starts of 8640000000000000, ±1e300, negative, zero, strings of every kind, huge and
// fractional durations, odd recurrences and modes. One such event once froze the event loop for
// good. Between events the add-on's /healthz must keep answering; afterwards every persisted
// override has sane dates, SIGTERM stops it promptly and the inverter is back in self-use.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSaneInstant } from "../../src/runtime/time-bounds.js";
import { recordFault } from "./record.js";
import {
  type ChildAddon,
  type Home,
  localMidnight,
  MODE_ENTITY,
  PREFIX,
  removeDir,
  spawnAddon,
  startHome,
  tempDataDir,
} from "./time-rig.js";

const RUNS = 60;
const HEALTH_BOUND_MS = 2_000;

const startArb = fc.oneof(
  fc.constantFrom(
    8640000000000000,
    -8640000000000000,
    8639999999999999,
    1e300,
    -1,
    0,
    946684799999,
    4102444800000,
    Number.MAX_SAFE_INTEGER,
    "+275760-09-13T00:00:00Z",
    "-271821-04-20T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2025-02-30T00:00:00Z",
    "",
    "now",
    "NaN",
    "8640000000000000",
  ),
  fc.integer({ min: -8640000000000000, max: 8640000000000000 }),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 })
    .map((offset) => new Date(Date.now() + offset).toISOString()),
  fc.constant(null),
);
const durationArb = fc.oneof(
  fc.constantFrom(1e12, -5, 0, 0.5, 10_081, "60", "soon", null),
  fc.integer({ min: 1, max: 600 }),
  fc.double(),
);
const eventArb = fc.record(
  {
    mode: fc.constantFrom("charge", "hold", "export", "self-use", "Charge", "turbo", "", 7),
    start: startArb,
    duration_minutes: durationArb,
    recurrence: fc.constantFrom("daily", "none", "weekly", 1),
    target_soc: fc.oneof(fc.integer({ min: -50, max: 150 }), fc.constant("80")),
    power_w: fc.oneof(fc.integer({ min: -1000, max: 1e7 }), fc.double()),
  },
  { requiredKeys: ["mode", "start"] },
);

/** Events that froze the add-on before dates were bounded (issue 9, item 2). */
const KILLERS = [8640000000000000, -8640000000000000, 8639999999999999, 1e300].flatMap((start) => [
  { mode: "charge", start, recurrence: "daily", duration_minutes: 60 },
  { mode: "hold", start, recurrence: "none" },
]);

let home: Home;
let dataDir: string;
let addon: ChildAddon;

beforeAll(async () => {
  // The scenario's rates start today, so the add-on plans on the real clock.
  home = await startHome({ startMs: localMidnight(Date.now()) });
  dataDir = await tempDataDir();
  addon = await spawnAddon(home, dataDir);
}, 60_000);

afterAll(async () => {
  if (addon && addon.child.exitCode === null) await addon.terminate();
  await home?.sim.close();
  await removeDir(dataDir);
});

describe("fuzzed override events", () => {
  it(`${RUNS} events with dates luxon cannot represent: the event loop keeps answering`, async () => {
    expect((await addon.get("/healthz")).body).toMatchObject({ ok: true });
    let worstMs = 0;
    let survived = 0;
    let tried = 0;
    await fc
      .assert(
        fc.asyncProperty(eventArb, async (data) => {
          tried++;
          home.sim.fireEvent("battery_planner_override", JSON.parse(JSON.stringify(data)));
          // Give the event time to reach the add-on, then ask it something.
          await new Promise((resolve) => setTimeout(resolve, 30));
          const t0 = Date.now();
          const health = await addon.get("/healthz", HEALTH_BOUND_MS * 5);
          const tookMs = Date.now() - t0;
          worstMs = Math.max(worstMs, tookMs);
          if (health.status === 200 && tookMs <= HEALTH_BOUND_MS) survived++;
          return health.status === 200 && tookMs <= HEALTH_BOUND_MS;
        }),
        {
          numRuns: RUNS,
          seed: 20261201,
          // The reported killers first, then what fast-check makes of the arbitraries.
          examples: KILLERS.map((k) => [k] as [typeof k]),
        },
      )
      .finally(() =>
        recordFault({
          area: "overrides",
          fault: "fuzzed override events (dates, durations)",
          tried,
          survived,
          recoveryMs: worstMs,
          boundMs: HEALTH_BOUND_MS,
        }),
      );
    // What was accepted and persisted has dates the loops can work with.
    const file = JSON.parse(
      await readFile(join(dataDir, "overrides.json"), "utf8").catch(() => '{"overrides":[]}'),
    );
    for (const o of file.overrides as { startMs: number; durationMinutes: number }[]) {
      expect(isSaneInstant(o.startMs)).toBe(true);
      expect(o.durationMinutes).toBeLessThanOrEqual(7 * 24 * 60);
    }
    expect(addon.lines.some((l) => l.includes("ignored battery_planner_override"))).toBe(true);
  });

  it("then SIGTERM stops it promptly and leaves the inverter in self-use", async () => {
    const stopped = await addon.terminate();
    recordFault({
      area: "overrides",
      fault: "SIGTERM after fuzzed override events",
      tried: 1,
      survived: stopped.code === 0 && home.sim.getState(MODE_ENTITY)?.state === "Eco" ? 1 : 0,
      recoveryMs: stopped.ms,
    });
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(home.sim.getState(MODE_ENTITY)?.state).toBe("Eco");
    expect(home.sim.getState(`switch.${PREFIX}_enable_charge_schedule`)?.state).toBe("off");
    expect(home.sim.getState(`switch.${PREFIX}_enable_discharge_schedule`)?.state).toBe("off");
  });
});
