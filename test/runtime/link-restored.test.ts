// A reconnect that arrives while a write is still finishing must still re-apply the command of now
// once that write is done: the inverter may have been changed while the link was down, in a way
// its read-back cannot show (a mode it cannot report), so only re-applying puts it right.
import { describe, expect, it } from "vitest";
import type { Command } from "../../src/core/types.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import {
  agileLikeRates,
  FakeInputs,
  RecordingPublisher,
  simBattery,
  T0,
  tempDir,
  testConfig,
} from "./helpers.js";

describe("linkRestored during a write", () => {
  it("re-applies after the write in flight, even when the inverter cannot report its mode", async () => {
    const config = testConfig();
    const clock = new FakeClock(T0 + 60_000);
    const inputs = new FakeInputs();
    inputs.importRates = agileLikeRates(T0, 96, (i) => (i < 4 ? 0.01 : 0.5));
    const sim = new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5);
    sim.reportsMode = false;
    const runtime = await createRuntime({
      inputs,
      publisher: new RecordingPublisher(),
      controllers: { modbus: sim },
      dataDir: await tempDir(),
      clock,
      config,
    });
    await runtime.cycle();
    const planned = sim.registers.mode;
    expect(planned).not.toBe("self-use");

    // The next write lands on the inverter, then waits (its read-back) until the test lets it go.
    const realApply = sim.apply.bind(sim);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let landed = false;
    sim.apply = async (command: Command) => {
      const report = await realApply(command);
      landed = true;
      await gate;
      return report;
    };
    runtime.linkRestored("first reconnect");
    for (let i = 0; !landed; i++) {
      if (i > 500) throw new Error("the re-apply never reached the inverter");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // While that write finishes, the link drops again and someone puts the inverter in self-use.
    sim.registers = { mode: "self-use" };
    runtime.linkRestored("second reconnect");
    release();
    await runtime.whenIdle();
    expect(sim.registers.mode).toBe(planned);
  });
});
