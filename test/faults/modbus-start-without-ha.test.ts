// The add-on died while exporting over Modbus and comes back while Home Assistant is down: it
// cannot plan without HA, but the inverter must not stay forced for as long as HA stays away.
// After the start guard's wait (60 s in the add-on, 1 s here) self-use is restored over Modbus;
// once HA answers, the add-on starts as usual. Before, nothing was written until HA answered.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startAddon } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { setLogSink } from "../../src/log.js";
import { parseScenario } from "../../src/scenario/index.js";
import { startHaSimForScenario } from "../../src/sim/ha/index.js";
import { startFakeInverter } from "../../src/sim/modbus/fake-inverter.js";
import { startHangingHttpProxy } from "../fakes/hanging-http-proxy.js";
import { recordFault, timeUntil } from "./record.js";
import { sungrowMode } from "./stop-rig.js";

const SCENARIO = new URL("../fixtures/scenarios/agile-winter-30m.json", import.meta.url);
const GUARD_MS = 1_000;
/** The guard's wait, then one apply. */
const BOUND_MS = GUARD_MS + 5_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("a restart while Home Assistant is down, the inverter left exporting", () => {
  it("restores self-use over Modbus without HA, then starts once HA answers", async () => {
    cleanups.push(async () => setLogSink(() => undefined)());
    const scenario = parseScenario(JSON.parse(await readFile(SCENARIO, "utf8")));
    const { sim, seed } = await startHaSimForScenario(scenario, { token: "guard-token" });
    cleanups.push(() => sim.close());
    const proxy = await startHangingHttpProxy(sim.port);
    cleanups.push(() => proxy.close());
    const inverter = await startFakeInverter({ profile: "sungrow-sh", socPct: 60, capacityKwh: 9.5 });
    cleanups.push(() => inverter.close());
    // What the process that died left behind: the inverter exporting, the journal saying so.
    inverter.setHolding(inverter.address("ems_mode").address, 2);
    inverter.setHolding(inverter.address("charge_command").address, 0xbb);
    inverter.setHolding(inverter.address("charge_power").address, 2000);
    expect(sungrowMode(inverter)).toBe("export");
    const dataDir = await mkdtemp(join(tmpdir(), "bp-guard-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await writeFile(
      join(dataDir, "execution-journal.json"),
      JSON.stringify({
        key: "override:dead:0",
        command: { mode: "export", powerW: 2000 },
        state: "applied",
        atMs: Date.now() - 60_000,
      }),
    );
    const config = parseConfig({
      ...seed.options,
      control: {
        method: "modbus",
        modbus: { host: inverter.host, port: inverter.port, profile: "sungrow-sh", timeout_ms: 1000 },
      },
      mqtt: { mode: "never" },
    });
    proxy.setDown(true);
    const startMs = Date.now();
    const starting = startAddon({
      config,
      endpoints: endpointsFromBaseUrl(proxy.url, "guard-token", "HA_TOKEN"),
      dataDir,
      web: false,
      env: {},
      startWithoutHaMs: GUARD_MS,
    });
    let started = false;
    void starting.then(() => {
      started = true;
    });
    const recoveryMs = await timeUntil(
      () => sungrowMode(inverter) === "self-use",
      BOUND_MS + 10_000,
      startMs,
    );
    expect(started).toBe(false);
    recordFault({
      area: "modbus",
      fault: "restart while HA is down, inverter left exporting",
      tried: 1,
      survived: recoveryMs <= BOUND_MS ? 1 : 0,
      recoveryMs,
      boundMs: BOUND_MS,
    });
    expect(recoveryMs).toBeLessThanOrEqual(BOUND_MS);

    proxy.setDown(false);
    const addon = await starting;
    cleanups.push(() => addon.stop());
    expect(addon.runtime.latestPlan()).toBeUndefined(); // the scenario's rates are in the past
    expect(sungrowMode(inverter)).toBe("self-use");
  });
});
