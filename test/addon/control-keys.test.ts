// The Supervisor drops option keys its schema does not name, so config.yaml must name every role
// and every placeholder value any HA service profile can be given.
import { describe, expect, it } from "vitest";
import { HA_SERVICE_PROFILES } from "../../src/control/ha-services/profiles/index.js";
import { readAddonConfig } from "./load-addon-files.js";

const control = readAddonConfig().schema.control as {
  entities?: Record<string, string>;
  values?: Record<string, string>;
};

function placeholders(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === "string") for (const m of value.matchAll(/\{([a-z_]+)\}/g)) found.add(m[1]!);
  else if (Array.isArray(value)) for (const item of value) placeholders(item, found);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) placeholders(item, found);
  return found;
}

describe("config.yaml's control options", () => {
  const profiles = Object.values(HA_SERVICE_PROFILES);

  it("name every role of every HA service profile under control.entities", () => {
    const roles = new Set(profiles.flatMap((p) => Object.keys(p.roles)));
    expect([...roles].filter((role) => !(role in (control.entities ?? {})))).toEqual([]);
  });

  it("name every value a profile uses under control.values", () => {
    const names = new Set<string>();
    for (const profile of profiles) {
      for (const key of Object.keys(profile.values)) names.add(key);
      placeholders(profile.modes, names);
      placeholders(profile.roles, names);
    }
    names.delete("prefix"); // control.entity_prefix
    expect([...names].filter((name) => !(name in (control.values ?? {})))).toEqual([]);
  });
});
