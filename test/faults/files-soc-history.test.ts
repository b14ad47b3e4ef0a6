// A damaged SOC history: one bad sample among sound ones (a NaN written as null, an SOC of 150 %, a
// date luxon cannot represent, a string) once cost the whole chart. Every sound sample must be
// kept, the original moved aside byte for byte and the loss logged.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../fakes/clock.js";
import { recordFault } from "./record.js";
import { type Home, removeDir, startAddonIn, startHome, tempDataDir } from "./time-rig.js";

let home: Home;
const dirs: string[] = [];

beforeAll(async () => {
  home = await startHome();
});

afterAll(async () => {
  await home?.sim.close();
  for (const dir of dirs) await removeDir(dir);
});

describe("soc-history.json with bad samples", () => {
  it("keeps every sound sample, moves the original aside and logs what was lost", async () => {
    const dir = await tempDataDir();
    dirs.push(dir);
    const nowMs = home.startMs + 2 * 3_600_000;
    const sound = Array.from({ length: 6 }, (_, i) => ({ atMs: nowMs - (6 - i) * 600_000, socPct: 40 + i }));
    const bad = [
      { atMs: nowMs - 30_000, socPct: null },
      { atMs: nowMs - 20_000, socPct: 150 },
      { atMs: 8640000000000000, socPct: 50 },
      "not a sample",
    ];
    const records: unknown[] = [...sound.slice(0, 3), bad[0], bad[1], ...sound.slice(3), bad[2], bad[3]];
    const original = JSON.stringify(records);
    await writeFile(join(dir, "soc-history.json"), original);

    const clock = new FakeClock(nowMs);
    const run = await startAddonIn(home, dir, clock);
    await run.addon.scheduler.whenIdle();
    await run.addon.runtime.whenIdle();
    const history = run.addon.runtime.socHistory();
    const lines = run.lines;
    await run.stop();

    const names = await readdir(dir);
    const aside = names.filter((n) => n.startsWith("soc-history.json.damaged-"));
    const asideText = aside.length === 1 ? await readFile(join(dir, aside[0]!), "utf8") : undefined;
    const keptSound = sound.filter((s) => history.some((h) => h.atMs === s.atMs && h.socPct === s.socPct));
    const logged = lines.some((l) =>
      /ERROR.*soc-history\.json: dropped 4 bad SOC sample\(s\).*kept 6/.test(l),
    );
    recordFault({
      area: "files",
      fault: "bad samples in soc-history.json",
      tried: 1,
      survived: keptSound.length === sound.length && asideText === original && logged ? 1 : 0,
    });
    expect(keptSound).toEqual(sound);
    expect(history.every((h) => h.socPct >= 0 && h.socPct <= 100 && Number.isFinite(h.atMs))).toBe(true);
    expect(asideText).toBe(original);
    expect(logged).toBe(true);
    // What is left in place holds only sound samples, so the next start reads it whole.
    const rewritten = JSON.parse(await readFile(join(dir, "soc-history.json"), "utf8")) as unknown[];
    expect(rewritten.length).toBeGreaterThanOrEqual(sound.length);
  });
});
