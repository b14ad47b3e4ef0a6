// battery.power_entity is for the page (addon/DOCS.md): the status the page reads carries the
// battery as the inputs last read it, power included.
import { describe, expect, it } from "vitest";
import type { InputsSnapshot } from "../../src/runtime/ports.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { BatterySim } from "../fakes/battery-sim.js";
import { FakeClock } from "../fakes/clock.js";
import { FakeInputs, RecordingPublisher, simBattery, T0, tempDir, testConfig } from "./helpers.js";

class WithPower extends FakeInputs {
  override async readInputs(nowMs: number): Promise<InputsSnapshot> {
    const snapshot = await super.readInputs(nowMs);
    return { ...snapshot, battery: { ...snapshot.battery, powerW: -1250 } };
  }
}

describe("status", () => {
  it("carries the battery's last reading, power included, for the page", async () => {
    const config = testConfig({});
    const clock = new FakeClock(T0 + 60_000);
    const runtime = await createRuntime({
      inputs: new WithPower(),
      publisher: new RecordingPublisher(),
      controllers: { modbus: new BatterySim(simBattery(config), { maxImportKw: 20, maxExportKw: 5 }, 5) },
      dataDir: await tempDir(),
      clock,
      config,
    });
    expect(runtime.status().battery).toBeUndefined();
    await runtime.planOnce({ reason: "startup" });
    expect(runtime.status().battery).toEqual({ socPct: 50, powerW: -1250, readAtMs: T0 + 60_000 });
  });
});
