// SIGTERM while the inverter itself does not answer: self-use cannot be written, so the add-on
// says so and is gone within the stop deadline anyway (before, it waited on the link for as long
// as the writes in flight took, and the Supervisor killed it).
import { afterEach, describe, expect, it } from "vitest";
import { recordFault } from "./record.js";
import { type AddonProcess, forceExport, sigterm, startAddonProcess, sungrowMode } from "./stop-rig.js";

const STOP_BOUND_MS = 25_000;

let addon: AddonProcess | undefined;
afterEach(async () => {
  await addon?.close();
  addon = undefined;
});

describe("SIGTERM while the inverter does not answer", () => {
  it("gives up restoring at the deadline, says so, and exits in time", async () => {
    addon = await startAddonProcess();
    await forceExport(addon);
    addon.inverter.faults.silent = true;
    const { exitMs, code } = await sigterm(addon, STOP_BOUND_MS);
    recordFault({
      area: "stop",
      fault: "SIGTERM while the inverter never answers",
      tried: 1,
      survived: exitMs <= STOP_BOUND_MS && code === 0 ? 1 : 0,
      recoveryMs: exitMs,
      boundMs: STOP_BOUND_MS,
    });
    expect(exitMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(code).toBe(0);
    // Nothing could be written: the inverter is still exporting, and the log says so.
    expect(sungrowMode(addon.inverter)).toBe("export");
    expect(addon.lines.some((l) => l.includes("could not put the inverter back to self-use"))).toBe(true);
  });
});
