import { afterEach, describe, expect, it } from "vitest";
import type { HaEvent } from "../../../src/ha/client.js";
import { connectHa, type HaConnection } from "../../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../../src/ha/endpoints.js";
import { type HttpFetch, httpFetch } from "../../../src/ha/http.js";
import { SENSORS, sensorEntityId } from "../../../src/ha/publish/entities.js";
import { HA_ATTRIBUTE_LIMIT_BYTES, jsonBytes } from "../../../src/ha/publish/plan-attribute.js";
import {
  createRestPublisher,
  REST_RETRY_MAX_MS,
  type RestPlanPublisher,
} from "../../../src/ha/publish/rest-publisher.js";
import type { RuntimeStatus } from "../../../src/runtime/ports.js";
import { type HaSim, startHaSim } from "../../../src/sim/ha/index.js";
import { FakeClock } from "../../fakes/clock.js";
import { makeStoredPlan } from "./plan-fixture.js";

const START = Date.parse("2025-06-01T00:10:00Z");
const status: RuntimeStatus = {
  state: "ok",
  reason: "plan is current",
  controlEnabled: true,
  updatedAtMs: START,
};

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("REST states fallback publisher", () => {
  let sim: HaSim | undefined;
  let ha: HaConnection | undefined;
  let publisher: RestPlanPublisher | undefined;

  afterEach(async () => {
    await publisher?.close();
    await ha?.close();
    await sim?.close();
    publisher = undefined;
    ha = undefined;
    sim = undefined;
  });

  const setup = async () => {
    sim = await startHaSim({ token: "rest-token", restartDownMs: 50 });
    ha = await connectHa({
      ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"),
      connectAttempts: 1,
      retryDelayMs: 50,
    });
    publisher = createRestPublisher({
      ha,
      clock: new FakeClock(START),
      timeZone: "Europe/London",
      currency: "GBP",
    });
    return { sim, publisher };
  };

  it("writes the planner's sensors into HA's states", async () => {
    const { sim, publisher } = await setup();
    await publisher.publishPlan(
      makeStoredPlan({ startMs: Date.parse("2025-06-01T00:00:00Z"), slotMinutes: 5, count: 576 }),
      status,
    );
    for (const def of SENSORS.filter((d) => d.key !== "jobs")) {
      expect(sim.getState(`sensor.battery_planner_${def.key}`), def.key).toBeDefined();
    }
    const statusState = sim.getState("sensor.battery_planner_status")!;
    expect(statusState.state).toBe("ok");
    expect(statusState.attributes).toMatchObject({
      reason: "plan is current",
      friendly_name: "Battery Planner Status",
    });
    expect(sim.getState("sensor.battery_planner_current_mode")!.state).toBe("self-use");
    expect(sim.getState("sensor.battery_planner_next_mode_start")!.state).toBe("2025-06-01T01:00:00.000Z");
    expect(sim.getState("sensor.battery_planner_cost_today")!.attributes).toMatchObject({
      unit_of_measurement: "GBP",
      device_class: "monetary",
    });
    const plan = sim.getState("sensor.battery_planner_plan")!;
    expect(jsonBytes(plan.attributes)).toBeLessThanOrEqual(HA_ATTRIBUTE_LIMIT_BYTES);
    expect((plan.attributes.plan as unknown[]).length).toBeGreaterThan(24);
  });

  it("writes everything again when HA comes back after a restart (REST states do not survive it)", async () => {
    const { sim, publisher } = await setup();
    await publisher.publishStatus(status);
    expect(sim.getState("sensor.battery_planner_status")?.state).toBe("ok");
    sim.removeState("sensor.battery_planner_status");
    await sim.restart();
    await until(() => sim.getState("sensor.battery_planner_status")?.state === "ok", "status written again");
  });

  it("writes the sensors it could not write as soon as the REST API answers again", async () => {
    sim = await startHaSim({ token: "rest-token" });
    ha = await connectHa({ ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"), connectAttempts: 1 });
    const clock = new FakeClock(START);
    let outage = true;
    const calls: string[] = [];
    const fetchImpl: HttpFetch = async (url, init) => {
      calls.push(url);
      if (outage) return { ok: false, status: 500, text: async () => "", json: async () => ({}) };
      return httpFetch(url, init);
    };
    publisher = createRestPublisher({ ha, clock, timeZone: "Europe/London", currency: "GBP", fetchImpl });
    await publisher.publishPlan(makeStoredPlan({ startMs: START, slotMinutes: 30, count: 48 }), status);
    // A failing API gets one request per flush, not one per sensor.
    expect(calls).toHaveLength(1);
    expect(sim.getState("sensor.battery_planner_status")).toBeUndefined();
    await clock.advance(1_000);
    await clock.advance(2_000);
    expect(calls).toHaveLength(3);
    outage = false;
    // Nothing else is published; the retry alone brings every sensor in.
    await clock.advance(REST_RETRY_MAX_MS);
    await until(() => sim!.getState("sensor.battery_planner_status")?.state === "ok", "status written");
    for (const def of SENSORS.filter((d) => d.key !== "jobs")) {
      expect(sim.getState(sensorEntityId(def.key, "battery_planner")), def.key).toBeDefined();
    }
    expect(clock.pendingTimers()).toBe(0);
  });

  it("writes only what changed", async () => {
    const { sim, publisher } = await setup();
    await publisher.publishStatus(status);
    const first = sim.getState("sensor.battery_planner_status")!.last_updated;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await publisher.publishStatus(status);
    expect(sim.getState("sensor.battery_planner_status")!.last_updated).toBe(first);
    await publisher.publishStatus({ ...status, state: "fallback", reason: "plan expired" });
    expect(sim.getState("sensor.battery_planner_status")!.state).toBe("fallback");
  });

  it("tells automations about an override's lifecycle with an HA event", async () => {
    const { publisher } = await setup();
    const events: HaEvent[] = [];
    await ha!.subscribeEvents("battery_planner_override_started", (e) => events.push(e));
    await publisher.publishOverrideEvent?.({
      kind: "started",
      overrideId: "o7",
      atMs: START,
      mode: "charge",
      windowStartMs: START,
      windowEndMs: START + 3600_000,
    });
    await until(() => events.length > 0, "override event");
    expect(events[0]!.data).toEqual({
      id: "o7",
      mode: "charge",
      at: "2025-06-01T00:10:00.000Z",
      window_start: "2025-06-01T00:10:00.000Z",
      window_end: "2025-06-01T01:10:00.000Z",
    });
  });
});
