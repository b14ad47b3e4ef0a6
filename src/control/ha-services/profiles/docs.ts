// The HA-service profiles as DOCS.md shows them (roles, default entity ids, values, notes), made
// from the profile data so the documentation cannot drift from what the add-on writes.
// `npm run gen:addon` puts it into addon/DOCS.md.
import type { HaServiceProfile } from "../profile-schema.js";
import { HA_SERVICE_PROFILES } from "./index.js";

const cell = (text: string) => text.replace(/\|/g, "\\|");

function profileSection(profile: HaServiceProfile): string[] {
  const prefix = profile.prefixNeeded
    ? `\`{prefix}\` is \`control.entity_prefix\`, which this profile needs: ${profile.prefixNeeded}.`
    : profile.prefix
      ? `\`{prefix}\` is \`control.entity_prefix\`, default \`${profile.prefix}\`.`
      : "`{prefix}` is `control.entity_prefix`, default empty (ids without a prefix).";
  const lines = [
    `#### \`${profile.name}\` — ${profile.title}`,
    "",
    `Integration: [${profile.integration}](${profile.source}). ${prefix}`,
    "",
    "| role (`control.entities`) | default entity id | |",
    "|---|---|---|",
  ];
  for (const [name, role] of Object.entries(profile.roles)) {
    const entity = role.defaultEntity ? `\`${role.defaultEntity}\`` : "none: map it";
    const notes = [role.description, role.optional ? "optional: skipped when absent" : ""].filter(Boolean);
    lines.push(`| \`${name}\` | ${entity} | ${cell(notes.join("; "))} |`);
  }
  const values = Object.entries(profile.valueDescriptions);
  if (values.length > 0) {
    lines.push("", "| value (`control.values`) | default | |", "|---|---|---|");
    for (const [name, description] of values) {
      const fallback = profile.values[name];
      lines.push(
        `| \`${name}\` | ${fallback === undefined ? "none: set it" : `\`${fallback}\``} | ${cell(description)} |`,
      );
    }
  }
  if (profile.notes.length > 0) lines.push("", ...profile.notes.map((note) => `- ${note}`));
  return lines;
}

export function renderProfileDocs(): string {
  return Object.values(HA_SERVICE_PROFILES)
    .flatMap((profile) => [...profileSection(profile), ""])
    .join("\n");
}
