import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { openDayLedger } from "../../src/runtime/day-ledger.js";
import { openDryRunBattery } from "../../src/runtime/dry-run-battery.js";
import type { InputsPort, MeasuredEnergy, StoredPlan } from "../../src/runtime/ports.js";
import { tempDir } from "./helpers.js";

const T0 = Date.parse("2026-11-29T02:00:00Z");
const MIN = 60_000;
const battery = {
  capacityKwh: 10,
  minSocKwh: 1,
  maxChargeKw: 3,
  maxDischargeKw: 3,
  chargeEfficiency: 0.9,
  dischargeEfficiency: 0.9,
  cycleCostPerKwh: 0,
};
const grid = { maxImportKw: 20, maxExportKw: 5 };

/** Meters that have compiled everything before `compiledUntilMs`: 0.05 kWh of load per 5 minutes. */
function meters(state: { compiledUntilMs: number; reads: number; hang: boolean }): InputsPort {
  return {
    readInputs: async () => {
      throw new Error("not used");
    },
    async readMeasuredEnergy(slots): Promise<MeasuredEnergy> {
      state.reads++;
      if (state.hang) return new Promise(() => undefined);
      const known = (s: { endMs: number }) => s.endMs <= state.compiledUntilMs;
      return {
        loadKwh: slots.map((s) => (known(s) ? (0.05 * (s.endMs - s.startMs)) / (5 * MIN) : undefined)),
        pvKwh: slots.map((s) => (known(s) ? 0 : undefined)),
        notes: [],
      };
    },
  };
}

/** A plan whose forecast is 0.6 kWh of load a half hour (twice the metered 0.3). */
const plan = {
  plan: {
    slots: Array.from({ length: 8 }, (_, i) => ({
      startMs: T0 + i * 30 * MIN,
      endMs: T0 + (i + 1) * 30 * MIN,
      loadKwh: 0.6,
      pvKwh: 0,
    })),
  },
} as unknown as StoredPlan;

async function rig() {
  const dataDir = await tempDir();
  const ledger = await openDayLedger(dataDir);
  const state = { compiledUntilMs: 0, reads: 0, hang: false };
  const open = () =>
    openDryRunBattery({
      dataDir,
      ledger,
      inputs: meters(state),
      battery: () => battery,
      grid,
      latestPlan: () => plan,
      log: createLogger("test"),
      metersWaitMs: 300,
    });
  return { dataDir, ledger, state, open, wouldBe: await open() };
}

describe("the dry run's would-be battery", () => {
  it("starts from the real SOC, then follows the commands the add-on would have sent", async () => {
    const { ledger, state, wouldBe } = await rig();
    expect(await wouldBe.socPct(T0, 20)).toBe(20);
    await ledger.recordCommand({
      atMs: T0,
      command: { mode: "charge", targetSocPct: 80, powerW: 3000 },
      driven: false,
    });
    state.compiledUntilMs = T0 + 60 * MIN;
    // An hour at 3 kW stores 2.7 kWh, whatever the real battery (still at 20 %) did.
    expect(await wouldBe.socPct(T0 + 60 * MIN, 20)).toBeCloseTo(47, 9);
  });

  it("steps the minutes the recorder has not compiled on the plan's forecast, and again once it has", async () => {
    const { ledger, state, wouldBe } = await rig();
    await wouldBe.socPct(T0, 50);
    await ledger.recordCommand({ atMs: T0, command: { mode: "self-use" }, driven: false });
    state.compiledUntilMs = T0 + 20 * MIN;
    // 20 min metered (0.2 kWh) + 10 min forecast (0.2 kWh): 0.4 kWh delivered, 0.444 out of store.
    expect(await wouldBe.socPct(T0 + 30 * MIN, 50)).toBeCloseTo(50 - 4.4444444, 5);
    state.compiledUntilMs = T0 + 30 * MIN;
    // The same half hour on the meters alone: 0.3 kWh delivered.
    expect(await wouldBe.socPct(T0 + 30 * MIN, 50)).toBeCloseTo(50 - 3.3333333, 5);
  });

  it("survives a restart, and starts again from the real SOC after the clock steps back", async () => {
    const { ledger, state, open, wouldBe } = await rig();
    await wouldBe.socPct(T0, 20);
    await ledger.recordCommand({ atMs: T0, command: { mode: "charge", powerW: 3000 }, driven: false });
    state.compiledUntilMs = T0 + 30 * MIN;
    expect(await wouldBe.socPct(T0 + 30 * MIN, 20)).toBeCloseTo(33.5, 9);
    const reopened = await open();
    expect(await reopened.socPct(T0 + 30 * MIN, 20)).toBeCloseTo(33.5, 9);
    expect(await reopened.socPct(T0 - 60 * MIN, 25)).toBe(25);
  });

  it("does not wait for meters that never answer: steps on the plan's forecast", {
    timeout: 20_000,
  }, async () => {
    const { ledger, state, wouldBe } = await rig();
    await wouldBe.socPct(T0, 50);
    await ledger.recordCommand({ atMs: T0, command: { mode: "self-use" }, driven: false });
    state.hang = true;
    const startedAt = Date.now();
    // 30 min of the forecast's 0.6 kWh: 0.667 kWh out of store.
    expect(await wouldBe.socPct(T0 + 30 * MIN, 50)).toBeCloseTo(50 - 6.6666667, 5);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
  });

  it("a damaged file starts it again from the real SOC, the original kept aside", async () => {
    const { dataDir, open } = await rig();
    await writeFile(join(dataDir, "dry-run-battery.json"), '{"atMs": "yesterday"');
    const wouldBe = await open();
    expect(await wouldBe.socPct(T0, 42)).toBe(42);
    expect((await readdir(dataDir)).some((f) => f.startsWith("dry-run-battery.json.damaged-"))).toBe(true);
  });
});
