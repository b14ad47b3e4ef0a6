// Recorded HA states in test/fixtures/ha-states/<name>.json (arrays as `get_states` returns them).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { HaEntityState } from "../../ha/client.js";

export const FIXTURE_DIR = fileURLToPath(new URL("../../../test/fixtures/ha-states/", import.meta.url));

export async function loadFixtureStates(name: string): Promise<HaEntityState[]> {
  const text = await readFile(`${FIXTURE_DIR}${name}.json`, "utf8");
  return JSON.parse(text) as HaEntityState[];
}
