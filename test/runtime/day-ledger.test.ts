import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LEDGER_KEEP_MS, openDayLedger } from "../../src/runtime/day-ledger.js";
import { tempDir } from "./helpers.js";

const T0 = Date.parse("2026-11-29T00:00:00Z");
const HALF = 30 * 60_000;
const rate = (i: number, pricePerKwh: number, slots = 1) => ({
  startMs: T0 + i * HALF,
  endMs: T0 + (i + slots) * HALF,
  pricePerKwh,
});

describe("day ledger", () => {
  it("keeps every rate it read, later readings replacing what they cover, across a restart", async () => {
    const dir = await tempDir();
    const ledger = await openDayLedger(dir);
    await ledger.recordRates([rate(0, 0.1), rate(1, 0.2), rate(2, 0.3)], [rate(0, 0.05, 3)], T0);
    // A revision of slot 1, and a read that no longer lists the past slot 0.
    await ledger.recordRates([rate(1, 0.25), rate(2, 0.3), rate(3, 0.4)], [rate(1, 0.06)], T0 + HALF);
    await ledger.flush();
    const reopened = await openDayLedger(dir);
    const { importRates, exportRates } = reopened.ratesBetween(T0, T0 + 4 * HALF);
    expect(importRates.map((r) => r.pricePerKwh)).toEqual([0.1, 0.25, 0.3, 0.4]);
    // The long export rate is trimmed around the revision, not dropped.
    expect(exportRates).toEqual([
      { startMs: T0, endMs: T0 + HALF, pricePerKwh: 0.05 },
      { startMs: T0 + HALF, endMs: T0 + 2 * HALF, pricePerKwh: 0.06 },
      { startMs: T0 + 2 * HALF, endMs: T0 + 3 * HALF, pricePerKwh: 0.05 },
    ]);
  });

  it("records a command only when it changes, with the one in force at the start of a window", async () => {
    const dir = await tempDir();
    const ledger = await openDayLedger(dir);
    await ledger.recordCommand({
      atMs: T0 - HALF,
      command: { mode: "charge", targetSocPct: 80 },
      driven: true,
    });
    await ledger.recordCommand({
      atMs: T0 - 1000,
      command: { mode: "charge", targetSocPct: 80 },
      driven: true,
    });
    await ledger.recordCommand({ atMs: T0 + HALF, command: { mode: "self-use" }, driven: true });
    await ledger.recordCommand({ atMs: T0 + 2 * HALF, command: { mode: "self-use" }, driven: false });
    const reopened = await openDayLedger(dir);
    expect(reopened.commandsBetween(T0, T0 + 4 * HALF)).toEqual([
      { atMs: T0 - HALF, command: { mode: "charge", targetSocPct: 80 }, driven: true },
      { atMs: T0 + HALF, command: { mode: "self-use" }, driven: true },
      { atMs: T0 + 2 * HALF, command: { mode: "self-use" }, driven: false },
    ]);
  });

  it("after the clock steps back, forgets the commands it recorded in the future", async () => {
    const ledger = await openDayLedger(await tempDir());
    await ledger.recordCommand({ atMs: T0, command: { mode: "self-use" }, driven: true });
    await ledger.recordCommand({ atMs: T0 + 3 * 3_600_000, command: { mode: "export" }, driven: true });
    await ledger.recordCommand({ atMs: T0 + HALF, command: { mode: "hold" }, driven: true });
    expect(ledger.commandsBetween(T0, T0 + 86_400_000).map((c) => c.command.mode)).toEqual([
      "self-use",
      "hold",
    ]);
  });

  it("keeps three days and no more", async () => {
    const ledger = await openDayLedger(await tempDir());
    await ledger.recordRates([rate(0, 0.1)], [], T0);
    const later = LEDGER_KEEP_MS / HALF + 2;
    await ledger.recordRates([rate(later, 0.2)], [], T0 + later * HALF);
    expect(ledger.ratesBetween(0, Number.MAX_SAFE_INTEGER).importRates.map((r) => r.pricePerKwh)).toEqual([
      0.2,
    ]);
  });

  it("drops a damaged record, keeps the sound ones and the original file aside", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "day-ledger.json"),
      JSON.stringify({
        importRates: [rate(0, 0.1), { startMs: "soon", endMs: 1, pricePerKwh: 0.2 }, rate(2, Number.NaN)],
        exportRates: [],
        commands: [{ atMs: T0, command: { mode: "turbo" }, driven: true }],
      }),
    );
    const ledger = await openDayLedger(dir);
    expect(ledger.ratesBetween(T0, T0 + 86_400_000).importRates).toEqual([rate(0, 0.1)]);
    expect(ledger.commandsBetween(T0, T0 + 86_400_000)).toEqual([]);
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith("day-ledger.json.") && f !== "day-ledger.json")).toBe(true);
  });

  it("a truncated file costs the ledger, not the start", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "day-ledger.json"), '{"importRates":[{"startMs":17');
    const ledger = await openDayLedger(dir);
    await ledger.recordRates([rate(0, 0.1)], [], T0);
    await ledger.flush();
    expect(JSON.parse(await readFile(join(dir, "day-ledger.json"), "utf8")).importRates).toEqual([
      rate(0, 0.1),
    ]);
  });
});
