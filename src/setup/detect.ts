// First-start auto-detection: from the entity ids Home Assistant lists (and the states of a few
// candidates), work out which known integrations the home has and which options they imply, so a
// new user only types what no entity says (battery size and power limits). Pure: the registry
// list and candidate states come in, findings and suggested options go out.

import { HA_SERVICE_PROFILES } from "../control/ha-services/profiles/index.js";
import type { HaEntityState } from "../ha/client.js";
import { INTEGRATION_HINTS, type IntegrationHint } from "./integrations.js";

/** One row of `config/entity_registry/list_for_display` (HA sends short keys; see registry.ts). */
export interface RegistryEntity {
  entityId: string;
  platform?: string;
}

export interface Finding {
  /** What was recognised, e.g. "Octopus Energy import rates". */
  what: string;
  /** The option paths it fills, e.g. ["import_tariff"]. */
  options: string[];
  entities: string[];
}

export interface Detection {
  findings: Finding[];
  /** Things the user should do or choose (enable an entity, pick one of several meters). */
  hints: string[];
  /** Options in add-on form (snake_case, nested) made from the findings. */
  options: DetectedOptions;
}

export interface DetectedOptions {
  battery?: { soc_entity?: string; power_entity?: string };
  import_tariff?: { source: string; entities: string[] };
  export_tariff?: { source: string; entities: string[] };
  solar?: { source: string; entities: string[] };
  load?: { consumption_entity: string };
  control?: { profile: string; entity_prefix?: string };
}

const OCTOPUS_EVENT =
  /^event\.octopus_energy_electricity_([0-9a-z]+_[0-9]+)(_export)?_(current|next)_day_rates$/;
const OCTOPUS_RATE_SENSOR = /^sensor\.octopus_energy_electricity_([0-9a-z]+_[0-9]+)(_export)?_current_rate$/;
const SOLCAST_DAY = /^sensor\.solcast_pv_forecast_forecast_(today|tomorrow|day_[3-7])$/;
const AMBER_FORECAST = /^sensor\.([a-z0-9_]+)_(general|feed_in)_forecast$/;
const NORDPOOL_CUSTOM = /^sensor\.nordpool_kwh_[a-z0-9_]+$/;

/** Entity ids whose states the detector wants to see (phase two), picked from the ids alone. */
export function candidateStateIds(entities: readonly RegistryEntity[]): string[] {
  const ids = new Set<string>();
  for (const { entityId, platform } of entities) {
    if (!entityId.startsWith("sensor.") || platform === "mobile_app") continue;
    if (/(soc|state_of_charge|state_of_capacity|battery_level|battery_capacity)$/.test(entityId))
      ids.add(entityId);
    if (
      /(consumption|house|home|load)[a-z0-9_]*(energy|kwh)|energy[a-z0-9_]*(consumption|load)/.test(entityId)
    )
      ids.add(entityId);
  }
  return [...ids].sort();
}

export function detectSetup(
  entities: readonly RegistryEntity[],
  states: Readonly<Record<string, HaEntityState>>,
): Detection {
  const ids = new Set(entities.map((e) => e.entityId));
  const platformOf = new Map(entities.map((e) => [e.entityId, e.platform]));
  const detection: Detection = { findings: [], hints: [], options: {} };
  detectOctopus(ids, detection);
  if (!detection.options.import_tariff) detectOtherTariffs(ids, platformOf, detection);
  detectSolar(ids, platformOf, detection);
  const inverter = detectInverter(ids, detection);
  detectSoc(ids, states, inverter, detection);
  detectConsumption(ids, states, inverter, detection);
  return detection;
}

// --- tariffs ---------------------------------------------------------------------------------------

interface Meter {
  key: string;
  exportMeter: boolean;
  current?: string;
  next?: string;
}

function detectOctopus(ids: Set<string>, detection: Detection): void {
  const meters = new Map<string, Meter>();
  for (const id of [...ids].sort()) {
    const match = OCTOPUS_EVENT.exec(id);
    if (!match) continue;
    const key = `${match[1]}${match[2] ?? ""}`;
    const meter = meters.get(key) ?? { key, exportMeter: match[2] !== undefined };
    if (match[3] === "current") meter.current = id;
    else meter.next = id;
    meters.set(key, meter);
  }
  for (const exportMeter of [false, true]) {
    const option = exportMeter ? "export_tariff" : "import_tariff";
    const label = exportMeter ? "export" : "import";
    const complete = [...meters.values()].filter((m) => m.exportMeter === exportMeter && m.current && m.next);
    const chosen = complete[0];
    if (chosen) {
      const entities = [chosen.current!, chosen.next!];
      detection.options[option] = { source: "octopus", entities };
      detection.findings.push({ what: `Octopus Energy ${label} rates`, options: [option], entities });
      if (complete.length > 1)
        detection.hints.push(
          `Several Octopus ${label} meters: using ${chosen.key}; the others are ${complete
            .slice(1)
            .map((m) => m.key)
            .join(", ")}.`,
        );
      continue;
    }
    // Octopus Energy before 9.0.1 created its rate event entities disabled, and HA keeps them so
    // after an update; HA does not list disabled entities, but the current-rate sensor (enabled by
    // default) names the meter, so say exactly which entities to enable.
    const sensor = [...ids].sort().find((id) => {
      const m = OCTOPUS_RATE_SENSOR.exec(id);
      return m !== null && (m[2] !== undefined) === exportMeter;
    });
    if (!sensor) continue;
    const m = OCTOPUS_RATE_SENSOR.exec(sensor)!;
    const base = `event.octopus_energy_electricity_${m[1]}${m[2] ?? ""}`;
    const entities = [`${base}_current_day_rates`, `${base}_next_day_rates`];
    detection.options[option] = { source: "octopus", entities };
    detection.findings.push({
      what: `Octopus Energy ${label} meter (rate events disabled)`,
      options: [option],
      entities,
    });
    detection.hints.push(
      `Enable ${entities.join(" and ")} (Settings → Devices & services → Entities, show disabled): installs of the Octopus Energy integration from before version 9.0.1 have them disabled, and the planner reads the rates from them.`,
    );
  }
}

function detectOtherTariffs(
  ids: Set<string>,
  platformOf: Map<string, string | undefined>,
  detection: Detection,
): void {
  const sorted = [...ids].sort();
  const amber = sorted.filter((id) => AMBER_FORECAST.test(id) && platformOf.get(id) !== "mqtt");
  const general = amber.find((id) => id.endsWith("_general_forecast"));
  if (general) {
    detection.options.import_tariff = { source: "amber", entities: [general] };
    detection.findings.push({
      what: "Amber Electric prices",
      options: ["import_tariff"],
      entities: [general],
    });
    const feedIn = amber.find((id) => id.endsWith("_feed_in_forecast"));
    if (feedIn) {
      detection.options.export_tariff = { source: "amber", entities: [feedIn] };
      detection.findings.push({
        what: "Amber Electric feed-in prices",
        options: ["export_tariff"],
        entities: [feedIn],
      });
    }
    return;
  }
  const nordpool = sorted.filter((id) => NORDPOOL_CUSTOM.test(id));
  if (nordpool[0]) {
    detection.options.import_tariff = { source: "nordpool", entities: [nordpool[0]] };
    detection.findings.push({
      what: "Nord Pool prices",
      options: ["import_tariff"],
      entities: [nordpool[0]],
    });
    if (nordpool.length > 1) detection.hints.push(`Several Nord Pool sensors: using ${nordpool[0]}.`);
    return;
  }
  const tibber = sorted.find((id) => platformOf.get(id) === "tibber");
  if (tibber) {
    detection.options.import_tariff = { source: "tibber", entities: [] };
    detection.findings.push({
      what: "Tibber prices (tibber.get_prices)",
      options: ["import_tariff"],
      entities: [tibber],
    });
  }
}

// --- solar -----------------------------------------------------------------------------------------

function detectSolar(
  ids: Set<string>,
  platformOf: Map<string, string | undefined>,
  detection: Detection,
): void {
  const order = (id: string) => {
    const day = SOLCAST_DAY.exec(id)![1]!;
    return day === "today" ? 1 : day === "tomorrow" ? 2 : Number(day.slice(4));
  };
  const solcast = [...ids].filter((id) => SOLCAST_DAY.test(id)).sort((a, b) => order(a) - order(b));
  if (solcast.length > 0) {
    detection.options.solar = { source: "solcast", entities: solcast };
    detection.findings.push({ what: "Solcast PV forecast", options: ["solar"], entities: solcast });
    return;
  }
  const forecastSolar = [...ids].filter((id) => platformOf.get(id) === "forecast_solar").sort();
  if (forecastSolar.length > 0) {
    detection.options.solar = { source: "energy", entities: [] };
    detection.findings.push({
      what: "Forecast.Solar (read through HA's energy solar forecast)",
      options: ["solar"],
      entities: forecastSolar.slice(0, 3),
    });
  }
}

// --- inverter and battery --------------------------------------------------------------------------

interface InverterMatch {
  hint: IntegrationHint;
  prefix: string;
}

/** A profile matches when every role it needs has its default entity, for one common prefix. */
function detectInverter(ids: Set<string>, detection: Detection): InverterMatch | undefined {
  for (const hint of INTEGRATION_HINTS) {
    const profile = HA_SERVICE_PROFILES[hint.profile];
    if (!profile) continue;
    const templates = Object.values(profile.roles)
      .filter((role) => !role.optional && role.defaultEntity)
      .map((role) => role.defaultEntity!);
    if (templates.length === 0) continue;
    for (const prefix of [profile.prefix, ...prefixesFor(templates[0]!, ids, hint)]) {
      const resolved = templates.map((t) => fill(t, prefix));
      if (!resolved.every((id) => ids.has(id))) continue;
      const control: NonNullable<DetectedOptions["control"]> = { profile: profile.name };
      if (prefix !== profile.prefix) control.entity_prefix = prefix;
      detection.options.control = control;
      detection.findings.push({
        what: `${profile.title} inverter`,
        options: ["control.profile"],
        entities: resolved,
      });
      return { hint, prefix };
    }
  }
  return undefined;
}

function prefixesFor(template: string, ids: Set<string>, hint: IntegrationHint): string[] {
  if (!template.includes("{prefix}")) return [""];
  const [head, tail] = template.split("{prefix}") as [string, string];
  const found: string[] = [];
  for (const id of [...ids].sort()) {
    if (!id.startsWith(head) || !id.endsWith(tail)) continue;
    const prefix = id.slice(head.length, id.length - tail.length);
    if (hint.prefixPattern.test(prefix)) found.push(prefix);
  }
  return found;
}

function fill(template: string, prefix: string): string {
  return template
    .replace("{prefix}", prefix)
    .replace(/\.(_)+/, ".")
    .replace(/__+/g, "_");
}

function detectSoc(
  ids: Set<string>,
  states: Readonly<Record<string, HaEntityState>>,
  inverter: InverterMatch | undefined,
  detection: Detection,
): void {
  const battery: NonNullable<DetectedOptions["battery"]> = {};
  const known = inverter ? fill(inverter.hint.socEntity, inverter.prefix) : undefined;
  if (known && ids.has(known)) battery.soc_entity = known;
  else {
    const candidates = Object.values(states).filter(isSocState);
    const own = inverter ? candidates.filter((s) => s.entity_id.includes(inverter.prefix)) : [];
    const pick = own.length === 1 ? own : candidates;
    if (pick.length === 1) battery.soc_entity = pick[0]!.entity_id;
    else if (pick.length > 1)
      detection.hints.push(
        `Several battery-level sensors (${pick
          .map((s) => s.entity_id)
          .sort()
          .join(", ")}): set battery.soc_entity to your home battery's.`,
      );
  }
  const power = inverter?.hint.powerEntity ? fill(inverter.hint.powerEntity, inverter.prefix) : undefined;
  if (battery.soc_entity && power && ids.has(power)) battery.power_entity = power;
  if (!battery.soc_entity) return;
  detection.options.battery = battery;
  detection.findings.push({
    what: "Battery state of charge",
    options: Object.keys(battery).map((k) => `battery.${k}`),
    entities: Object.values(battery),
  });
}

/** A percentage battery-level sensor (phones are excluded by platform before states are read). */
function isSocState(state: HaEntityState): boolean {
  const { unit_of_measurement: unit, device_class: deviceClass } = state.attributes;
  return unit === "%" && (deviceClass === "battery" || /soc|state_of_charge/.test(state.entity_id));
}

function detectConsumption(
  ids: Set<string>,
  states: Readonly<Record<string, HaEntityState>>,
  inverter: InverterMatch | undefined,
  detection: Detection,
): void {
  const known = inverter?.hint.loadEnergyEntity
    ? fill(inverter.hint.loadEnergyEntity, inverter.prefix)
    : undefined;
  let entity = known && ids.has(known) ? known : undefined;
  if (!entity) {
    const candidates = Object.values(states).filter(isConsumptionState);
    if (candidates.length === 1) entity = candidates[0]!.entity_id;
    else if (candidates.length > 1)
      detection.hints.push(
        `Several household energy sensors (${candidates
          .map((s) => s.entity_id)
          .sort()
          .join(", ")}): set load.consumption_entity to the one that measures the whole house.`,
      );
  }
  if (!entity) return;
  detection.options.load = { consumption_entity: entity };
  detection.findings.push({
    what: "Household consumption",
    options: ["load.consumption_entity"],
    entities: [entity],
  });
}

/** A cumulative energy meter of the house (not grid, PV, battery or car), with statistics. */
function isConsumptionState(state: HaEntityState): boolean {
  const { unit_of_measurement: unit, device_class: deviceClass, state_class: stateClass } = state.attributes;
  return (
    deviceClass === "energy" &&
    (stateClass === "total_increasing" || stateClass === "total") &&
    (unit === "kWh" || unit === "Wh") &&
    !/grid|import|export|solar|pv|battery|ev_|car|charger/.test(state.entity_id)
  );
}
