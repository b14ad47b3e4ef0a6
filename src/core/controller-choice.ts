// Which controller applies commands. Typed so that every caller handles every outcome: a
// configured controller that is not connected is "unavailable" (the executor reports it and
// retries), never silently swapped for another path to the inverter.
export type ControlMethod = "ha_services" | "modbus" | "dry_run";

export interface ControllerChoiceInput {
  method: ControlMethod;
  /** The master switch (options' control.enabled, overridable at run time). */
  controlEnabled: boolean;
  haConnected: boolean;
  modbusConnected: boolean;
  /** ha_services: the profile's required entities are mapped. */
  haProfileReady: boolean;
  /** modbus: a host or serial port is configured. */
  modbusConfigured: boolean;
}

export type ControllerChoice =
  | { kind: "ha_services" | "modbus"; reason: string }
  | { kind: "dry_run"; why: "configured" | "master-switch-off" | "not-configured"; reason: string }
  | { kind: "unavailable"; method: "ha_services" | "modbus"; reason: string };

export function chooseController(input: ControllerChoiceInput): ControllerChoice {
  if (input.method === "dry_run") {
    return { kind: "dry_run", why: "configured", reason: "control method is dry_run" };
  }
  if (!input.controlEnabled) {
    return { kind: "dry_run", why: "master-switch-off", reason: "control is switched off" };
  }
  if (input.method === "ha_services") {
    if (!input.haProfileReady) {
      return {
        kind: "dry_run",
        why: "not-configured",
        reason: "the HA service profile's entities are not mapped",
      };
    }
    if (!input.haConnected) {
      return { kind: "unavailable", method: "ha_services", reason: "Home Assistant is not connected" };
    }
    return { kind: "ha_services", reason: "control through Home Assistant services" };
  }
  if (!input.modbusConfigured) {
    return { kind: "dry_run", why: "not-configured", reason: "no Modbus host or serial port is configured" };
  }
  if (!input.modbusConnected) {
    return { kind: "unavailable", method: "modbus", reason: "the inverter is not reachable over Modbus" };
  }
  return { kind: "modbus", reason: "control over Modbus" };
}
