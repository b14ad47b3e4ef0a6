// addon/config.yaml against HA's add-on format and against the zod options schema, both ways.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configSchema } from "../../src/config/schema.js";
import { addonConfigFormat } from "./ha-addon-format.js";
import { parseHaSchema, parseHaType } from "./ha-option-types.js";
import { readAddonConfig, readRepoText } from "./load-addon-files.js";
import { checkDefaultOptions, compareSchemas } from "./schema-mirror.js";

const config = readAddonConfig();

describe("addon/config.yaml format", () => {
  it("is a valid add-on configuration", () => {
    const result = addonConfigFormat.safeParse(config);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(
      [],
    );
  });

  it("has the version of package.json", () => {
    const pkg = JSON.parse(readRepoText("package.json")) as { version: string };
    expect(config.version).toBe(pkg.version);
  });

  it("only uses option types the Supervisor knows", () => {
    expect(() => parseHaSchema(config.schema)).not.toThrow();
  });

  it("serves ingress on a fixed port with a panel", () => {
    expect(config).toMatchObject({ ingress: true, ingress_port: 8099, homeassistant_api: true });
    expect(config.services).toContain("mqtt:want");
  });
});

describe("config.yaml mirrors src/config/schema.ts", () => {
  it("has the same options, types, ranges, choices and optionality", () => {
    expect(compareSchemas(configSchema, parseHaSchema(config.schema))).toEqual([]);
  });

  it("ships default options complete enough to start and equal to the zod defaults", () => {
    expect(checkDefaultOptions(configSchema, config.options)).toEqual([]);
  });

  it("ships default options that the add-on itself accepts", () => {
    const result = configSchema.safeParse(config.options);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(
      [],
    );
  });
});

// The comparison must notice drift, or the tests above prove nothing.
describe("the schema comparison", () => {
  const zod = z.object({
    name: z.string(),
    level: z.enum(["a", "b"]).default("a"),
    count: z.number().int().min(1).max(9).default(3),
    ratio: z.number().gt(0).max(1),
    entity: z
      .string()
      .regex(/^sensor\.\w+$/)
      .optional(),
    slot: z.union([z.literal(15), z.literal(30)]).default(30),
    nested: z.object({ flag: z.boolean().default(true) }).default({ flag: true }),
    list: z.array(z.string()).default([]),
  });
  const good = {
    name: "str",
    level: "list(a|b)",
    count: "int(1,9)",
    ratio: "float(0,1)",
    entity: "match(^sensor\\.\\w+$)?",
    slot: "int(15,30)",
    nested: { flag: "bool" },
    list: ["str"],
  };
  const goodOptions = {
    name: "x",
    level: "a",
    count: 3,
    ratio: 0.5,
    slot: 30,
    nested: { flag: true },
    list: [],
  };

  it("accepts a faithful mirror", () => {
    expect(compareSchemas(zod, parseHaSchema(good))).toEqual([]);
    expect(checkDefaultOptions(zod, goodOptions)).toEqual([]);
  });

  it.each([
    ["a missing option", { ...good, name: undefined }, "options.name: in src/config/schema.ts"],
    ["an extra option", { ...good, extra: "str" }, "options.extra: in config.yaml's schema but not"],
    ["a different range", { ...good, count: "int(0,9)" }, "options.count: int(0,9) differs"],
    ["a different type", { ...good, ratio: "int(0,1)" }, "options.ratio: zod number needs float"],
    ["a missing enum value", { ...good, level: "list(a)" }, "options.level: list(a) differs"],
    [
      "a lost optional marker",
      { ...good, entity: "match(^sensor\\.\\w+$)" },
      "options.entity: optional in zod",
    ],
    ["a different regex", { ...good, entity: "match(^sensor\\..*$)?" }, "differs from the zod regex"],
    [
      "a nested type change",
      { ...good, nested: { flag: "str" } },
      "options.nested.flag: zod boolean needs bool",
    ],
  ])("reports %s", (_what, schema, expected) => {
    const problems = compareSchemas(zod, parseHaSchema(JSON.parse(JSON.stringify(schema))));
    expect(problems.join("\n")).toContain(expected);
  });

  it("reports a default that differs from zod's and a required option left out", () => {
    const problems = checkDefaultOptions(zod, { ...goodOptions, count: 4, name: undefined });
    expect(problems).toEqual([
      "options.name: needs a value in config.yaml's options",
      "options.count: 4 differs from the zod default 3",
    ]);
  });

  it("rejects option types the Supervisor does not know", () => {
    expect(() => parseHaType("string", "x")).toThrow(/not an add-on option type/);
    expect(() => parseHaType("float(-1,1)", "x")).toThrow();
    expect(() => parseHaSchema({ a: [["str"]] })).toThrow(/list may not directly contain another list/);
  });
});
