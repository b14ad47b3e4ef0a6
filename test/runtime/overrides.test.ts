import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { setLogSink } from "../../src/log.js";
import { type Override, openOverrideBook, overrideWindows } from "../../src/runtime/overrides.js";
import type { OverrideEvent } from "../../src/runtime/ports.js";
import { tempDir } from "./helpers.js";

const HOUR = 3_600_000;
const NOW = Date.parse("2025-01-01T00:00:00Z");

function daily(startIso: string, minutes: number): Override {
  return {
    id: "d",
    mode: "charge",
    startMs: Date.parse(startIso),
    durationMinutes: minutes,
    recurrence: "daily",
    createdAtMs: 0,
    updatedAtMs: 0,
  };
}

describe("override windows", () => {
  it("a daily override keeps its local time across the spring DST change", () => {
    const o = daily("2025-03-29T16:00:00Z", 60); // 16:00 GMT
    const windows = overrideWindows(
      o,
      Date.parse("2025-03-29T00:00:00Z"),
      Date.parse("2025-04-01T00:00:00Z"),
      "Europe/London",
    );
    expect(windows.map((w) => new Date(w.startMs).toISOString())).toEqual([
      "2025-03-29T16:00:00.000Z",
      "2025-03-30T15:00:00.000Z", // 16:00 BST
      "2025-03-31T15:00:00.000Z",
    ]);
  });

  it("a one-off override has one window, and none outside it", () => {
    const o: Override = { ...daily("2025-01-01T10:00:00Z", 30), recurrence: "none" };
    expect(overrideWindows(o, o.startMs - HOUR, o.startMs + HOUR, "UTC")).toHaveLength(1);
    expect(overrideWindows(o, o.startMs + HOUR, o.startMs + 2 * HOUR, "UTC")).toHaveLength(0);
  });
});

describe("override windows of dates luxon cannot represent", () => {
  const from = Date.parse("2025-01-01T00:00:00Z");
  for (const startMs of [8640000000000000, -8640000000000000, Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
    it(`a daily override starting at ${startMs} has no windows (and returns)`, () => {
      const o: Override = { ...daily("2025-01-01T00:00:00Z", 60), startMs };
      expect(overrideWindows(o, from, from + 48 * HOUR, "Europe/London")).toEqual([]);
    });
  }

  it("a daily override over a span of a year has one window a day, however it is asked", () => {
    const o = daily("2025-01-01T10:00:00Z", 60);
    expect(overrideWindows(o, from, from + 365 * 24 * HOUR, "Europe/London")).toHaveLength(365);
    expect(overrideWindows(o, from, Number.NaN, "Europe/London")).toEqual([]);
    expect(overrideWindows(o, from + HOUR, from, "Europe/London")).toEqual([]);
  });
});

describe("override book", () => {
  it("refuses starts outside 2000..2100 or more than a year from now, and absurd durations", async () => {
    const book = await openOverrideBook({ dataDir: await tempDir(), zone: "UTC" });
    const bad: unknown[] = [
      { mode: "charge", startMs: 8640000000000000, durationMinutes: 60, recurrence: "daily" },
      { mode: "charge", startMs: Number.NaN, durationMinutes: 60 },
      { mode: "charge", startMs: -1, durationMinutes: 60 },
      { mode: "charge", startMs: "+275760-09-13T00:00:00Z", durationMinutes: 60 },
      { mode: "charge", startMs: "tomorrow", durationMinutes: 60 },
      { mode: "charge", startMs: NOW + 400 * 24 * HOUR, durationMinutes: 60 },
      { mode: "charge", durationMinutes: 1e12 },
      { mode: "charge", durationMinutes: Number.POSITIVE_INFINITY },
    ];
    for (const request of bad) {
      await expect(book.create(request as never, NOW)).rejects.toThrow(/^override: /);
    }
    expect(book.list()).toEqual([]);
  });

  it("a damaged record loses only itself: the rest is kept and the original moved aside", async () => {
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    try {
      const dir = await tempDir();
      const good = { ...daily("2025-01-01T10:00:00Z", 60), id: "good" };
      const file = {
        overrides: [good, { ...good, id: "far", startMs: 8640000000000000 }, { id: 3 }, null],
        active: { good: good.startMs, far: 8640000000000000 },
      };
      await writeFile(join(dir, "overrides.json"), JSON.stringify(file));
      const book = await openOverrideBook({ dataDir: dir, zone: "Europe/London" });
      expect(book.list().map((o) => o.id)).toEqual(["good"]);
      expect(book.windowsBetween(NOW, NOW + 24 * HOUR)).toHaveLength(1);
      const names = await readdir(dir);
      const aside = names.find((n) => n.startsWith("overrides.json.damaged-"));
      expect(JSON.parse(await readFile(join(dir, aside!), "utf8"))).toEqual(file);
      expect(JSON.parse(await readFile(join(dir, "overrides.json"), "utf8")).overrides).toEqual([good]);
      expect(lines.some((l) => /dropped 3 bad override record\(s\).*kept 1/.test(l))).toBe(true);
    } finally {
      restore();
    }
  });

  it("an unreadable file is moved aside, not overwritten by the next override", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "overrides.json"), '{"overrides":[{"id":"a","mo');
    const book = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    await book.create({ mode: "hold", durationMinutes: 10 }, NOW);
    const aside = (await readdir(dir)).find((n) => n.startsWith("overrides.json.damaged-"));
    expect(await readFile(join(dir, aside!), "utf8")).toBe('{"overrides":[{"id":"a","mo');
  });

  it("goes through created, started, updated, ended and is dropped when a one-off ends", async () => {
    const events: OverrideEvent[] = [];
    const book = await openOverrideBook({
      dataDir: await tempDir(),
      zone: "UTC",
      onEvent: (e) => events.push(e),
    });
    const t = Date.parse("2025-01-01T10:00:00Z");
    const id = await book.create({ mode: "hold", startMs: t + HOUR, durationMinutes: 60 }, t);
    await book.tick(t);
    expect(book.activeAt(t)).toBeUndefined();
    await book.tick(t + HOUR + 1);
    expect(book.activeAt(t + HOUR + 1)).toMatchObject({ id, mode: "hold" });
    expect(await book.update(id, { mode: "export", targetSocPct: 30 }, t + HOUR + 2)).toBe(true);
    expect(book.activeAt(t + HOUR + 3)).toMatchObject({ mode: "export", targetSocPct: 30 });
    await book.tick(t + 2 * HOUR + 1);
    expect(events.map((e) => e.kind)).toEqual(["created", "started", "updated", "ended"]);
    // Kept for the grace period after its end, then dropped (the clock has run steadily for 3 h).
    expect(book.list().map((o) => o.id)).toEqual([id]);
    expect(book.activeAt(t + 2 * HOUR + 2)).toBeUndefined();
    await book.tick(t + 3 * HOUR + 1);
    expect(book.list()).toEqual([]);
  });

  it("keeps an ended one-off override when a clock that ran ahead is set back, and acts on it", async () => {
    const dir = await tempDir();
    const real = Date.parse("2025-01-01T10:00:00Z");
    const book = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    const id = await book.create(
      { mode: "charge", startMs: real + HOUR, durationMinutes: 60, targetSocPct: 90 },
      real,
    );
    // The add-on restarts on a boot clock two days ahead; the override looks long over.
    const reopened = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    const ahead = real + 2 * 24 * HOUR;
    await reopened.tick(ahead);
    await reopened.tick(ahead + 30 * 60_000);
    expect(reopened.list().map((o) => o.id)).toEqual([id]);
    // NTP sets the clock back to the real time: the override is still there and in force at its start.
    await reopened.tick(real + 30 * 60_000);
    await reopened.tick(real + HOUR + 1);
    expect(reopened.activeAt(real + HOUR + 1)).toMatchObject({ id, mode: "charge" });
    // And it survives a restart in between: nothing was deleted from the file.
    const again = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    expect(again.list().map((o) => o.id)).toEqual([id]);
  });

  it("deletes an ended one-off override once the clock has run steadily past its grace period", async () => {
    const t = Date.parse("2025-01-01T10:00:00Z");
    const book = await openOverrideBook({ dataDir: await tempDir(), zone: "UTC" });
    await book.create({ mode: "hold", startMs: t, durationMinutes: 30 }, t);
    // A jump forward of a day: too big a step to trust at once.
    await book.tick(t + 1);
    await book.tick(t + 24 * HOUR);
    expect(book.list()).toHaveLength(1);
    // Then an hour of steady half-hourly ticks: now it goes.
    await book.tick(t + 24 * HOUR + 30 * 60_000);
    expect(book.list()).toHaveLength(1);
    await book.tick(t + 25 * HOUR);
    expect(book.list()).toEqual([]);
  });

  it("accepts an ISO start and restores overrides after a restart", async () => {
    const dir = await tempDir();
    const book = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    const id = await book.create(
      {
        mode: "charge",
        startMs: "2025-01-01T02:00:00Z" as unknown as number,
        durationMinutes: 90,
        targetSocPct: 90,
        recurrence: "daily",
      },
      Date.parse("2025-01-01T00:00:00Z"),
    );
    const reopened = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    expect(reopened.list()).toMatchObject([
      { id, startMs: Date.parse("2025-01-01T02:00:00Z"), recurrence: "daily", targetSocPct: 90 },
    ]);
    expect(reopened.activeAt(Date.parse("2025-01-05T03:00:00Z"))?.id).toBe(id);
  });

  it("cancelling without an id cancels them all", async () => {
    const book = await openOverrideBook({ dataDir: await tempDir(), zone: "UTC" });
    await book.create({ mode: "hold", durationMinutes: 10 }, NOW);
    await book.create({ mode: "export", durationMinutes: 10 }, NOW);
    expect(await book.cancel(undefined, 1)).toHaveLength(2);
    expect(book.list()).toEqual([]);
  });

  it("an update of an unknown override says so", async () => {
    const book = await openOverrideBook({ dataDir: await tempDir(), zone: "UTC" });
    expect(await book.update("nope", { mode: "hold" }, NOW)).toBe(false);
  });
});
