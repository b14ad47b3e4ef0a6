import { describe, expect, it } from "vitest";
import type { HaEntityState } from "../../src/ha/client.js";
import { completeOptions } from "../../src/setup/complete.js";
import { candidateStateIds, detectSetup, type RegistryEntity } from "../../src/setup/detect.js";
import { givEnergyAgileSolcastHome, SERIAL } from "./home-fixture.js";

function registryOf(states: HaEntityState[], platforms: Record<string, string>): RegistryEntity[] {
  return states.map((s) =>
    platforms[s.entity_id]
      ? { entityId: s.entity_id, platform: platforms[s.entity_id]! }
      : { entityId: s.entity_id },
  );
}

function detectHome(states: HaEntityState[], platforms: Record<string, string> = {}) {
  const registry = registryOf(states, platforms);
  const wanted = new Set(candidateStateIds(registry));
  const candidates = Object.fromEntries(
    states.filter((s) => wanted.has(s.entity_id)).map((s) => [s.entity_id, s]),
  );
  return detectSetup(registry, candidates);
}

describe("detectSetup on a GivEnergy + Agile + Solcast home", () => {
  const home = givEnergyAgileSolcastHome();
  const detection = detectHome(home.states, home.platforms);

  it("finds the import and export rate events, Solcast, the inverter, SOC and the load meter", () => {
    expect(detection.options).toEqual({
      import_tariff: {
        source: "octopus",
        entities: [
          "event.octopus_energy_electricity_19l3456789_1900012345678_current_day_rates",
          "event.octopus_energy_electricity_19l3456789_1900012345678_next_day_rates",
        ],
      },
      export_tariff: {
        source: "octopus",
        entities: [
          "event.octopus_energy_electricity_19l3456789_1900098765432_export_current_day_rates",
          "event.octopus_energy_electricity_19l3456789_1900098765432_export_next_day_rates",
        ],
      },
      solar: {
        source: "solcast",
        entities: [
          "sensor.solcast_pv_forecast_forecast_today",
          "sensor.solcast_pv_forecast_forecast_tomorrow",
          "sensor.solcast_pv_forecast_forecast_day_3",
        ],
      },
      control: { profile: "givtcp", entity_prefix: `givtcp_${SERIAL}` },
      battery: {
        soc_entity: `sensor.givtcp_${SERIAL}_soc`,
        power_entity: `sensor.givtcp_${SERIAL}_battery_power`,
      },
      load: { consumption_entity: `sensor.givtcp_${SERIAL}_load_energy_total_kwh` },
    });
    expect(detection.hints).toEqual([]);
  });

  it("asks to read the states of a few candidates only, never the whole house", () => {
    const ids = candidateStateIds(registryOf(home.states, home.platforms));
    expect(ids.length).toBeLessThan(10);
    expect(ids).not.toContain("sensor.pixel_8_battery_level");
  });
});

describe("detectSetup edge cases", () => {
  const home = givEnergyAgileSolcastHome(0);
  const without = (pattern: RegExp) => home.states.filter((s) => !pattern.test(s.entity_id));

  it("names the disabled Octopus rate events to enable when only the rate sensors exist", () => {
    const detection = detectHome(without(/^event\.octopus/), home.platforms);
    expect(detection.options.import_tariff?.entities).toEqual([
      "event.octopus_energy_electricity_19l3456789_1900012345678_current_day_rates",
      "event.octopus_energy_electricity_19l3456789_1900012345678_next_day_rates",
    ]);
    expect(detection.hints.join(" ")).toMatch(
      /Enable event\.octopus_energy_electricity_19l3456789_1900012345678_current_day_rates/,
    );
  });

  it("does not take a GivTCP profile whose control entities are missing", () => {
    const detection = detectHome(without(/^select\.givtcp/), home.platforms);
    expect(detection.options.control).toBeUndefined();
    // The SOC is still found among battery-level sensors, the phone's excluded by platform.
    expect(detection.options.battery?.soc_entity).toBe(`sensor.givtcp_${SERIAL}_soc`);
  });

  it("takes the one house meter when the inverter has none, and ignores plugs and grid meters", () => {
    const detection = detectHome(without(/load_energy_total_kwh$/), home.platforms);
    expect(detection.options.load).toEqual({ consumption_entity: "sensor.house_consumption_energy" });
  });

  it("leaves a choice between two household meters to the user, with a hint naming both", () => {
    const second: HaEntityState = {
      ...home.states.find((s) => s.entity_id === "sensor.house_consumption_energy")!,
      entity_id: "sensor.home_load_energy",
    };
    const detection = detectHome([...without(/load_energy_total_kwh$/), second], home.platforms);
    expect(detection.options.load).toBeUndefined();
    expect(detection.hints.join(" ")).toMatch(/sensor\.home_load_energy, sensor\.house_consumption_energy/);
  });

  it("finds nothing in an empty house", () => {
    expect(detectSetup([], {})).toEqual({ findings: [], hints: [], options: {} });
  });
});

describe("completeOptions", () => {
  const detected = detectHome(
    givEnergyAgileSolcastHome(0).states,
    givEnergyAgileSolcastHome(0).platforms,
  ).options;

  it("never overrides what the user set", () => {
    const raw = {
      battery: { soc_entity: "sensor.my_soc", capacity_kwh: 9.5 },
      import_tariff: { source: "nordpool", entities: [] },
      control: { profile: "solax_modbus" },
    };
    const { options, filled } = completeOptions(raw, detected);
    expect(options.battery).toMatchObject({
      soc_entity: "sensor.my_soc",
      power_entity: `sensor.givtcp_${SERIAL}_battery_power`,
    });
    expect(options.import_tariff).toEqual({ source: "nordpool", entities: [] });
    expect(options.control).toEqual({ profile: "solax_modbus" });
    expect(filled).not.toContain("battery.soc_entity");
    expect(filled).not.toContain("import_tariff");
    expect(filled).not.toContain("control.profile");
  });

  it("treats the add-on's defaults (octopus without entities, fixed 0 export, no solar, generic) as empty", () => {
    const raw = {
      import_tariff: { source: "octopus", entities: [], bands: [] },
      export_tariff: { source: "fixed", entities: [], bands: [], default_price: 0 },
      solar: { source: "none", entities: [] },
      control: { method: "dry_run", profile: "generic", entities: {}, values: {} },
    };
    const { options, filled } = completeOptions(raw, detected);
    expect(filled.sort()).toEqual(
      [
        "battery.power_entity",
        "battery.soc_entity",
        "control.entity_prefix",
        "control.profile",
        "export_tariff",
        "import_tariff",
        "load.consumption_entity",
        "solar",
      ].sort(),
    );
    expect(options.control).toMatchObject({ method: "dry_run", profile: "givtcp" });
    expect(options.export_tariff).toMatchObject({ source: "octopus", bands: [] });
  });
});

describe("discoverSetup", () => {
  it("turns a Home Assistant that refuses the registry list into an empty detection and a reason", async () => {
    const { discoverSetup } = await import("../../src/setup/discover.js");
    const client = {
      sendMessage: async () => {
        throw new Error("Unauthorized");
      },
      subscribeEntities: async () => async () => undefined,
    };
    const result = await discoverSetup(client as never);
    expect(result.detection).toEqual({ findings: [], hints: [], options: {} });
    expect(result.failure).toMatch(/auto-detection unavailable: .*Unauthorized/);
  });
});

describe("wantsDetection and the report", () => {
  it("skips detection for a home whose options say everything, Modbus control included", async () => {
    const { wantsDetection } = await import("../../src/setup/startup.js");
    const full = {
      battery: { soc_entity: "sensor.soc" },
      import_tariff: { source: "octopus", entities: ["event.a_current_day_rates"] },
      solar: { source: "solcast", entities: ["sensor.solcast_pv_forecast_forecast_today"] },
      load: { consumption_entity: "sensor.house" },
      control: { method: "modbus", profile: "generic", entities: {} },
    };
    expect(wantsDetection(full)).toBe(false);
    expect(
      wantsDetection({ ...full, control: { method: "ha_services", profile: "generic", entities: {} } }),
    ).toBe(true);
    expect(wantsDetection({ ...full, battery: {} })).toBe(true);
  });

  it("says which findings were kept as the user set them", async () => {
    const { setupReport } = await import("../../src/setup/render.js");
    const home = givEnergyAgileSolcastHome(0);
    const detection = detectHome(home.states, home.platforms);
    const { options, filled } = completeOptions(
      { battery: { soc_entity: "sensor.mine" } },
      detection.options,
    );
    const lines = setupReport(detection, options, filled, []).lines;
    expect(lines.find((l) => l.startsWith("found Battery state of charge"))).toMatch(
      /→ battery\.soc_entity, battery\.power_entity$/,
    );
    expect(lines.find((l) => l.startsWith("found Octopus Energy import"))).not.toMatch(/already set/);
    const allKept = setupReport(detection, options, [], []).lines;
    expect(allKept.find((l) => l.startsWith("found Octopus Energy import"))).toMatch(
      /\(already set, kept\)$/,
    );
  });
});
