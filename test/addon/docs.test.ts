// The add-on's documentation, store files and images stay in step with what the code does.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../../src/config/schema.js";
import { CONTROLS, SENSORS } from "../../src/ha/publish/entities.js";
import { repositoryFormat } from "./ha-addon-format.js";
import { readRepoText, readRepoYaml, repoPath, yamlBlocks } from "./load-addon-files.js";

const docs = readRepoText("addon/DOCS.md");

/** Dotted paths of every option: objects are walked, anything else is a leaf. */
function optionPaths(schema: unknown, prefix = ""): string[] {
  let def = (schema as { def: { type: string; innerType?: unknown; shape?: Record<string, unknown> } }).def;
  while ((def.type === "optional" || def.type === "default") && def.innerType)
    def = (def.innerType as { def: typeof def }).def;
  if (def.type !== "object" || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([key, child]) =>
    optionPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

function pngSize(relative: string): { width: number; height: number } {
  const bytes = readFileSync(repoPath(relative));
  expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("addon/DOCS.md", () => {
  it("documents every option", () => {
    const missing = optionPaths(configSchema).filter((path) => !docs.includes(`\`${path}\``));
    expect(missing).toEqual([]);
  });

  it("lists every entity the add-on publishes", () => {
    const missing = SENSORS.map((s) => `sensor.battery_planner_${s.key}`).filter((id) => !docs.includes(id));
    expect(missing).toEqual([]);
    for (const [key, control] of Object.entries(CONTROLS)) {
      expect(docs).toContain(`${control.component}.battery_planner_${key}`);
    }
  });

  it("has YAML examples that parse, and a full configuration the add-on accepts", () => {
    const blocks = yamlBlocks(docs);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(() => parse(block)).not.toThrow();
    const example = configSchema.safeParse(parse(blocks[0]!));
    expect(example.success ? [] : example.error.issues.map((i) => i.path.join("."))).toEqual([]);
  });
});

describe("store files", () => {
  it("repository.yaml names the repository", () => {
    expect(repositoryFormat.safeParse(readRepoYaml("repository.yaml")).success).toBe(true);
  });

  it("has a square 128 px icon and a 250×100 logo", () => {
    expect(pngSize("addon/icon.png")).toEqual({ width: 128, height: 128 });
    expect(pngSize("addon/logo.png")).toEqual({ width: 250, height: 100 });
  });

  it("has a changelog entry for the current version", () => {
    const { version } = readRepoYaml("addon/config.yaml") as { version: string };
    expect(readRepoText("addon/CHANGELOG.md")).toContain(`## ${version}`);
  });
});
