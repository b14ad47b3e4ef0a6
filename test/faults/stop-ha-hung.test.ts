// SIGTERM to a real add-on process controlling the inverter through HA services while every HA
// call hangs (a stuck HA, half-open TCP): self-use cannot be written that way, so the add-on says
// so and is gone within the stop deadline. Before, stop first waited for the writes in flight,
// each service call up to its 30 s timeout, and the Supervisor killed it.
import { afterEach, describe, expect, it } from "vitest";
import { recordFault, timeUntil } from "./record.js";
import { type AddonProcess, forceExport, GIVTCP_MODE, sigterm, startAddonProcess } from "./stop-rig.js";

const STOP_BOUND_MS = 25_000;

let addon: AddonProcess | undefined;
afterEach(async () => {
  await addon?.close();
  addon = undefined;
});

describe("SIGTERM while Home Assistant's service calls never answer", () => {
  it("gives up restoring at the deadline, says so, and exits in time", async () => {
    addon = await startAddonProcess("givtcp");
    await forceExport(addon, "givtcp");
    addon.sim.hangConnections();
    addon.proxy.hangRest();
    // Something to write is now in flight: the override ends, self-use is due.
    addon.sim.fireEvent("battery_planner_override", { cancel: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { exitMs, code } = await sigterm(addon, STOP_BOUND_MS);
    recordFault({
      area: "stop",
      fault: "SIGTERM while HA service calls never answer (HA-services control)",
      tried: 1,
      survived: exitMs <= STOP_BOUND_MS && code === 0 ? 1 : 0,
      recoveryMs: exitMs,
      boundMs: STOP_BOUND_MS,
    });
    expect(exitMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(code).toBe(0);
    await timeUntil(() => addon!.lines.some((l) => l.includes("could not put the inverter back")), 1_000);
    expect(addon.sim.getState(GIVTCP_MODE)?.state).toBe("Timed Export");
  });
});
