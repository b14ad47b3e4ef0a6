// Wiring of HA-service control from the options: which profile, which entities, whether it is
// ready (every required role mapped, every placeholder given a value).
import type { Config, ControlOptions } from "../../config/schema.js";
import { ConfigError } from "../../errors.js";
import type { HaClient } from "../../ha/client.js";
import type { EntityStates } from "../../ha/entity-cache.js";
import type { Logger } from "../../log.js";
import type { Controller } from "../../runtime/ports.js";
import { createHaServicesController } from "./controller.js";
import { HA_SERVICE_PROFILES } from "./profiles/index.js";
import { boundEntityIds, missingSettings, type ProfileBinding } from "./resolve.js";

export { createHaServicesController, HaWriteNotAppliedError } from "./controller.js";
export type { HaServiceProfile } from "./profile-schema.js";
export { HA_SERVICE_PROFILES } from "./profiles/index.js";
export {
  boundEntityIds,
  entityIdFor,
  missingSettings,
  type ProfileBinding,
  resolveSteps,
} from "./resolve.js";

export function bindingFromOptions(control: ControlOptions): ProfileBinding {
  const profile = HA_SERVICE_PROFILES[control.profile];
  if (!profile) {
    throw new ConfigError(
      "control.profile",
      `unknown HA service profile '${control.profile}'`,
      `Use one of ${Object.keys(HA_SERVICE_PROFILES).join(", ")}`,
    );
  }
  return {
    profile,
    entities: control.entities,
    values: control.values,
    ...(control.entity_prefix !== undefined ? { prefix: control.entity_prefix } : {}),
  };
}

/** For chooseController's `haProfileReady`: the options that still need setting, if any. */
export function haProfileReadiness(control: ControlOptions): { ready: boolean; missing: string[] } {
  const missing = missingSettings(bindingFromOptions(control));
  return { ready: missing.length === 0, missing };
}

/** The entities HA-service control reads and writes, for the shared entity cache. */
export function haServicesEntityIds(config: Pick<Config, "control" | "battery">): string[] {
  return [...boundEntityIds(bindingFromOptions(config.control)), config.battery.soc_entity];
}

export function createHaServicesControllerFromConfig(
  config: Pick<Config, "control" | "battery">,
  ha: Pick<HaClient, "callService">,
  entities: Pick<EntityStates, "get" | "watch" | "waitUntil" | "sync">,
  log?: Logger,
): Controller {
  const binding = bindingFromOptions(config.control);
  const missing = missingSettings(binding);
  if (missing.length > 0) {
    throw new ConfigError(
      missing[0]!,
      `the ${binding.profile.name} profile needs ${missing.join(", ")}`,
      binding.profile.notes.join(" ") || "Set them in the add-on's options",
    );
  }
  return createHaServicesController({
    ha,
    entities,
    binding,
    limits: {
      maxChargeW: config.battery.max_charge_kw * 1000,
      maxDischargeW: config.battery.max_discharge_kw * 1000,
      reservePct: config.battery.reserve_pct,
    },
    socEntity: config.battery.soc_entity,
    capacityKwh: config.battery.capacity_kwh,
    ...(log ? { log } : {}),
  });
}
