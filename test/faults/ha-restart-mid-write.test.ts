// Home Assistant restarts while the add-on is writing a command through HA services: once as the
// mode select's call arrives (the call is lost with the connection), once just after the select
// took the write (the answer and the read-back are lost). The built add-on must either complete
// the command after it reconnects or fall back to self-use; it must never stay half-written.
import { afterEach, describe, expect, it } from "vitest";
import { MODE_SELECT, type RunningAddon, startAddonInHome } from "./ha-addon.js";
import { recordFault, timeUntil } from "./record.js";

let run: RunningAddon | undefined;

afterEach(async () => {
  await run?.stop();
  run = undefined;
});

type When = "before the write" | "after the write";

/** Restarts HA at the first "Force Charge" call; returns ms from the restart to the outcome. */
async function restartDuringWrite(when: When): Promise<{ outcome: string; recoveryMs: number }> {
  run = await startAddonInHome({
    entities: 1_000,
    totalBytes: 2_000_000,
    control: "ha_services",
    mqtt: false,
  });
  const sim = run.home.sim;
  let restartedAtMs: number | undefined;
  sim.registerService(
    "select",
    "select_option",
    (data) => {
      const id = String(data.entity_id);
      const option = String(data.option);
      const apply = () => sim.setState(id, option, sim.getState(id)?.attributes);
      if (restartedAtMs === undefined && option === "Force Charge") {
        restartedAtMs = Date.now();
        if (when === "after the write") apply();
        void sim.restart();
        return;
      }
      apply();
    },
    "none",
  );
  await timeUntil(() => sim.received.some((m) => m.event_type === "battery_planner_override"), 60_000);
  sim.fireEvent("battery_planner_override", {
    mode: "charge",
    duration_minutes: 30,
    power_w: 2_500,
    target_soc: 100,
  });
  await timeUntil(() => restartedAtMs !== undefined, 30_000);
  // Complete: every setting of the charge shows. Fallen back: every setting of self-use shows.
  const charged = () =>
    sim.getState(MODE_SELECT)?.state === "Force Charge" &&
    sim.getState("switch.inverter_force_charge")?.state === "on" &&
    sim.getState("number.inverter_charge_power")?.state === "2500";
  const selfUse = () =>
    sim.getState(MODE_SELECT)?.state === "Self Use" &&
    sim.getState("switch.inverter_force_charge")?.state === "off";
  // Right after the restart the old state still shows; the outcome is what holds once HA is back
  // and the add-on has had its rounds.
  await timeUntil(() => sim.connectionCount() > 0, 30_000);
  const recoveryMs = await timeUntil(() => charged(), 45_000, restartedAtMs).catch(() => undefined);
  const outcome = recoveryMs !== undefined ? "completed" : selfUse() ? "self-use" : "half-written";
  expect(run.alive(), run.addon.stderr().slice(-2_000)).toBe(true);
  return { outcome, recoveryMs: recoveryMs ?? Date.now() - restartedAtMs! };
}

describe("HA restarting in the middle of a write", () => {
  const results: { outcome: string; recoveryMs: number }[] = [];

  it.each<When>(["before the write", "after the write"])(
    "completes the command after reconnecting (restart %s)",
    async (when) => {
      const result = await restartDuringWrite(when);
      results.push(result);
      // With HA back within a second, the add-on has every chance to finish the charge.
      expect(result.outcome).toBe("completed");
    },
    90_000,
  );

  it("is recorded", () => {
    recordFault({
      area: "ha",
      fault: "HA restart in the middle of an HA-service write (call lost / answer lost)",
      tried: 2,
      survived: results.filter((r) => r.outcome !== "half-written").length,
      recoveryMs: Math.max(0, ...results.map((r) => r.recoveryMs)),
    });
    expect(results).toHaveLength(2);
  });
});
