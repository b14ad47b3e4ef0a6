// Fills the options a user left empty with what detection found, and says which ones it filled.
// Anything the user set wins: detection replaces only an absent or null value, or a section that
// cannot work as it stands (a rate source with no rate entities, the "generic" profile unmapped).
// The add-on's defaults count as empty here because the Supervisor writes them into options.json.
import type { DetectedOptions } from "./detect.js";

type Json = Record<string, unknown>;

export interface Completed {
  options: Json;
  /** Dotted paths of the options taken from detection, e.g. "battery.soc_entity". */
  filled: string[];
}

const isUnset = (value: unknown) =>
  value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Sources that read rates from entities: with none listed they cannot work. */
const NEEDS_ENTITIES = new Set(["octopus", "nordpool", "amber"]);

export function completeOptions(raw: unknown, detected: DetectedOptions): Completed {
  const options: Json = isObject(raw) ? structuredClone(raw) : {};
  const filled: string[] = [];
  const section = (name: string): Json => {
    const current = options[name];
    if (isObject(current)) return current;
    const fresh: Json = {};
    options[name] = fresh;
    return fresh;
  };
  const fillKey = (name: string, key: string, value: unknown) => {
    const target = section(name);
    if (!isUnset(target[key])) return;
    target[key] = value;
    filled.push(`${name}.${key}`);
  };

  for (const name of ["import_tariff", "export_tariff"] as const) {
    const found = detected[name];
    if (!found) continue;
    const current = options[name];
    const source = isObject(current) ? current.source : undefined;
    const entities = isObject(current) ? current.entities : undefined;
    const sameSource = isUnset(source) || source === found.source || source === "fixed";
    const bands = isObject(current) ? current.bands : undefined;
    const price = isObject(current) ? current.default_price : undefined;
    // The add-on's own default for export is "fixed at 0" (HA cannot leave a nested option out).
    const placeholderFixed = source === "fixed" && isUnset(bands) && (isUnset(price) || price === 0);
    const unusable =
      isUnset(current) ||
      placeholderFixed ||
      (isUnset(entities) && (isUnset(source) || NEEDS_ENTITIES.has(String(source))));
    // A half-set tariff from the user plus another source's entities would be neither's intent.
    if (!unusable || !sameSource) continue;
    options[name] = { ...(isObject(current) ? current : {}), source: found.source, entities: found.entities };
    filled.push(name);
  }

  if (detected.solar) {
    const current = options.solar;
    const source = isObject(current) ? current.source : undefined;
    const entities = isObject(current) ? current.entities : undefined;
    if (isUnset(current) || ((isUnset(source) || source === "none") && isUnset(entities))) {
      options.solar = { ...(isObject(current) ? current : {}), ...detected.solar };
      filled.push("solar");
    }
  }

  if (detected.battery) {
    for (const [key, value] of Object.entries(detected.battery)) fillKey("battery", key, value);
  }
  if (detected.load) fillKey("load", "consumption_entity", detected.load.consumption_entity);

  if (detected.control) {
    const control = section("control");
    const mapped = isObject(control.entities) && Object.keys(control.entities).length > 0;
    const profileUnset = isUnset(control.profile) || (control.profile === "generic" && !mapped);
    if (profileUnset) {
      control.profile = detected.control.profile;
      filled.push("control.profile");
    }
    if (control.profile === detected.control.profile && detected.control.entity_prefix !== undefined)
      fillKey("control", "entity_prefix", detected.control.entity_prefix);
  }
  return { options, filled };
}
