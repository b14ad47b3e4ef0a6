// Damaged data files: the add-on ran, stopped, and its data directory was damaged — every file
// truncated, overwritten with garbage, given the wrong shape or emptied, one override record
// spoiled, or both plan files lost. It must start, keep what is readable, move every damaged file
// aside (byte for byte, never overwritten), log what was lost and take the safe side: control off
// until the user switches it on again, the reserve of the options, the plan version counting on.
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayBefore } from "../../src/runtime/day-scoring.js";
import { FakeClock } from "../fakes/clock.js";
import { recordFault } from "./record.js";
import { type Home, removeDir, startAddonIn, startHome, tempDataDir } from "./time-rig.js";

const DATA_FILES = [
  "plan.json",
  "plan-version.json",
  "runtime-settings.json",
  "overrides.json",
  "execution-journal.json",
  "soc-history.json",
  "jobs.json",
  "day-ledger.json",
  "day-scores.json",
];
const CONTROL_DOMAINS = new Set(["select", "number", "switch"]);

let home: Home;
let goodDir: string;
let goodVersion: number;
let optionReservePct: number;
const dirs: string[] = [];

beforeAll(async () => {
  home = await startHome();
  optionReservePct = home.config.battery.reserve_pct;
  goodDir = await tempDataDir();
  dirs.push(goodDir);
  const clock = new FakeClock(home.startMs + 60_000);
  const run = await startAddonIn(home, goodDir, clock);
  await run.addon.commands.setReservePct(optionReservePct + 20);
  await run.addon.commands.createOverride({
    mode: "hold",
    durationMinutes: 90,
    recurrence: "daily",
    startMs: home.startMs + 20 * 3_600_000,
  });
  await run.addon.commands.createOverride({
    mode: "charge",
    durationMinutes: 60,
    targetSocPct: 80,
    startMs: home.startMs + 3 * 3_600_000,
  });
  await clock.advance(31 * 60_000);
  await run.addon.scheduler.whenIdle();
  await run.addon.runtime.whenIdle();
  goodVersion = run.addon.runtime.latestPlan()!.planVersion;
  // Scoring the day so far (here: not scorable, the home has no meters) writes day-scores.json.
  await run.addon.runtime.scoreDay(dayBefore(clock.nowMs() + 86_400_000, run.addon.timeZone));
  await run.stop();
  const names = await readdir(goodDir);
  for (const file of DATA_FILES) expect(names, `the good run wrote ${file}`).toContain(file);
});

afterAll(async () => {
  await home?.sim.close();
  for (const dir of dirs) await removeDir(dir);
});

async function damagedCopy(damage: (file: string, text: string) => string | undefined): Promise<{
  dir: string;
  damaged: Map<string, string>;
}> {
  const dir = await tempDataDir();
  dirs.push(dir);
  await cp(goodDir, dir, { recursive: true });
  const damaged = new Map<string, string>();
  for (const file of DATA_FILES) {
    const text = await readFile(join(dir, file), "utf8");
    const next = damage(file, text);
    if (next === undefined) continue;
    await writeFile(join(dir, file), next);
    damaged.set(file, next);
  }
  return { dir, damaged };
}

/** Starts the add-on on the damaged copy; what a user would see. */
async function startOn(dir: string) {
  const callsBefore = home.sim.serviceCalls.length;
  const clock = new FakeClock(home.startMs + 2 * 3_600_000);
  const run = await startAddonIn(home, dir, clock);
  await run.addon.scheduler.whenIdle();
  const result = {
    plan: run.addon.runtime.latestPlan(),
    status: run.addon.runtime.status(),
    reservePct: run.addon.runtime.reservePct(),
    overrides: run.addon.runtime.overrides().map((o) => o.mode),
    // Control off may still put the inverter back to self-use; it must never force a mode.
    forcedCalls: home.sim.serviceCalls
      .slice(callsBefore)
      .filter((c) => CONTROL_DOMAINS.has(c.domain))
      .filter((c) => (c.domain === "select" && c.data.option !== "Eco") || c.service === "turn_on"),
    lines: run.lines,
  };
  await run.stop();
  return result;
}

/** Each damaged file is beside its replacement under a .damaged- name, with exactly what it held. */
async function keptAside(dir: string, damaged: Map<string, string>): Promise<string[]> {
  const names = await readdir(dir);
  const kept: string[] = [];
  for (const [file, content] of damaged) {
    const aside = names.filter((n) => n.startsWith(`${file}.damaged-`));
    if (aside.length !== 1) continue;
    if ((await readFile(join(dir, aside[0]!), "utf8")) === content) kept.push(file);
  }
  return kept;
}

const garbage = (text: string) =>
  Array.from({ length: Math.max(16, text.length >> 3) }, (_, i) =>
    String.fromCharCode((i * 7919) % 251),
  ).join("");

const KINDS: [string, (file: string, text: string) => string][] = [
  ["truncated", (_f, text) => text.slice(0, Math.floor(text.length / 2))],
  ["garbage", (_f, text) => garbage(text)],
  ["of the wrong shape", () => '{"foo":1}'],
  ["empty", () => ""],
];

describe("damaged data files", () => {
  for (const [kind, damage] of KINDS) {
    it(`every data file ${kind}: starts with control off, files kept aside, each loss logged`, async () => {
      const { dir, damaged } = await damagedCopy(damage);
      const seen = await startOn(dir);
      const kept = await keptAside(dir, damaged);
      const logged = DATA_FILES.filter((f) => seen.lines.some((l) => l.includes("ERROR") && l.includes(f)));
      recordFault({
        area: "files",
        fault: `every data file ${kind}`,
        tried: DATA_FILES.length,
        survived: seen.plan ? DATA_FILES.filter((f) => kept.includes(f) && logged.includes(f)).length : 0,
      });
      expect(kept).toEqual(DATA_FILES);
      expect(logged).toEqual(DATA_FILES);
      // A new plan, from a version above every one handed out before the damage.
      expect(seen.plan?.planVersion).toBeGreaterThan(goodVersion);
      // The safe side: control off (nothing forced on the inverter), the option's reserve.
      expect(seen.status.controlEnabled).toBe(false);
      expect(seen.status.reason).toContain("control is off until you switch it on again");
      expect(seen.forcedCalls).toEqual([]);
      expect(seen.reservePct).toBe(optionReservePct);
      expect(seen.overrides).toEqual([]);
    });
  }

  it("one bad override record: the other override, the settings and the plan are kept", async () => {
    const { dir, damaged } = await damagedCopy((file, text) => {
      if (file !== "overrides.json") return undefined;
      const parsed = JSON.parse(text) as { overrides: { startMs: number }[] };
      parsed.overrides[1]!.startMs = 8640000000000000;
      return JSON.stringify(parsed);
    });
    const seen = await startOn(dir);
    const kept = await keptAside(dir, damaged);
    recordFault({
      area: "files",
      fault: "one bad override record",
      tried: 1,
      survived: kept.length === 1 && seen.overrides.length === 1 ? 1 : 0,
    });
    expect(kept).toEqual(["overrides.json"]);
    expect(seen.overrides).toEqual(["hold"]);
    expect(seen.status.controlEnabled).toBe(true);
    expect(seen.reservePct).toBe(optionReservePct + 20);
    expect(seen.lines.some((l) => /dropped 1 bad override record\(s\).*startMs.*kept 1/.test(l))).toBe(true);
  });

  it("both plan files damaged: the version still counts up, the rest is kept", async () => {
    const { dir, damaged } = await damagedCopy((file, text) =>
      file === "plan.json" || file === "plan-version.json" ? garbage(text) : undefined,
    );
    const seen = await startOn(dir);
    const kept = await keptAside(dir, damaged);
    recordFault({
      area: "files",
      fault: "both plan files damaged",
      tried: 1,
      survived: kept.length === 2 && (seen.plan?.planVersion ?? 0) > goodVersion ? 1 : 0,
    });
    expect(kept).toEqual(["plan.json", "plan-version.json"]);
    expect(seen.plan?.planVersion).toBe(goodVersion + 1);
    expect(seen.status.controlEnabled).toBe(true);
    expect(seen.overrides.sort()).toEqual(["charge", "hold"]);
  });
});
