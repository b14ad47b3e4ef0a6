import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { HaEntityState } from "../../../src/ha/client.js";

const DIR = fileURLToPath(new URL("../../fixtures/ha-states/", import.meta.url));

export function fixtureStates(name: string): Record<string, HaEntityState> {
  const list = JSON.parse(readFileSync(`${DIR}${name}.json`, "utf8")) as HaEntityState[];
  return Object.fromEntries(list.map((s) => [s.entity_id, s]));
}

export function fixtureResponse(name: string): unknown {
  return JSON.parse(readFileSync(`${DIR}responses/${name}.json`, "utf8"));
}

export function withAttributes(state: HaEntityState, attributes: Record<string, unknown>): HaEntityState {
  return { ...state, attributes: { ...state.attributes, ...attributes } };
}

export const utc = (iso: string) => Date.parse(iso);
export const HOUR_MS = 3_600_000;
