// addon/config.yaml's options and schema and translations/en.yaml are what src/config/schema.ts
// generates (npm run gen:addon), and the generator refuses what the Supervisor cannot express.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AddonSchemaError,
  addonOptions,
  addonSchema,
  addonTranslations,
} from "../../src/config/addon-files.js";
import { numberChoice } from "../../src/config/option-meta.js";
import {
  CONFIG_YAML,
  DOCS_MD,
  renderConfigYaml,
  renderDocs,
  renderTranslations,
  TRANSLATIONS_YAML,
} from "../../src/tools/gen-addon-config.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const label = (title: string) => ({ title, description: `${title}, described.` });

describe("the committed add-on files", () => {
  it("config.yaml's options and schema are what the schema generates (run npm run gen:addon)", () => {
    const committed = read(CONFIG_YAML);
    expect(renderConfigYaml(committed)).toBe(committed);
  });

  it("translations/en.yaml is what the schema generates (run npm run gen:addon)", () => {
    expect(renderTranslations()).toBe(read(TRANSLATIONS_YAML));
  });

  it("DOCS.md's profile tables are what the profiles' data says (run npm run gen:addon)", () => {
    const committed = read(DOCS_MD);
    expect(renderDocs(committed)).toBe(committed);
    expect(committed).toContain("| `charge_target_enable` | `switch.{prefix}_enable_charge_target` |");
  });

  it("keeps every other key of config.yaml byte for byte", () => {
    const text =
      "# head\nname: X\noptions:\n  stale_key: 1\n# between\nschema:\n  stale_key: str\nimage: ghcr.io/x/y # pinned\n";
    const out = renderConfigYaml(text);
    expect(out.startsWith("# head\nname: X\noptions:\n  log_level: info\n")).toBe(true);
    expect(out).toContain("\n# between\nschema:\n  log_level: list(");
    expect(out.endsWith("image: ghcr.io/x/y # pinned\n")).toBe(true);
    expect(out).not.toContain("stale_key");
  });
});

describe("the generator", () => {
  const schema = z.object({
    size: z.number().min(0.1).max(50).meta(label("Size")),
    count: z.number().int().gt(0).meta(label("Count")).default(3),
    slot: numberChoice([15, 30]).meta(label("Slot")).default(30),
    name: z.string().meta(label("Name")).optional(),
    found: z.string().meta({ ...label("Found"), detectedAtStart: true }),
    section: z
      .object({ on: z.boolean().meta(label("On")).default(true) })
      .meta(label("Section"))
      .optional()
      .meta({ addonDefault: {} }),
    bands: z
      .array(
        z.object({
          at: z
            .string()
            .regex(/^\d\d:\d\d$/)
            .meta(label("At")),
        }),
      )
      .meta(label("Bands"))
      .default([]),
    map: z
      .record(z.string(), z.string())
      .meta({ ...label("Map"), haKeys: { a: label("A") } })
      .default({}),
  });

  it("writes the Supervisor's types, with a null default for what the page must ask", () => {
    expect(addonSchema(schema)).toEqual({
      size: "float(0.1,50)",
      count: "int(1,)",
      slot: "list(15|30)",
      name: "str?",
      found: "str?",
      section: { on: "bool" },
      bands: [{ at: "match(^\\d\\d:\\d\\d$)" }],
      map: { a: "str?" },
    });
    expect(addonOptions(schema)).toEqual({
      size: null,
      count: 3,
      slot: "30",
      section: { on: true },
      bands: [],
      map: {},
    });
    expect(addonTranslations(schema).bands).toEqual({
      name: "Bands",
      description: "Bands, described.",
      fields: { at: { name: "At", description: "At, described." } },
    });
  });

  it.each([
    ["an exclusive float bound", z.number().gt(0)],
    ["a negative bound, which older Supervisors cannot read", z.number().min(-1)],
    ["a type with no Supervisor type", z.date()],
    ["a record without its keys", z.record(z.string(), z.string())],
    [
      "an optional section without the add-on's default",
      z.object({ a: z.string().meta(label("A")) }).optional(),
    ],
  ])("refuses %s", (_what, field) => {
    expect(() => addonSchema(z.object({ x: (field as z.ZodType).meta(label("X")) }))).toThrow(
      AddonSchemaError,
    );
  });

  it("refuses an option without its label", () => {
    expect(() => addonTranslations(z.object({ x: z.string() }))).toThrow(/x: needs \.meta/);
  });
});
