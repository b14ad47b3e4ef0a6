// MQTT discovery payloads (home-assistant.io/integrations/mqtt, "MQTT Discovery"): one retained
// config per entity on <prefix>/<component>/<node_id>/<object_id>/config, all tied to one
// "Battery Planner" device. Every entity shares one availability topic, which the broker flips to
// "offline" through the client's last will when the add-on dies.
import { CONTROLS, type ControlKey, OVERRIDE_OPTIONS, SENSORS, type SensorDef, unitOf } from "./entities.js";

export interface DiscoveryOptions {
  discoveryPrefix: string;
  /** Topic root for state and command topics; also the node id. */
  nodeId: string;
  swVersion: string;
  currency: string;
  /** Bounds for the reserve SOC number. */
  reserveMinPct?: number;
  reserveMaxPct?: number;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

export const AVAILABLE = "online";
export const NOT_AVAILABLE = "offline";

export function topics(nodeId: string) {
  return {
    availability: `${nodeId}/availability`,
    state: (key: string) => `${nodeId}/${key}/state`,
    attributes: (key: string) => `${nodeId}/${key}/attributes`,
    command: (key: ControlKey) => `${nodeId}/${key}/set`,
  };
}

function device(options: DiscoveryOptions) {
  return {
    identifiers: [options.nodeId],
    name: "Battery Planner",
    manufacturer: "Battery Planner",
    model: "Home Assistant add-on",
    sw_version: options.swVersion,
  };
}

function common(options: DiscoveryOptions, component: string, key: string, name: string, icon: string) {
  const t = topics(options.nodeId);
  return {
    name,
    unique_id: `${options.nodeId}_${key}`,
    // The entity id, told to every HA version the add-on allows (config.yaml: 2024.10 on). Before
    // 2025.10 HA knows only `object_id` and would otherwise derive the id from the device and
    // entity names ("Predicted saving" → sensor.battery_planner_predicted_saving). 2025.10 added
    // `default_entity_id` (home-assistant/core#151775), which wins when both are given and then
    // silences the deprecation warning (core#151996); 2026.4 ignores `object_id`. Before 2025.10
    // the unknown `default_entity_id` is dropped: MQTT's DISCOVERY_SCHEMAs strip extra keys
    // (`extra=vol.REMOVE_EXTRA` in components/mqtt/sensor.py, number.py, select.py…).
    object_id: `${options.nodeId}_${key}`,
    default_entity_id: `${component}.${options.nodeId}_${key}`,
    icon,
    device: device(options),
    origin: { name: "Battery Planner", sw: options.swVersion },
    availability: [
      { topic: t.availability, payload_available: AVAILABLE, payload_not_available: NOT_AVAILABLE },
    ],
  };
}

function sensorConfig(options: DiscoveryOptions, def: SensorDef): DiscoveryMessage {
  const t = topics(options.nodeId);
  const payload: Record<string, unknown> = {
    ...common(options, "sensor", def.key, def.name, def.icon),
    state_topic: t.state(def.key),
  };
  if (def.deviceClass) payload.device_class = def.deviceClass;
  if (def.stateClass) payload.state_class = def.stateClass;
  const unit = unitOf(def, options.currency);
  if (unit) payload.unit_of_measurement = unit;
  if (def.lastReset) {
    // HA's MQTT sensor reads last_reset from the state topic's payload, through its own template.
    payload.value_template = "{{ value_json.value }}";
    payload.last_reset_value_template = "{{ value_json.last_reset }}";
  }
  if (def.entityCategory) payload.entity_category = def.entityCategory;
  if (def.options) payload.options = [...def.options];
  if (def.attributes) payload.json_attributes_topic = t.attributes(def.key);
  return { topic: `${options.discoveryPrefix}/sensor/${options.nodeId}/${def.key}/config`, payload };
}

function controlConfig(options: DiscoveryOptions, key: ControlKey): DiscoveryMessage {
  const t = topics(options.nodeId);
  const control = CONTROLS[key];
  const payload: Record<string, unknown> = {
    ...common(options, control.component, key, control.name, control.icon),
    command_topic: t.command(key),
  };
  switch (key) {
    case "replan":
      payload.payload_press = "PRESS";
      break;
    case "override_mode":
      payload.state_topic = t.state(key);
      payload.options = [...OVERRIDE_OPTIONS];
      break;
    case "reserve_soc":
      Object.assign(payload, {
        state_topic: t.state(key),
        min: options.reserveMinPct ?? 0,
        max: options.reserveMaxPct ?? 100,
        step: 1,
        unit_of_measurement: "%",
        mode: "slider",
        entity_category: "config",
      });
      break;
    case "override_duration":
      Object.assign(payload, {
        state_topic: t.state(key),
        min: 5,
        max: 1440,
        step: 5,
        unit_of_measurement: "min",
        mode: "box",
        entity_category: "config",
      });
      break;
    case "control_enabled":
      Object.assign(payload, { state_topic: t.state(key), payload_on: "ON", payload_off: "OFF" });
      break;
  }
  return {
    topic: `${options.discoveryPrefix}/${control.component}/${options.nodeId}/${key}/config`,
    payload,
  };
}

/** Every config message of the device, in a stable order. */
export function discoveryMessages(options: DiscoveryOptions): DiscoveryMessage[] {
  return [
    ...SENSORS.map((def) => sensorConfig(options, def)),
    ...(Object.keys(CONTROLS) as ControlKey[]).map((key) => controlConfig(options, key)),
  ];
}
