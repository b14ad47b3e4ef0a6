import { describe, expect, it } from "vitest";
import { type ControllerChoiceInput, chooseController } from "../../src/core/controller-choice.js";

const base: ControllerChoiceInput = {
  method: "modbus",
  controlEnabled: true,
  haConnected: true,
  modbusConnected: true,
  haProfileReady: true,
  modbusConfigured: true,
};

describe("controller choice", () => {
  it("dry run when configured so, whatever else holds", () => {
    expect(chooseController({ ...base, method: "dry_run" })).toMatchObject({
      kind: "dry_run",
      why: "configured",
    });
  });

  it("dry run when the master switch is off", () => {
    expect(chooseController({ ...base, controlEnabled: false })).toMatchObject({
      kind: "dry_run",
      why: "master-switch-off",
    });
    expect(chooseController({ ...base, method: "ha_services", controlEnabled: false })).toMatchObject({
      kind: "dry_run",
    });
  });

  it("HA services when configured, mapped and connected", () => {
    expect(chooseController({ ...base, method: "ha_services" })).toMatchObject({ kind: "ha_services" });
  });

  it("HA services: dry run while the profile is not mapped", () => {
    expect(chooseController({ ...base, method: "ha_services", haProfileReady: false })).toMatchObject({
      kind: "dry_run",
      why: "not-configured",
    });
  });

  it("HA services: unavailable while HA is disconnected, never silently Modbus", () => {
    expect(chooseController({ ...base, method: "ha_services", haConnected: false })).toMatchObject({
      kind: "unavailable",
      method: "ha_services",
    });
  });

  it("Modbus when configured and connected", () => {
    expect(chooseController(base)).toMatchObject({ kind: "modbus" });
  });

  it("Modbus: dry run without a host, unavailable while unreachable", () => {
    expect(chooseController({ ...base, modbusConfigured: false })).toMatchObject({
      kind: "dry_run",
      why: "not-configured",
    });
    expect(chooseController({ ...base, modbusConnected: false })).toMatchObject({
      kind: "unavailable",
      method: "modbus",
    });
  });
});
