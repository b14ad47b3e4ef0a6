// The rest of a real home: thousands of entities besides the ones the add-on reads, so tests and
// the footprint bench see what an ordinary Home Assistant holds (issue 9: the add-on died once HA
// had ~800 of them). Built from the recorded payloads in test/fixtures/ha-states: each crowd
// entity is a recorded state under a new entity id, mixing small and large attribute sets so the
// whole `get_states` answer reaches the requested size. Deterministic: same options, same states.
import type { HaEntityState } from "../../ha/client.js";
import { loadFixtureStates } from "./fixtures.js";

export interface CrowdOptions {
  /** How many entities to add. */
  entities: number;
  /** Rough size of all of them as `get_states` JSON; default 2 kB per entity. */
  totalBytes?: number;
}

const FIXTURES = [
  "uk-octopus-solcast",
  "nordpool-custom",
  "haeo-scenario1",
  "haeo-scenario2",
  "haeo-scenario3",
  "haeo-scenario4",
  "haeo-scenario5",
  "haeo-scenario6",
];

interface Template {
  state: HaEntityState;
  bytes: number;
}

async function templates(): Promise<Template[]> {
  const all: Template[] = [];
  for (const name of FIXTURES) {
    for (const state of await loadFixtureStates(name)) {
      all.push({ state, bytes: JSON.stringify(state).length });
    }
  }
  return all.sort((a, b) => a.bytes - b.bytes || a.state.entity_id.localeCompare(b.state.entity_id));
}

/** Crowd entities named `<domain>.<object_id>_crowd_<n>`, apart from every real entity id. */
export async function crowdStates(options: CrowdOptions): Promise<HaEntityState[]> {
  const count = Math.max(0, Math.floor(options.entities));
  const targetBytes = options.totalBytes ?? count * 2_000;
  const sorted = await templates();
  const meanBytes = targetBytes / Math.max(1, count);
  const small = sorted.filter((t) => t.bytes < meanBytes);
  const large = sorted.filter((t) => t.bytes >= meanBytes);
  const out: HaEntityState[] = [];
  let usedBytes = 0;
  const next = { small: 0, large: 0 };
  for (let n = 0; n < count; n += 1) {
    // Keep the running size on course for the target: below it take a large payload, above it
    // a small one.
    const wantBytes = (targetBytes - usedBytes) / (count - n);
    const pool = (wantBytes >= meanBytes && large.length > 0) || small.length === 0 ? "large" : "small";
    const list = pool === "large" ? large : small;
    const template = list[next[pool] % list.length]!;
    next[pool] += 1;
    const [domain, objectId] = template.state.entity_id.split(".") as [string, string];
    const entityId = `${domain}.${objectId}_crowd_${n}`;
    const name = template.state.attributes.friendly_name;
    const state: HaEntityState = {
      ...structuredClone(template.state),
      entity_id: entityId,
    };
    if (typeof name === "string") state.attributes.friendly_name = `${name} ${n}`;
    usedBytes += template.bytes + (entityId.length - template.state.entity_id.length);
    out.push(state);
  }
  return out;
}
