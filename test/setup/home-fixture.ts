// A GivEnergy + Octopus Agile + Solcast home as auto-detection sees it: the real state payloads of
// test/fixtures/ha-states/uk-octopus-solcast.json, the GivTCP control entities its MQTT discovery
// creates, and the noise of an ordinary Home Assistant (phones, plugs, lights, other meters).
import { readFileSync } from "node:fs";
import type { HaEntityState } from "../../src/ha/client.js";

const FIXTURE = new URL("../fixtures/ha-states/uk-octopus-solcast.json", import.meta.url);
export const SERIAL = "ce2146g123";

function state(entityId: string, value: string, attributes: Record<string, unknown> = {}): HaEntityState {
  const at = "2025-01-14T09:00:00+00:00";
  return {
    entity_id: entityId,
    state: value,
    attributes,
    last_changed: at,
    last_updated: at,
    context: { id: `ctx-${entityId}`, parent_id: null, user_id: null },
  };
}

export function givEnergyAgileSolcastHome(noise = 2000): {
  states: HaEntityState[];
  platforms: Record<string, string>;
} {
  const real = JSON.parse(readFileSync(FIXTURE, "utf8")) as HaEntityState[];
  const p = `givtcp_${SERIAL}`;
  const givtcp = [
    state(`select.${p}_mode`, "Eco", { options: ["Eco", "Eco (Paused)", "Timed Demand", "Timed Export"] }),
    state(`switch.${p}_enable_charge_schedule`, "off"),
    state(`switch.${p}_enable_discharge_schedule`, "off"),
    state(`switch.${p}_enable_charge_target`, "off"),
    state(`number.${p}_target_soc`, "100", { min: 4, max: 100, unit_of_measurement: "%" }),
    state(`number.${p}_battery_charge_rate`, "3600", { unit_of_measurement: "W" }),
    state(`number.${p}_battery_discharge_rate`, "3600", { unit_of_measurement: "W" }),
    state(`sensor.${p}_load_energy_total_kwh`, "18234.5", {
      unit_of_measurement: "kWh",
      device_class: "energy",
      state_class: "total_increasing",
    }),
  ];
  const octopusSensors = [
    state("sensor.octopus_energy_electricity_19l3456789_1900012345678_current_rate", "0.2231", {
      unit_of_measurement: "GBP/kWh",
    }),
    state("sensor.octopus_energy_electricity_19l3456789_1900098765432_export_current_rate", "0.15", {
      unit_of_measurement: "GBP/kWh",
    }),
  ];
  const others: HaEntityState[] = [
    state("sensor.pixel_8_battery_level", "64", { unit_of_measurement: "%", device_class: "battery" }),
    state("sensor.kitchen_plug_energy", "12.3", {
      unit_of_measurement: "kWh",
      device_class: "energy",
      state_class: "total_increasing",
    }),
    state("sensor.grid_import_energy", "9876", {
      unit_of_measurement: "kWh",
      device_class: "energy",
      state_class: "total_increasing",
    }),
  ];
  for (let i = 0; i < noise; i += 1) {
    others.push(state(`light.room_${i}`, i % 2 ? "on" : "off", { friendly_name: `Room ${i}` }));
  }
  const states = [...real, ...givtcp, ...octopusSensors, ...others];
  const platforms: Record<string, string> = {};
  for (const s of states) {
    if (s.entity_id.includes("octopus_energy")) platforms[s.entity_id] = "octopus_energy";
    else if (s.entity_id.includes("solcast")) platforms[s.entity_id] = "solcast_solar";
    else if (s.entity_id.includes("givtcp")) platforms[s.entity_id] = "mqtt";
    else if (s.entity_id.startsWith("sensor.pixel")) platforms[s.entity_id] = "mobile_app";
  }
  return { states, platforms };
}
