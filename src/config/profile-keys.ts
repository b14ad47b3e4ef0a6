// The keys control.entities and control.values may hold, from the HA-service profiles' data: the
// Supervisor keeps only the keys its schema names, so each role and each value is listed, with the
// profiles that use it in its label.
import { HA_SERVICE_PROFILES } from "../control/ha-services/profiles/index.js";
import type { OptionLabel } from "./option-meta.js";

function titleOf(key: string): string {
  const words = key.split("_").map((w) => (w === "soc" ? "SOC" : w === "id" ? "id" : w));
  const first = words[0] ?? key;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(" ");
}

function labelled(uses: Map<string, { profiles: string[]; description: string }>) {
  const keys: Record<string, OptionLabel> = {};
  for (const [key, use] of [...uses].sort(([a], [b]) => a.localeCompare(b))) {
    keys[key] = { title: titleOf(key), description: `${use.profiles.join(", ")} – ${use.description}` };
  }
  return keys;
}

/** Every role of every profile, labelled "givtcp, foxess – what it is". */
export function roleKeys(): Record<string, OptionLabel> {
  const uses = new Map<string, { profiles: string[]; description: string }>();
  for (const profile of Object.values(HA_SERVICE_PROFILES)) {
    for (const [role, { description }] of Object.entries(profile.roles)) {
      const use = uses.get(role) ?? { profiles: [], description: `${description}.` };
      use.profiles.push(profile.name);
      uses.set(role, use);
    }
  }
  return labelled(uses);
}

/** Every value a profile takes from control.values (its placeholders and its defaults). */
export function profileValueKeys(): Record<string, OptionLabel> {
  const uses = new Map<string, { profiles: string[]; description: string }>();
  for (const profile of Object.values(HA_SERVICE_PROFILES)) {
    for (const [name, description] of Object.entries(profile.valueDescriptions)) {
      const use = uses.get(name) ?? { profiles: [], description };
      use.profiles.push(profile.name);
      uses.set(name, use);
    }
  }
  return labelled(uses);
}
