import { afterEach, describe, expect, it } from "vitest";
import {
  firePlanChanged,
  fireRatesLate,
  modesChanged,
  OVERRIDE_REJECTED_EVENT,
  PLAN_CHANGED_EVENT,
  RATES_LATE_EVENT,
  subscribeActions,
} from "../../src/ha/actions.js";
import type { HaEvent } from "../../src/ha/client.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { setLogSink } from "../../src/log.js";
import type { OverrideRequest, RuntimeCommands } from "../../src/runtime/ports.js";
import { type HaSim, startHaSim } from "../../src/sim/ha/index.js";
import { makeStoredPlan } from "./publish/plan-fixture.js";

class RecordingCommands implements RuntimeCommands {
  calls: [string, unknown][] = [];
  requestReplan(reason: string) {
    this.calls.push(["requestReplan", reason]);
  }
  async createOverride(request: OverrideRequest) {
    this.calls.push(["createOverride", request]);
    return "ov-1";
  }
  async cancelOverride(id?: string) {
    this.calls.push(["cancelOverride", id]);
  }
  async setControlEnabled(enabled: boolean) {
    this.calls.push(["setControlEnabled", enabled]);
  }
  async setReservePct(pct: number) {
    this.calls.push(["setReservePct", pct]);
  }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const START = Date.parse("2025-06-01T00:00:00Z");

describe("automation events", () => {
  let sim: HaSim | undefined;
  let ha: HaConnection | undefined;
  let restoreLog: (() => void) | undefined;

  afterEach(async () => {
    restoreLog?.();
    await ha?.close();
    await sim?.close();
    sim = undefined;
    ha = undefined;
  });

  const setup = async () => {
    sim = await startHaSim({ token: "actions-token" });
    ha = await connectHa({ ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"), connectAttempts: 1 });
    const commands = new RecordingCommands();
    await subscribeActions(ha, commands);
    return { sim, ha, commands };
  };

  it("asks for a replan on battery_planner_replan", async () => {
    const { sim, commands } = await setup();
    sim.fireEvent("battery_planner_replan", { reason: "new tariff" });
    await until(() => commands.calls.length > 0, "replan");
    expect(commands.calls).toEqual([["requestReplan", "new tariff"]]);
  });

  it("creates an override from battery_planner_override data", async () => {
    const { sim, commands } = await setup();
    sim.fireEvent("battery_planner_override", {
      mode: "Charge",
      duration_minutes: 45,
      target_soc: 80,
      power_w: 2500,
      start: "2025-06-01T02:00:00+01:00",
    });
    await until(() => commands.calls.length > 0, "override");
    expect(commands.calls).toEqual([
      [
        "createOverride",
        {
          mode: "charge",
          durationMinutes: 45,
          targetSocPct: 80,
          powerW: 2500,
          startMs: Date.parse("2025-06-01T01:00:00Z"),
        },
      ],
    ]);
  });

  it("cancels overrides when asked", async () => {
    const { sim, commands } = await setup();
    sim.fireEvent("battery_planner_override", { cancel: true });
    await until(() => commands.calls.length > 0, "cancel");
    expect(commands.calls).toEqual([["cancelOverride", undefined]]);
  });

  it("still hears the events after the connection dropped and came back", async () => {
    const { sim, ha, commands } = await setup();
    let back = false;
    ha.onReconnect(() => {
      back = true;
    });
    sim.dropConnections();
    await until(() => back && sim.connectionCount() > 0, "reconnect");
    // The resubscription may land just after the reconnect; fire until it is heard.
    for (let i = 0; i < 50 && commands.calls.length === 0; i++) {
      sim.fireEvent("battery_planner_replan", { reason: "after drop" });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(commands.calls[0]).toEqual(["requestReplan", "after drop"]);
  });

  it("logs and ignores an override with garbage data", async () => {
    const lines: string[] = [];
    restoreLog = setLogSink((line) => lines.push(line));
    const { sim, commands } = await setup();
    sim.fireEvent("battery_planner_override", { mode: "turbo", duration_minutes: "soon" });
    sim.fireEvent("battery_planner_override", { duration_minutes: 30 });
    sim.fireEvent("battery_planner_replan", {});
    await until(() => commands.calls.length > 0, "the replan after the garbage");
    expect(commands.calls).toEqual([["requestReplan", "automation"]]);
    expect(lines.filter((l) => l.includes("ignored battery_planner_override"))).toHaveLength(2);
  });

  it("rejects starts luxon cannot represent, or outside 2000..2100, and says so with an event", async () => {
    const lines: string[] = [];
    restoreLog = setLogSink((line) => lines.push(line));
    const { sim, ha, commands } = await setup();
    const rejected: HaEvent[] = [];
    await ha.subscribeEvents(OVERRIDE_REJECTED_EVENT, (e) => rejected.push(e));
    const starts = [
      8640000000000000,
      -1,
      0,
      4102444800000,
      "+275760-09-13T00:00:00Z",
      "1999-12-31T23:59:59Z",
    ];
    for (const start of starts) {
      sim.fireEvent("battery_planner_override", { mode: "charge", start, recurrence: "daily" });
    }
    await until(() => rejected.length === starts.length, "a rejection per bad start");
    sim.fireEvent("battery_planner_override", { mode: "charge", start: "2099-12-31T23:00:00Z" });
    await until(() => commands.calls.length > 0, "the one good start");
    expect(commands.calls).toEqual([
      [
        "createOverride",
        { mode: "charge", durationMinutes: 60, startMs: Date.parse("2099-12-31T23:00:00Z") },
      ],
    ]);
    for (const e of rejected)
      expect(e.data?.reason).toMatch(/^bad data \(start: .* between 2000 and 2100\)$/);
    expect(lines.filter((l) => l.includes("ignored battery_planner_override: bad data (start"))).toHaveLength(
      starts.length,
    );
  });

  it("answers an override the runtime refuses with the runtime's reason", async () => {
    const { sim, ha } = await setup();
    const rejected: HaEvent[] = [];
    await ha.subscribeEvents(OVERRIDE_REJECTED_EVENT, (e) => rejected.push(e));
    // setup()'s commands accept everything; this one refuses like the override book does.
    const refusing = new RecordingCommands();
    refusing.createOverride = async () => {
      throw new Error("override: startMs: must be within a year of now");
    };
    await subscribeActions(ha, refusing);
    sim.fireEvent("battery_planner_override", { mode: "hold", start: "2090-01-01T00:00:00Z" });
    await until(() => rejected.length > 0, "the rejection");
    expect(rejected[0]!.data).toEqual({ reason: "override: startMs: must be within a year of now" });
  });
});

describe("override event numbers", () => {
  let sim: HaSim | undefined;
  let ha: HaConnection | undefined;
  let restoreLog: (() => void) | undefined;
  afterEach(async () => {
    restoreLog?.();
    await ha?.close();
    await sim?.close();
  });

  it("are parsed strictly: a blank, null or hex target is no target, never 0 % or 50 %", async () => {
    const lines: string[] = [];
    restoreLog = setLogSink((line) => lines.push(line));
    sim = await startHaSim({ token: "actions-strict" });
    ha = await connectHa({ ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"), connectAttempts: 1 });
    const commands = new RecordingCommands();
    await subscribeActions(ha, commands);
    for (const bad of ["", "  ", "0x32", null, true, "NaN"]) {
      sim.fireEvent("battery_planner_override", { mode: "charge", target_soc: bad });
    }
    sim.fireEvent("battery_planner_override", { mode: "charge", duration_minutes: "0x1e" });
    sim.fireEvent("battery_planner_override", { mode: "charge", target_soc: " 80 ", duration_minutes: "30" });
    await until(() => commands.calls.length > 0, "the valid override");
    expect(commands.calls).toEqual([
      ["createOverride", { mode: "charge", durationMinutes: 30, targetSocPct: 80 }],
    ]);
    expect(lines.filter((l) => l.includes("ignored battery_planner_override"))).toHaveLength(7);
  });
});

describe("plan changed event", () => {
  const base = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 48, planVersion: 1 });

  it("is not a change when a recompute keeps every mode", () => {
    const again = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 48, planVersion: 2 });
    expect(modesChanged(base, again)).toBe(false);
  });

  it("is not a change when only past slots dropped off and the horizon grew in the same mode", () => {
    const later = makeStoredPlan({
      startMs: START + 3600_000,
      slotMinutes: 30,
      count: 48,
      planVersion: 2,
      modeOf: (i, startMs) => (startMs >= START + 48 * 1800_000 ? "self-use" : base.plan.slots[i + 2]!.mode),
    });
    expect(modesChanged(base, later)).toBe(false);
  });

  it("is a change when a slot's mode differs, even on a finer slot grid", () => {
    const fine = makeStoredPlan({
      startMs: START,
      slotMinutes: 5,
      count: 288,
      planVersion: 2,
      modeOf: (_i, startMs) =>
        startMs === START + 10 * 3600_000 + 5 * 60_000
          ? "hold"
          : base.plan.slots[Math.floor((startMs - START) / 1800_000)]!.mode,
    });
    expect(modesChanged(base, fine)).toBe(true);
  });

  it("fires battery_planner_plan_changed through HA only when modes change", async () => {
    const sim = await startHaSim({ token: "pc-token" });
    const ha = await connectHa({
      ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"),
      connectAttempts: 1,
    });
    try {
      const events: HaEvent[] = [];
      await ha.subscribeEvents(PLAN_CHANGED_EVENT, (e) => events.push(e));
      const same = makeStoredPlan({ startMs: START, slotMinutes: 30, count: 48, planVersion: 2 });
      const changed = makeStoredPlan({
        startMs: START,
        slotMinutes: 30,
        count: 48,
        planVersion: 3,
        modeOf: () => "hold",
      });
      expect(await firePlanChanged(ha, base, same)).toBe(false);
      expect(await firePlanChanged(ha, same, changed)).toBe(true);
      await until(() => events.length > 0, "plan_changed");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({
        plan_version: 3,
        previous_plan_version: 2,
        current_mode: "hold",
        windows: [{ start: "2025-06-01T00:00:00.000Z", end: "2025-06-02T00:00:00.000Z", mode: "hold" }],
      });
    } finally {
      await ha.close();
      await sim.close();
    }
  });

  it("fires battery_planner_rates_late with the message the notify blueprint shows", async () => {
    const sim = await startHaSim({ token: "rl-token" });
    const ha = await connectHa({
      ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"),
      connectAttempts: 1,
    });
    try {
      const events: HaEvent[] = [];
      await ha.subscribeEvents(RATES_LATE_EVENT, (e) => events.push(e));
      await fireRatesLate(ha, { deadline: "18:00", coveredUntilMs: Date.parse("2025-06-01T23:00:00Z") });
      await until(() => events.length > 0, "rates_late");
      expect(events[0]!.data).toMatchObject({
        deadline: "18:00",
        rates_until: "2025-06-01T23:00:00.000Z",
        message: expect.stringContaining("18:00"),
      });
    } finally {
      await ha.close();
      await sim.close();
    }
  });
});
