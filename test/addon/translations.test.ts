// translations/en.yaml labels every option of config.yaml's schema, nested ones through `fields`.
import { describe, expect, it } from "vitest";
import { type AddonTranslation, addonTranslationFormat } from "./ha-addon-format.js";
import { readAddonConfig, readRepoYaml } from "./load-addon-files.js";

type Entry = NonNullable<AddonTranslation["configuration"]>[string];

/** Keys of the schema with no translation, and translations of keys that are no option. */
function translationGaps(schema: unknown, entries: Record<string, Entry> | undefined, path = ""): string[] {
  const node = Array.isArray(schema) ? schema[0] : schema;
  if (node === null || typeof node !== "object") return [];
  const gaps: string[] = [];
  const fields = node as Record<string, unknown>;
  for (const [key, child] of Object.entries(fields)) {
    const entry = entries?.[key];
    if (!entry) gaps.push(`${path}${key}: no translation`);
    else if (!entry.description) gaps.push(`${path}${key}: no description`);
    else gaps.push(...translationGaps(child, entry.fields, `${path}${key}.`));
  }
  for (const key of Object.keys(entries ?? {})) {
    if (!(key in fields)) gaps.push(`${path}${key}: translated but not in the schema`);
  }
  return gaps;
}

describe("addon/translations/en.yaml", () => {
  const translation = readRepoYaml("addon/translations/en.yaml");

  it("has the format the Supervisor reads", () => {
    expect(addonTranslationFormat.safeParse(translation).success).toBe(true);
  });

  it("names and describes every option, nested ones included", () => {
    const parsed = addonTranslationFormat.parse(translation);
    expect(translationGaps(readAddonConfig().schema, parsed.configuration)).toEqual([]);
  });

  it("notices a missing nested label", () => {
    const gaps = translationGaps(
      { battery: { soc_entity: "str", capacity_kwh: "float" } },
      {
        battery: {
          name: "Battery",
          description: "x",
          fields: { soc_entity: { name: "SOC", description: "y" } },
        },
      },
    );
    expect(gaps).toEqual(["battery.capacity_kwh: no translation"]);
  });
});
