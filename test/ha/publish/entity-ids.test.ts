// One list of entity ids, the same in the four places a user meets them: the entity table in
// addon/DOCS.md, what HA makes of the MQTT discovery payloads (on each HA version the add-on
// allows), the REST fallback's ids, and the blueprints' default entities.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { HaClient } from "../../../src/ha/client.js";
import { CONTROLS, type ControlKey, SENSORS } from "../../../src/ha/publish/entities.js";
import { discoveryMessages } from "../../../src/ha/publish/mqtt-discovery.js";
import { createRestPublisher } from "../../../src/ha/publish/rest-publisher.js";
import { parseBlueprint } from "../../blueprints/ha-blueprint.js";
import { FakeClock } from "../../fakes/clock.js";

const ROOT = new URL("../../../", import.meta.url);
const docs = readFileSync(new URL("addon/DOCS.md", ROOT), "utf8");
const minimumHa = (
  parse(readFileSync(new URL("addon/config.yaml", ROOT), "utf8")) as { homeassistant: string }
).homeassistant;

/** The ids DOCS.md's "Entities" section names (table rows and the controls paragraph). */
function documentedIds(): Set<string> {
  const section = docs.slice(docs.indexOf("## Entities"), docs.indexOf("Events for automations"));
  return new Set(
    [...section.matchAll(/`((?:sensor|button|select|number|switch)\.battery_planner_[a-z0-9_]+)`/g)].map(
      (m) => m[1]!,
    ),
  );
}

type Version = [number, number];
const parseVersion = (text: string): Version => {
  const [year, month] = text.split(".").map(Number);
  return [year!, month!];
};
const atLeast = (v: Version, w: Version) => v[0] > w[0] || (v[0] === w[0] && v[1] >= w[1]);

/** HA's slugify for entity ids: lower case, anything else than [a-z0-9] becomes one "_". */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

/**
 * The entity id HA gives a newly discovered MQTT entity, as HA core decides it:
 * - before 2025.10 (components/mqtt/entity.py `init_entity_id_from_config`): `<domain>.<object_id>`
 *   when the payload has `object_id`, else the entity platform's default from the names
 *   (has_entity_name: device name + entity name, helpers/entity_platform.py);
 * - 2025.10 to 2026.3 (core#151775): `default_entity_id` first, then `object_id`, then the names;
 * - 2026.4 on: `object_id` is ignored; `default_entity_id`, else the names.
 */
function haEntityId(version: Version, component: string, payload: Record<string, unknown>): string {
  const byName = `${component}.${slug(`${(payload.device as { name: string }).name} ${payload.name as string}`)}`;
  const objectId = typeof payload.object_id === "string" ? `${component}.${payload.object_id}` : undefined;
  const suggested = typeof payload.default_entity_id === "string" ? payload.default_entity_id : undefined;
  if (!atLeast(version, [2025, 10])) return objectId ?? byName;
  if (!atLeast(version, [2026, 4])) return suggested ?? objectId ?? byName;
  return suggested ?? byName;
}

const messages = discoveryMessages({
  discoveryPrefix: "homeassistant",
  nodeId: "battery_planner",
  swVersion: "test",
  currency: "GBP",
});
const componentOf = (topic: string) => topic.split("/")[1]!;

describe("entity ids", () => {
  const documented = documentedIds();

  it("documents every sensor and control, and nothing else", () => {
    const published = [
      ...SENSORS.map((s) => `sensor.battery_planner_${s.key}`),
      ...(Object.keys(CONTROLS) as ControlKey[]).map((k) => `${CONTROLS[k].component}.battery_planner_${k}`),
    ];
    expect([...documented].sort()).toEqual(published.sort());
  });

  it.each([minimumHa, "2025.9", "2025.10", "2026.3", "2026.4", "2026.11"])(
    "are the documented ones when HA %s discovers them",
    (version) => {
      const ids = messages.map((m) => haEntityId(parseVersion(version), componentOf(m.topic), m.payload));
      expect(ids.filter((id) => !documented.has(id))).toEqual([]);
      expect(new Set(ids).size).toBe(documented.size);
    },
  );

  it("are the documented ones through the REST fallback", () => {
    const ha = { restUrl: "http://127.0.0.1:1/api", token: "t", onReconnect: () => () => undefined };
    const rest = createRestPublisher({
      ha: ha as unknown as HaClient,
      clock: new FakeClock(0),
      timeZone: "UTC",
      currency: "GBP",
    });
    const ids = SENSORS.map((s) => rest.entityId(s.key));
    expect(ids.filter((id) => !documented.has(id))).toEqual([]);
  });

  it("are what the blueprints offer by default", () => {
    const dir = fileURLToPath(new URL("blueprints/automation/battery_planner/", ROOT));
    const defaults: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const doc = parseBlueprint(readFileSync(`${dir}${file}`, "utf8")) as {
        blueprint: { input: Record<string, { default?: unknown }> };
      };
      for (const input of Object.values(doc.blueprint.input)) {
        if (typeof input.default === "string" && input.default.includes("battery_planner_"))
          defaults.push(input.default);
      }
    }
    expect(defaults.length).toBeGreaterThan(0);
    expect(defaults.filter((id) => !documented.has(id))).toEqual([]);
  });
});
