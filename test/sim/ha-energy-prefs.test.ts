// The Energy dashboard's preferences as HA answers `energy/get_prefs`
// (homeassistant/components/energy/websocket_api.py), asked over a real websocket by
// home-assistant-js-websocket, the library HA's frontend uses.
import type { Connection } from "home-assistant-js-websocket";
import { afterEach, describe, expect, it } from "vitest";
import { type EnergyPreferences, type HaSim, startHaSim } from "../../src/sim/ha/index.js";
import { connectHaJs } from "../fakes/ha-js-connection.js";

const TOKEN = "energy-prefs-token";

let sim: HaSim | undefined;
let conn: Connection | undefined;

afterEach(async () => {
  conn?.close();
  await sim?.close();
  conn = undefined;
  sim = undefined;
});

async function connect(): Promise<{ sim: HaSim; conn: Connection }> {
  sim = await startHaSim({ token: TOKEN });
  conn = await connectHaJs(sim.url, TOKEN);
  return { sim, conn };
}

const PREFS: EnergyPreferences = {
  energy_sources: [
    {
      type: "grid",
      stat_energy_from: "sensor.grid_import_energy",
      stat_energy_to: "sensor.grid_export_energy",
      stat_cost: null,
      entity_energy_price: "sensor.octopus_current_rate",
      number_energy_price: null,
      stat_compensation: null,
      entity_energy_price_export: null,
      number_energy_price_export: 0.15,
      cost_adjustment_day: 0,
    },
    { type: "solar", stat_energy_from: "sensor.pv_energy", config_entry_solar_forecast: ["solcast_entry"] },
    {
      type: "battery",
      stat_energy_from: "sensor.battery_discharge_energy",
      stat_energy_to: "sensor.battery_charge_energy",
    },
  ],
  device_consumption: [{ stat_consumption: "sensor.ev_charger_energy", name: "Car" }],
};

describe("energy/get_prefs in the simulator", () => {
  it('answers not_found "No prefs" while no preferences were ever saved', async () => {
    const { conn } = await connect();
    await expect(conn.sendMessagePromise({ type: "energy/get_prefs" })).rejects.toEqual({
      code: "not_found",
      message: "No prefs",
    });
  });

  it("answers the saved preferences, with device_consumption_water as HA's store always has it", async () => {
    const { sim, conn } = await connect();
    sim.setEnergyPrefs(PREFS);
    expect(await conn.sendMessagePromise({ type: "energy/get_prefs" })).toEqual({
      ...PREFS,
      device_consumption_water: [],
    });
    sim.setEnergyPrefs(undefined);
    await expect(conn.sendMessagePromise({ type: "energy/get_prefs" })).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
