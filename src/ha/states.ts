// Validation helpers for what HA hands us. Every value from HA is `unknown` until it passes here:
// `unavailable`, `unknown`, empty strings, NaN and garbage become `undefined` (missing), never 0.
import { DateTime } from "luxon";
import { z } from "zod";
import type { HaEntityState } from "./client.js";
import { parsedValue, strictNumber } from "./quantities.js";

export const haEntityStateSchema = z.object({
  entity_id: z.string(),
  state: z.string(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  last_changed: z.string().default(""),
  last_updated: z.string().default(""),
  context: z
    .object({ id: z.string(), parent_id: z.string().nullable(), user_id: z.string().nullable() })
    .default({ id: "", parent_id: null, user_id: null }),
});

const MISSING_STATES = new Set(["unavailable", "unknown", "none", "null", "nan", ""]);

/** A finite number from a number or numeric string; anything else is missing. The one strict
 * syntax of quantities.ts (units and ranges are the quantity parsers' job). */
export function parseNumber(value: unknown): number | undefined {
  return parsedValue(strictNumber(value));
}

/** The entity's state as a number, or undefined when the entity is missing or unavailable. */
export function stateNumber(state: HaEntityState | undefined): number | undefined {
  return state ? parseNumber(state.state) : undefined;
}

export function isAvailable(state: HaEntityState | undefined): state is HaEntityState {
  return state !== undefined && !MISSING_STATES.has(state.state.trim().toLowerCase());
}

/** An instant from an ISO string (with offset; without one it is read in `zone`) or epoch ms. */
export function parseInstant(value: unknown, zone = "UTC"): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const parsed = DateTime.fromISO(value.trim().replace(" ", "T"), { zone, setZone: true });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

/** Attribute `key` as an array, or undefined when absent or not an array. */
export function attributeArray(state: HaEntityState | undefined, key: string): unknown[] | undefined {
  const value = state?.attributes[key];
  return Array.isArray(value) ? value : undefined;
}

export function attributeString(state: HaEntityState | undefined, key: string): string | undefined {
  const value = state?.attributes[key];
  return typeof value === "string" ? value : undefined;
}
