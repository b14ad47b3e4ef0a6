// SIGTERM to a real add-on process while Home Assistant never answers: the inverter is back in
// self-use within the restore deadline (20 s) and the process is gone within the stop deadline
// (25 s), inside the `timeout: 30` the add-on declares. Before, stop waited for every write in
// flight (a REST call that never answers kept it >120 s) and only then restored self-use.
import { afterEach, describe, expect, it } from "vitest";
import { recordFault, timeUntil } from "./record.js";
import { type AddonProcess, forceExport, sigterm, startAddonProcess, sungrowMode } from "./stop-rig.js";

const RESTORE_BOUND_MS = 20_000;
const STOP_BOUND_MS = 25_000;

let addon: AddonProcess | undefined;
afterEach(async () => {
  await addon?.close();
  addon = undefined;
});

describe("SIGTERM while Home Assistant does not answer", () => {
  it("restores self-use and exits in time while REST calls hang", async () => {
    addon = await startAddonProcess();
    await forceExport(addon);
    addon.proxy.hangRest();
    // A replan publishes over REST: that write is now in flight and will never be answered.
    addon.sim.fireEvent("battery_planner_replan", { reason: "fault case" });
    await timeUntil(() => addon!.proxy.heldRequests > 0, 20_000);
    const { restoredMs, exitMs, code } = await sigterm(addon, STOP_BOUND_MS);
    const survived = restoredMs !== undefined && restoredMs <= RESTORE_BOUND_MS && exitMs <= STOP_BOUND_MS;
    recordFault({
      area: "stop",
      fault: "SIGTERM while a REST call never answers",
      tried: 1,
      survived: survived ? 1 : 0,
      recoveryMs: exitMs,
      boundMs: STOP_BOUND_MS,
    });
    expect(sungrowMode(addon.inverter)).toBe("self-use");
    expect(restoredMs).toBeLessThanOrEqual(RESTORE_BOUND_MS);
    expect(exitMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(code).toBe(0);
  });

  it("restores self-use and exits in time while the websocket hangs too", async () => {
    addon = await startAddonProcess();
    await forceExport(addon);
    addon.proxy.hangRest();
    addon.sim.hangConnections();
    const { restoredMs, exitMs, code } = await sigterm(addon, STOP_BOUND_MS);
    const survived = restoredMs !== undefined && restoredMs <= RESTORE_BOUND_MS && exitMs <= STOP_BOUND_MS;
    recordFault({
      area: "stop",
      fault: "SIGTERM while HA (websocket and REST) never answers",
      tried: 1,
      survived: survived ? 1 : 0,
      recoveryMs: exitMs,
      boundMs: STOP_BOUND_MS,
    });
    expect(sungrowMode(addon.inverter)).toBe("self-use");
    expect(restoredMs).toBeLessThanOrEqual(RESTORE_BOUND_MS);
    expect(exitMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(code).toBe(0);
  });
});
