// Home Assistant's state trigger, as HA core implements it in
// homeassistant/components/homeassistant/triggers/state.py (read at core commit 4cd6a113; the
// logic is unchanged through the 2024.10 `trigger: state` syntax, which only renames `platform`)
// with process_state_match from homeassistant/helpers/event.py. Written for these tests; no HA
// code is copied.
//
// What it encodes, because the blueprints depend on it:
// - any of from/to/not_from/not_to present (even null) turns off "match all": an event whose state
//   did not change (an attribute-only change) is then ignored;
// - with `attribute:` the watched value is that attribute; an event where it did not change is
//   always ignored, whatever else changed;
// - `for:` fires only when the entity stays so for the period (a later change that leaves the
//   matched value cancels it).
import type { HaState } from "./ha-template.js";

export const MATCH_ALL = "*";

export interface StateTriggerConfig {
  entityIds: string[];
  from?: unknown;
  notFrom?: unknown;
  to?: unknown;
  notTo?: unknown;
  attribute?: string;
  forMs?: number;
  id?: string;
  /** Which of from/not_from/to/not_to the YAML named (null values included). */
  keys: ReadonlySet<string>;
}

/** The trigger's YAML does not pass HA's TRIGGER_STATE_SCHEMA / TRIGGER_ATTRIBUTE_SCHEMA. */
export class TriggerConfigError extends Error {
  override name = "TriggerConfigError";
}

const BASE_KEYS = new Set([
  "trigger",
  "platform",
  "id",
  "alias",
  "enabled",
  "variables",
  "entity_id",
  "for",
  "attribute",
]);
const MATCH_KEYS = ["from", "not_from", "to", "not_to"] as const;

/** cv.positive_time_period: seconds, "HH:MM[:SS]", or a map of days/hours/minutes/seconds/milliseconds. */
export function timePeriodMs(value: unknown): number {
  if (typeof value === "number" && value >= 0) return value * 1000;
  if (typeof value === "string" && /^\d+:\d{1,2}(:\d{1,2}(\.\d+)?)?$/.test(value)) {
    const [h, m, s] = value.split(":").map(Number);
    return ((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)) * 1000;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const units: Record<string, number> = {
      days: 86_400_000,
      hours: 3_600_000,
      minutes: 60_000,
      seconds: 1000,
      milliseconds: 1,
    };
    let ms = 0;
    for (const [key, amount] of Object.entries(value)) {
      if (!(key in units) || typeof amount !== "number") throw new TriggerConfigError(`for: bad ${key}`);
      ms += amount * units[key]!;
    }
    if (ms < 0) throw new TriggerConfigError("for: negative period");
    return ms;
  }
  throw new TriggerConfigError(`for: ${JSON.stringify(value)} is not a time period`);
}

/** async_validate_trigger_config: the schema, with its Exclusive pairs and (without `attribute`)
 * its strings-only rule, which catches YAML that turned `on` or `1` into a non-string. */
export function parseStateTrigger(raw: Record<string, unknown>): StateTriggerConfig {
  const kind = raw.trigger ?? raw.platform;
  if (kind !== "state") throw new TriggerConfigError(`not a state trigger: ${String(kind)}`);
  for (const key of Object.keys(raw)) {
    if (!BASE_KEYS.has(key) && !(MATCH_KEYS as readonly string[]).includes(key))
      throw new TriggerConfigError(`extra keys not allowed @ data['${key}']`);
  }
  if (raw.from !== undefined && raw.not_from !== undefined)
    throw new TriggerConfigError("two or more values in the same group of exclusion 'from'");
  if (raw.to !== undefined && raw.not_to !== undefined)
    throw new TriggerConfigError("two or more values in the same group of exclusion 'to'");
  const rawIds = raw.entity_id;
  const entityIds = (typeof rawIds === "string" ? rawIds.split(",") : Array.isArray(rawIds) ? rawIds : [])
    .map((id) => String(id).trim().toLowerCase())
    .filter((id) => id.length > 0);
  if (entityIds.length === 0 || entityIds.some((id) => !/^[a-z0-9_]+\.[a-z0-9_]+$/.test(id)))
    throw new TriggerConfigError(`entity_id: ${JSON.stringify(rawIds)} is not a list of entity ids`);
  const attribute = raw.attribute === undefined ? undefined : String(raw.attribute);
  const keys = new Set(MATCH_KEYS.filter((k) => k in raw));
  if (attribute === undefined) {
    for (const key of keys) {
      const value = raw[key];
      const ok =
        value === null ||
        typeof value === "string" ||
        (Array.isArray(value) && value.every((v) => typeof v === "string"));
      if (!ok)
        throw new TriggerConfigError(
          `${key}: ${JSON.stringify(value)} must be a string or a list of strings`,
        );
    }
  }
  const config: StateTriggerConfig = { entityIds, keys };
  if (raw.from !== undefined) config.from = raw.from;
  if (raw.not_from !== undefined) config.notFrom = raw.not_from;
  if (raw.to !== undefined) config.to = raw.to;
  if (raw.not_to !== undefined) config.notTo = raw.not_to;
  if (attribute !== undefined) config.attribute = attribute;
  if (raw.for !== undefined) config.forMs = timePeriodMs(raw.for);
  if (raw.id !== undefined) config.id = String(raw.id);
  return config;
}

/** helpers/event.py process_state_match. */
function stateMatcher(parameter: unknown, invert: boolean): (value: unknown) => boolean {
  if (parameter === null || parameter === undefined || parameter === MATCH_ALL) return () => !invert;
  if (!Array.isArray(parameter)) return (value) => invert !== (value === parameter);
  const set = new Set(parameter);
  return (value) => invert !== set.has(value);
}

function watched(state: HaState | undefined, attribute: string | undefined): unknown {
  if (!state) return null;
  if (attribute === undefined) return state.state;
  return Object.hasOwn(state.attributes, attribute) ? state.attributes[attribute] : null;
}

/** Python's == on the values HA compares (strings, numbers, lists, maps from JSON). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export type TriggerOutcome =
  | { kind: "ignored" }
  | { kind: "fires" }
  /** Fires after `forMs` unless `stillHolds` says a later state broke it. */
  | { kind: "pending"; forMs: number; stillHolds: (state: HaState | undefined) => boolean };

/** What the listener does with one state_changed event of a watched entity. */
export function evaluateStateTrigger(
  config: StateTriggerConfig,
  oldState: HaState | undefined,
  newState: HaState | undefined,
): TriggerOutcome {
  const matchFrom =
    config.from !== undefined
      ? stateMatcher(config.from, false)
      : config.notFrom !== undefined
        ? stateMatcher(config.notFrom, true)
        : stateMatcher(MATCH_ALL, false);
  const matchTo =
    config.to !== undefined
      ? stateMatcher(config.to, false)
      : config.notTo !== undefined
        ? stateMatcher(config.notTo, true)
        : stateMatcher(MATCH_ALL, false);
  const matchAll = config.keys.size === 0;
  const oldValue = watched(oldState, config.attribute);
  const newValue = watched(newState, config.attribute);
  if (config.attribute !== undefined && same(oldValue, newValue)) return { kind: "ignored" };
  if (!matchFrom(oldValue) || !matchTo(newValue) || (!matchAll && same(oldValue, newValue)))
    return { kind: "ignored" };
  if (!config.forMs) return { kind: "fires" };
  // _check_same_state: with only `from`, it holds while the value stays away from the old one;
  // otherwise while it stays the new one.
  const onlyFrom = config.keys.has("from") && !config.keys.has("to");
  return {
    kind: "pending",
    forMs: config.forMs,
    stillHolds: (state) => {
      if (!state) return false;
      const current = watched(state, config.attribute);
      return onlyFrom ? !same(current, oldValue) : same(current, newValue);
    },
  };
}
