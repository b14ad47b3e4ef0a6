// Every blueprint under blueprints/ parses, follows HA's blueprint format, and uses exactly the
// inputs it declares.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { automationBlueprint, InputRef, parseBlueprint } from "./blueprint-format.js";

const DIR = fileURLToPath(new URL("../../blueprints/automation/battery_planner/", import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));

function inputRefs(value: unknown, found: string[] = []): string[] {
  if (value instanceof InputRef) found.push(value.name);
  else if (Array.isArray(value)) for (const item of value) inputRefs(item, found);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) inputRefs(item, found);
  return found;
}

function declaredInputs(doc: { blueprint: { input?: Record<string, unknown> } }): string[] {
  return Object.entries(doc.blueprint.input ?? {}).flatMap(([key, value]) => {
    const section = value as { input?: Record<string, unknown> };
    return section.input ? Object.keys(section.input) : [key];
  });
}

function load(file: string) {
  const doc = parseBlueprint(readFileSync(`${DIR}${file}`, "utf8"));
  return { doc, result: automationBlueprint.safeParse(doc) };
}

describe("blueprints", () => {
  it("has the four Battery Planner automations", () => {
    expect(files.sort()).toEqual([
      "apply_mode_with_actions.yaml",
      "force_mode.yaml",
      "notify_plan_changes.yaml",
      "replan_on_change.yaml",
    ]);
  });

  describe.each(files)("%s", (file) => {
    const { doc, result } = load(file);

    it("is a valid automation blueprint with a min_version", () => {
      expect(
        result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
      ).toEqual([]);
      expect(result.data?.blueprint.homeassistant?.min_version).toBeDefined();
    });

    it("uses every input it declares and declares every input it uses", () => {
      const { blueprint, ...automation } = doc as { blueprint: { input?: Record<string, unknown> } };
      const used = new Set(inputRefs(automation));
      const declared = new Set(declaredInputs({ blueprint }));
      expect([...used].sort()).toEqual([...declared].sort());
    });

    it("gives defaults that fit their selectors", () => {
      const inputs = (
        doc as {
          blueprint: { input?: Record<string, { default?: unknown; selector?: Record<string, unknown> }> };
        }
      ).blueprint.input;
      for (const [name, input] of Object.entries(inputs ?? {})) {
        if (input.default === undefined || !input.selector) continue;
        const [kind, options] = Object.entries(input.selector)[0]!;
        const o = (options ?? {}) as {
          min?: number;
          max?: number;
          options?: (string | { value: string })[];
          multiple?: boolean;
        };
        if (kind === "number") {
          expect(input.default, name).toBeGreaterThanOrEqual(o.min!);
          expect(input.default, name).toBeLessThanOrEqual(o.max!);
        }
        if (kind === "select") {
          const values = o.options!.map((v) => (typeof v === "string" ? v : v.value));
          expect(values, name).toContain(input.default);
        }
        if (kind === "boolean") expect(typeof input.default, name).toBe("boolean");
        if (kind === "action") expect(Array.isArray(input.default), name).toBe(true);
        if (kind === "entity") expect(input.default, name).toMatch(/^[a-z_]+\.[a-z0-9_]+$/);
      }
    });
  });
});

describe("the blueprint checks", () => {
  it("reject an unknown selector, a missing name and a bad min_version", () => {
    const doc = parseBlueprint(`
blueprint:
  domain: automation
  homeassistant: { min_version: "2024.10" }
  input:
    x: { selector: { colour_wheel: {} } }
triggers: [{ trigger: state, entity_id: !input x }]
actions: []
`);
    const result = automationBlueprint.safeParse(doc);
    const messages = result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages.join("\n")).toMatch(/blueprint\.name/);
    expect(messages.join("\n")).toMatch(/min_version/);
    expect(messages.join("\n")).toMatch(/unknown selector colour_wheel/);
    expect(messages.join("\n")).toMatch(/^actions/m);
  });

  it("find an !input that is used but not declared", () => {
    const doc = parseBlueprint(
      "blueprint: {name: x, domain: automation}\ntriggers: !input when\nactions: []",
    );
    expect(inputRefs(doc)).toEqual(["when"]);
    expect(declaredInputs(doc as { blueprint: { input?: Record<string, unknown> } })).toEqual([]);
  });
});
