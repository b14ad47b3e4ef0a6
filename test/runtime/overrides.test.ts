import { describe, expect, it } from "vitest";
import { type Override, openOverrideBook, overrideWindows } from "../../src/runtime/overrides.js";
import type { OverrideEvent } from "../../src/runtime/ports.js";
import { tempDir } from "./helpers.js";

const HOUR = 3_600_000;

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

describe("override book", () => {
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
      0,
    );
    const reopened = await openOverrideBook({ dataDir: dir, zone: "UTC" });
    expect(reopened.list()).toMatchObject([
      { id, startMs: Date.parse("2025-01-01T02:00:00Z"), recurrence: "daily", targetSocPct: 90 },
    ]);
    expect(reopened.activeAt(Date.parse("2025-01-05T03:00:00Z"))?.id).toBe(id);
  });

  it("cancelling without an id cancels them all", async () => {
    const book = await openOverrideBook({ dataDir: await tempDir(), zone: "UTC" });
    await book.create({ mode: "hold", durationMinutes: 10 }, 0);
    await book.create({ mode: "export", durationMinutes: 10 }, 0);
    expect(await book.cancel(undefined, 1)).toHaveLength(2);
    expect(book.list()).toEqual([]);
  });

  it("an update of an unknown override says so", async () => {
    const book = await openOverrideBook({ dataDir: await tempDir(), zone: "UTC" });
    expect(await book.update("nope", { mode: "hold" }, 0)).toBe(false);
  });
});
