// The add-on with direct Modbus control, through the composition root: a simulated Sungrow over
// Modbus TCP on loopback, the HA simulator for the inputs, a fake clock.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startAddon } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import { createModbusController } from "../../src/control/modbus/index.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { setLogSink } from "../../src/log.js";
import { parseScenario } from "../../src/scenario/index.js";
import { startHaSimForScenario } from "../../src/sim/ha/index.js";
import { startFakeInverter } from "../../src/sim/modbus/fake-inverter.js";
import { FakeClock } from "../fakes/clock.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the add-on controlling a Sungrow over Modbus", () => {
  it("moves the inverter's minimum SOC when the reserve is changed at run time", async () => {
    cleanups.push(setLogSink(() => undefined));
    const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
    const { sim, seed } = await startHaSimForScenario(scenario, { token: "mb-token" });
    cleanups.push(() => sim.close());
    const inverter = await startFakeInverter({ profile: "sungrow-sh", socPct: 60, capacityKwh: 9.5 });
    cleanups.push(() => inverter.close());
    const config = parseConfig({
      ...seed.options,
      battery: { ...seed.options.battery, reserve_pct: 10 },
      control: {
        method: "modbus",
        modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh" },
      },
      mqtt: { mode: "never" },
    });
    const controller = createModbusController({
      profile: "sungrow-sh",
      host: inverter.host,
      port: inverter.port,
      settle_ms: 0,
      limits: { maxChargeW: 3600, maxDischargeW: 3600, reservePct: 10 },
    });
    const clock = new FakeClock(seed.startMs + 60_000);
    const settle = async () => {
      // A replan request runs on the runtime's clock, at most one a minute.
      await clock.advance(61_000);
      await addon.scheduler.whenIdle();
      await addon.runtime.whenIdle();
    };
    const dataDir = await mkdtemp(join(tmpdir(), "bp-mb-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const addon = await startAddon({
      config,
      endpoints: endpointsFromBaseUrl(sim.url, "mb-token", "HA_TOKEN"),
      dataDir,
      clock,
      web: false,
      env: {},
      controllers: { modbus: controller },
    });
    cleanups.push(() => addon.stop());

    await addon.commands.createOverride({ mode: "self-use", durationMinutes: 120 });
    await settle();
    expect(inverter.holding("ems_mode")).toBe(0);
    expect(inverter.holding("min_soc")).toBe(100); // 10 % in 0.1 % steps

    await addon.commands.setReservePct(50);
    await settle();
    expect(inverter.holding("min_soc")).toBe(500);
  });
});
