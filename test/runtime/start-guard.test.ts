// The start guard: self-use over Modbus when Home Assistant does not answer at start and the
// journal says the inverter was left forced; nothing when it was left in self-use.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { openJournal } from "../../src/runtime/journal.js";
import { guardStartWithoutHa } from "../../src/runtime/start-guard.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import { simBattery, T0, tempDir, testConfig } from "./helpers.js";

async function rig(lastMode: "export" | "self-use" | undefined) {
  const dataDir = await tempDir();
  if (lastMode) {
    await writeFile(
      join(dataDir, "execution-journal.json"),
      JSON.stringify({ key: "plan:3:0", command: { mode: lastMode }, state: "applied", atMs: T0 }),
    );
  }
  const sim = new BatterySim(simBattery(testConfig()), { maxImportKw: 20, maxExportKw: 5 }, 5);
  sim.registers = { mode: lastMode ?? "self-use" };
  const clock = new FakeClock(T0);
  const guard = guardStartWithoutHa({
    dataDir,
    controller: sim,
    clock,
    log: createLogger("test"),
    afterMs: 60_000,
  });
  return { dataDir, sim, clock, guard };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 300) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the start guard", () => {
  it("restores self-use after the wait when the journal says the inverter was left exporting", async () => {
    const { sim, clock, guard, dataDir } = await rig("export");
    await clock.advance(59_000);
    expect(sim.registers.mode).toBe("export");
    await clock.advance(1_000);
    await until(() => sim.registers.mode === "self-use");
    await guard.stop();
    expect((await openJournal(dataDir)).last()).toMatchObject({
      command: { mode: "self-use" },
      state: "applied",
    });
  });

  it("keeps trying while the inverter refuses, and stops when Home Assistant answers", async () => {
    const { sim, clock, guard } = await rig("export");
    sim.failApplies = true;
    await clock.advance(60_000);
    await until(() => sim.applyCalls === 1);
    await clock.advance(2_000);
    await until(() => sim.applyCalls === 2);
    await guard.stop();
    await clock.advance(10 * 60_000);
    expect(sim.applyCalls).toBe(2);
  });

  it("writes nothing when the inverter was left in self-use, or nothing was ever written", async () => {
    for (const last of ["self-use", undefined] as const) {
      const { sim, clock, guard } = await rig(last);
      await clock.advance(120_000);
      await guard.stop();
      expect(sim.applyCalls).toBe(0);
    }
  });
});
