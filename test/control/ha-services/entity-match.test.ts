// The HA-services controller reads the SOC with the planner's parser: a SOC the planner would not
// trust never keeps the controller's previous forced mode running (issue 9, item 3).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHaServicesController } from "../../../src/control/ha-services/controller.js";
import { asNumber, readSocPct } from "../../../src/control/ha-services/entity-match.js";
import { HA_SERVICE_PROFILES } from "../../../src/control/ha-services/profiles/index.js";
import type { ProfileBinding } from "../../../src/control/ha-services/resolve.js";
import { ControlError } from "../../../src/errors.js";
import type { HaEntityState } from "../../../src/ha/client.js";
import type { Controller } from "../../../src/runtime/ports.js";
import { LIMITS, type Rig, SOC_ENTITY, startRig } from "./sim-setup.js";

const binding: ProfileBinding = {
  profile: HA_SERVICE_PROFILES.givtcp!,
  entities: {},
  values: {},
  prefix: "givtcp_ce1234g567",
};

function number(state: string): HaEntityState {
  return {
    entity_id: "number.x",
    state,
    attributes: {},
    last_changed: "",
    last_updated: "",
    context: { id: "", parent_id: null, user_id: null },
  };
}

describe("numbers in entity states", () => {
  it("reads hex, blanks and NaN as no value, never as 0 or 50", () => {
    expect(asNumber(number("2500"))).toBe(2500);
    for (const bad of ["0x32", "  ", "NaN", "Infinity", "unknown"])
      expect(asNumber(number(bad)), bad).toBe(undefined);
  });

  it("names the SOC entity and the reason when it refuses a SOC", () => {
    expect(() => readSocPct("sensor.soc", { ...number("150"), entity_id: "sensor.soc" }, 9.5)).toThrow(
      /sensor\.soc is not usable: SOC 150 % is outside 0–100 %/,
    );
  });
});

describe("HA-services controller readState", () => {
  let rig: Rig;
  let controller: Controller;
  beforeAll(async () => {
    rig = await startRig(binding);
    controller = createHaServicesController({
      ha: rig.ha,
      entities: rig.entities,
      binding,
      limits: LIMITS,
      socEntity: SOC_ENTITY,
      capacityKwh: 9.5,
      sleep: async () => undefined,
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it.each(["-5", "150", "100.6", "0x32", "  ", "unavailable"])("refuses a SOC of %j", async (bad) => {
    rig.sim.setState(SOC_ENTITY, bad, { unit_of_measurement: "%" });
    const error = await controller.readState().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlError);
    expect((error as ControlError).retryable).toBe(true);
  });

  it("reads a Wh SOC sensor with the capacity as the planner does, not as 5000 %", async () => {
    rig.sim.setState(SOC_ENTITY, "4750", { unit_of_measurement: "Wh" });
    expect((await controller.readState()).socPct).toBeCloseTo(50, 6);
    rig.sim.setState(SOC_ENTITY, "5000", { unit_of_measurement: "Wh" });
    expect((await controller.readState()).socPct).toBeCloseTo(52.63, 2);
  });

  it("refuses a Wh SOC sensor when it cannot tell the capacity", async () => {
    rig.sim.setState(SOC_ENTITY, "5000", { unit_of_measurement: "Wh" });
    await expect(rig.controller.readState()).rejects.toThrow(/needs the battery capacity/);
  });
});
