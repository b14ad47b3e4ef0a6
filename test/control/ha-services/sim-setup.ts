// Seeds the HA simulator with a profile's entities as its integration would create them, plus the
// integration's own services where a profile uses them (Huawei's forcible charge).

import { createHaServicesController } from "../../../src/control/ha-services/controller.js";
import { entityIdFor, type ProfileBinding } from "../../../src/control/ha-services/resolve.js";
import type { HaEntityState } from "../../../src/ha/client.js";
import { connectHa, type HaConnection } from "../../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../../src/ha/endpoints.js";
import { createEntityCache, type EntityCache } from "../../../src/ha/entity-cache.js";
import type { Controller } from "../../../src/runtime/ports.js";
import { type HaSim, startHaSim } from "../../../src/sim/ha/index.js";

export const SOC_ENTITY = "sensor.battery_soc";
export const LIMITS = { maxChargeW: 5000, maxDischargeW: 4000, reservePct: 10 };

function state(entityId: string, value: string, attributes: Record<string, unknown>): HaEntityState {
  const now = new Date().toISOString();
  return {
    entity_id: entityId,
    state: value,
    attributes,
    last_changed: now,
    last_updated: now,
    context: { id: "seed", parent_id: null, user_id: null },
  };
}

/** The entities of a binding as the integration would show them before anything was written. */
export function seedStates(binding: ProfileBinding): HaEntityState[] {
  const states: HaEntityState[] = [
    state(SOC_ENTITY, "55", { unit_of_measurement: "%", device_class: "battery" }),
  ];
  for (const [name, role] of Object.entries(binding.profile.roles)) {
    const entityId = entityIdFor(binding, name);
    if (!entityId) continue;
    switch (role.domain) {
      case "select":
      case "input_select": {
        const options = role.options ?? [
          String(binding.values.self_use_option ?? binding.profile.values.self_use_option ?? "Self Use"),
          String(binding.values.charge_option ?? binding.profile.values.charge_option ?? "Force Charge"),
          String(binding.values.hold_option ?? binding.profile.values.hold_option ?? "Hold"),
          String(binding.values.export_option ?? binding.profile.values.export_option ?? "Force Discharge"),
        ];
        states.push(state(entityId, options[options.length - 1]!, { options }));
        break;
      }
      case "number":
      case "input_number": {
        const min = role.min ?? -20_000;
        const max = role.max ?? 20_000;
        states.push(
          state(entityId, String(min), {
            min,
            max,
            step: role.unit === "kW" ? 0.001 : 1,
            unit_of_measurement: role.unit,
          }),
        );
        break;
      }
      case "switch":
      case "input_boolean":
        states.push(state(entityId, "on", {}));
        break;
      case "button":
      case "input_button":
        states.push(state(entityId, "unknown", {}));
        break;
      case "sensor":
        states.push(state(entityId, "Discharging at 100W until 50%", {}));
        break;
    }
  }
  return states;
}

/** What the Huawei Solar integration does on its forcible charge services. */
export function registerHuaweiServices(sim: HaSim, sensor: string): void {
  sim.registerService("huawei_solar", "forcible_charge_soc", (data) => {
    sim.setState(sensor, `Charging at ${data.power}W until ${data.target_soc}%`);
  });
  sim.registerService("huawei_solar", "forcible_discharge_soc", (data) => {
    sim.setState(sensor, `Discharging at ${data.power}W until ${data.target_soc}%`);
  });
  sim.registerService("huawei_solar", "stop_forcible_charge", () => {
    sim.setState(sensor, "Stopped");
  });
}

export interface Rig {
  sim: HaSim;
  ha: HaConnection;
  entities: EntityCache;
  controller: Controller;
  close(): Promise<void>;
}

export async function startRig(
  binding: ProfileBinding,
  attempts = 3,
  sleep: (ms: number) => Promise<void> = async () => undefined,
  // Long enough for a deferred write to show, short enough that an ignored one fails quickly.
  settleMs = 300,
): Promise<Rig> {
  const sim = await startHaSim({ token: `ctl-${binding.profile.name}`, states: seedStates(binding) });
  // A button's state is the time it was last pressed.
  sim.registerService("button", "press", (data) => {
    sim.setState(String(data.entity_id), new Date().toISOString());
  });
  if (binding.profile.name === "huawei_solar") registerHuaweiServices(sim, entityIdFor(binding, "forcible")!);
  const ha = await connectHa({ ...endpointsFromBaseUrl(sim.url, sim.token, "HA_TOKEN"), connectAttempts: 1 });
  const entities = createEntityCache(ha);
  const controller = createHaServicesController({
    ha,
    entities,
    settleMs,
    binding,
    limits: LIMITS,
    socEntity: SOC_ENTITY,
    attempts,
    // No backoff by default: the simulator applies a write before it answers the call.
    sleep,
  });
  return {
    sim,
    ha,
    entities,
    controller,
    close: async () => {
      await entities.close();
      await ha.close();
      await sim.close();
    },
  };
}
