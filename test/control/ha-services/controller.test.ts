import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { HaWriteNotAppliedError } from "../../../src/control/ha-services/controller.js";
import { bindingFromOptions, haProfileReadiness } from "../../../src/control/ha-services/index.js";
import { defineProfile } from "../../../src/control/ha-services/profile-schema.js";
import { HA_SERVICE_PROFILES } from "../../../src/control/ha-services/profiles/index.js";
import type { ProfileBinding } from "../../../src/control/ha-services/resolve.js";
import { ConfigError, ControlError } from "../../../src/errors.js";
import { type Rig, startRig } from "./sim-setup.js";

const generic = (
  values: Record<string, string> = {},
  entities: Record<string, string> = {},
): ProfileBinding => ({
  profile: HA_SERVICE_PROFILES.generic!,
  entities: {
    mode_select: "select.inverter_mode",
    charge_power: "number.inverter_charge_power",
    charge_switch: "switch.inverter_force_charge",
    ...entities,
  },
  values,
});

const CHARGE = { mode: "charge", targetSocPct: 90, powerW: 3000 } as const;

describe("HA-service controller", () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it("reports a write the integration ignores as a mismatch, after a bounded number of attempts", async () => {
    rig = await startRig(generic(), 3);
    rig.sim.registerService("select", "select_option", () => undefined);
    const error = await rig.controller.apply(CHARGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaWriteNotAppliedError);
    const failure = error as HaWriteNotAppliedError;
    expect(failure.retryable).toBe(true);
    expect(failure.mismatches).toEqual(["select.inverter_mode: wanted Force Charge, reads Force Discharge"]);
    expect(failure.report.verified).toBe(false);
    const selects = rig.sim.serviceCalls.filter((c) => c.service === "select_option");
    expect(selects).toHaveLength(3);
    // What did stick was written once, not again on every attempt.
    expect(rig.sim.serviceCalls.filter((c) => c.service === "set_value")).toHaveLength(1);
  });

  it("stops retrying as soon as a late write sticks", async () => {
    rig = await startRig(generic(), 3);
    let calls = 0;
    const sim = rig.sim;
    sim.registerService("select", "select_option", (data) => {
      calls += 1;
      if (calls >= 2)
        sim.setState(
          String(data.entity_id),
          String(data.option),
          sim.getState(String(data.entity_id))!.attributes,
        );
    });
    const report = await rig.controller.apply(CHARGE);
    expect(report.verified).toBe(true);
    expect(calls).toBe(2);
  });

  it("waits for an integration that shows the write on its next poll instead of writing again", async () => {
    // Each read-back pause really waits a little, so the deferred state change lands in between.
    rig = await startRig(generic(), 3, () => new Promise((resolve) => setTimeout(resolve, 10)));
    const sim = rig.sim;
    sim.registerService("select", "select_option", (data) => {
      const id = String(data.entity_id);
      setTimeout(() => sim.setState(id, String(data.option), sim.getState(id)!.attributes), 30);
    });
    const report = await rig.controller.apply(CHARGE);
    expect(report.verified).toBe(true);
    expect(sim.serviceCalls.filter((c) => c.service === "select_option")).toHaveLength(1);
  });

  it("completes a half-applied command by writing only what differs", async () => {
    rig = await startRig(generic());
    await rig.controller.apply(CHARGE);
    rig.sim.setState("switch.inverter_force_charge", "off");
    const report = await rig.controller.apply(CHARGE);
    expect(report).toEqual({ written: ["switch.inverter_force_charge=on"], verified: true, mismatches: [] });
  });

  it("keeps numbers inside the entity's own bounds", async () => {
    rig = await startRig(generic());
    const report = await rig.controller.apply({ mode: "charge", targetSocPct: 90, powerW: 90_000 });
    expect(report.verified).toBe(true);
    expect(rig.sim.getState("number.inverter_charge_power")?.state).toBe("20000");
  });

  it("names the role and the option to set when an entity does not exist", async () => {
    rig = await startRig(generic());
    rig.sim.removeState("select.inverter_mode");
    const error = await rig.controller.apply(CHARGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlError);
    expect((error as ControlError).message).toMatch(
      /select\.inverter_mode.*mode_select.*control\.entities\.mode_select/,
    );
    expect((error as ControlError).retryable).toBe(false);
  });

  it("does not retry an option the integration refuses", async () => {
    rig = await startRig(generic({ charge_option: "Turbo" }));
    // The seeded select offers the default options, so "Turbo" is invalid for it.
    const mode = rig.sim.getState("select.inverter_mode")!;
    rig.sim.setState(mode.entity_id, mode.state, {
      options: ["Self Use", "Force Charge", "Hold", "Force Discharge"],
    });
    const error = await rig.controller.apply(CHARGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlError);
    expect((error as ControlError).retryable).toBe(false);
    expect(rig.sim.serviceCalls.filter((c) => c.service === "select_option")).toHaveLength(1);
  });

  it("reports an unavailable entity as retryable", async () => {
    rig = await startRig(generic());
    rig.sim.setState("select.inverter_mode", "unavailable");
    const error = await rig.controller.apply(CHARGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlError);
    expect((error as ControlError).retryable).toBe(true);
  });

  it("restores self-use", async () => {
    rig = await startRig(generic());
    await rig.controller.apply(CHARGE);
    const report = await rig.controller.restoreSelfUse();
    expect(report.verified).toBe(true);
    expect(rig.sim.getState("select.inverter_mode")?.state).toBe("Self Use");
    expect(rig.sim.getState("switch.inverter_force_charge")?.state).toBe("off");
  });
});

describe("HA-service profile configuration", () => {
  const options = (control: Record<string, unknown>) =>
    configSchema.parse({
      battery: { soc_entity: "sensor.soc", capacity_kwh: 10, max_charge_kw: 3, max_discharge_kw: 3 },
      import_tariff: { source: "fixed", default_price: 0.2 },
      control,
    }).control;

  it("is not ready until the generic profile's mode select is mapped", () => {
    expect(haProfileReadiness(options({ profile: "generic" }))).toEqual({
      ready: false,
      missing: ["control.entities.mode_select"],
    });
    expect(
      haProfileReadiness(options({ profile: "generic", entities: { mode_select: "select.x" } })).ready,
    ).toBe(true);
  });

  it("asks for Huawei's device id", () => {
    expect(haProfileReadiness(options({ profile: "huawei_solar" })).missing).toEqual([
      "control.values.device_id",
    ]);
  });

  it("fills the entity prefix into the profile's defaults", () => {
    const binding = bindingFromOptions(options({ profile: "givtcp", entity_prefix: "givtcp_ab12" }));
    expect(binding.prefix).toBe("givtcp_ab12");
    expect(haProfileReadiness(options({ profile: "givtcp" })).ready).toBe(true);
  });

  it("rejects an unknown profile naming the option", () => {
    // The options schema refuses it first; this is the controller's own guard behind it.
    const tesla = { ...options({}), profile: "tesla" };
    expect(() => bindingFromOptions(tesla)).toThrow(ConfigError);
    expect(() => bindingFromOptions(tesla)).toThrow(/control\.profile/);
  });

  it("rejects a profile whose step names an undeclared role or an option the integration lacks", () => {
    const base = {
      name: "broken",
      title: "Broken",
      integration: "x",
      source: "https://example.org/",
      roles: { mode: { domain: "select" as const, description: "m", options: ["A", "B"] } },
    };
    const steps = [{ role: "mode", value: "A" }];
    expect(() =>
      defineProfile({
        ...base,
        modes: { "self-use": steps, charge: steps, hold: steps, export: [{ role: "nope", value: "A" }] },
      }),
    ).toThrow(/undeclared role 'nope'/);
    expect(() =>
      defineProfile({
        ...base,
        modes: { "self-use": steps, charge: [{ role: "mode", value: "C" }], hold: steps, export: steps },
      }),
    ).toThrow(/'C' is not an option of mode/);
  });
});
