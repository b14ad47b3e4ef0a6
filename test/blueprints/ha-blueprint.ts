// Blueprints as Home Assistant loads them: the YAML with its `!input` tag, the blueprint schema of
// homeassistant/components/blueprint/schemas.py (BLUEPRINT_SCHEMA, BLUEPRINT_INPUT_SCHEMA,
// BLUEPRINT_INPUT_SECTION_SCHEMA, version_validator, unique_input_validator; read at core commit
// 08aa500d, HA 2025/2026), the selector options of homeassistant/helpers/selector.py for the
// selectors these blueprints use, and the substitution of inputs that
// homeassistant/components/blueprint/models.py (BlueprintInputs.async_substitute) performs.
// Written for these tests from those files; no HA code is copied.
import { parse, type ScalarTag } from "yaml";
import { z } from "zod";

/** A `!input name` reference, kept as an object so the tests can find every use. */
export class InputRef {
  constructor(readonly name: string) {}
}

const inputTag: ScalarTag = {
  tag: "!input",
  identify: (value) => value instanceof InputRef,
  resolve: (text) => new InputRef(text),
};

export function parseBlueprint(text: string): unknown {
  return parse(text, { customTags: [inputTag] });
}

/** Selectors Home Assistant knows (homeassistant/helpers/selector.py and the selectors docs). */
export const KNOWN_SELECTORS = [
  "action",
  "addon",
  "area",
  "assist_pipeline",
  "attribute",
  "backup_location",
  "boolean",
  "color_rgb",
  "color_temp",
  "condition",
  "config_entry",
  "constant",
  "conversation_agent",
  "country",
  "date",
  "datetime",
  "device",
  "duration",
  "entity",
  "file",
  "floor",
  "icon",
  "label",
  "language",
  "location",
  "media",
  "navigation",
  "number",
  "object",
  "qr_code",
  "select",
  "state",
  "statistic",
  "target",
  "template",
  "text",
  "theme",
  "time",
  "trigger",
] as const;

const noOptions = z.union([z.null(), z.object({}).strict()]);
const domains = z.union([z.string(), z.array(z.string())]);
const entityFilter = z
  .object({
    integration: z.string().optional(),
    domain: domains.optional(),
    device_class: domains.optional(),
  })
  .strict();

/** Options of the selectors these blueprints use, checked closely; others must just be a map. */
const selectorOptions: Partial<Record<(typeof KNOWN_SELECTORS)[number], z.ZodType>> = {
  action: noOptions,
  trigger: noOptions,
  boolean: noOptions,
  entity: z.union([
    z.null(),
    z
      .object({
        multiple: z.boolean().optional(),
        filter: z.union([entityFilter, z.array(entityFilter)]).optional(),
        include_entities: z.array(z.string()).optional(),
        exclude_entities: z.array(z.string()).optional(),
        reorder: z.boolean().optional(),
      })
      .strict(),
  ]),
  select: z
    .object({
      options: z
        .array(z.union([z.string(), z.object({ label: z.string(), value: z.string() }).strict()]))
        .min(1),
      mode: z.enum(["list", "dropdown"]).optional(),
      multiple: z.boolean().optional(),
      custom_value: z.boolean().optional(),
      translation_key: z.string().optional(),
      sort: z.boolean().optional(),
    })
    .strict(),
  number: z
    .object({
      min: z.number(),
      max: z.number(),
      step: z.union([z.number().positive(), z.literal("any")]).optional(),
      unit_of_measurement: z.string().optional(),
      mode: z.enum(["box", "slider"]).optional(),
      translation_key: z.string().optional(),
    })
    .strict()
    .refine((n) => n.min < n.max, "min must be below max"),
  duration: z.union([
    z.null(),
    z.object({ enable_day: z.boolean().optional(), enable_millisecond: z.boolean().optional() }).strict(),
  ]),
  text: z.union([z.null(), z.record(z.string(), z.unknown())]),
  time: noOptions,
};

export const selectorSchema = z.record(z.string(), z.unknown()).superRefine((selector, ctx) => {
  const keys = Object.keys(selector);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined) {
    ctx.addIssue({ code: "custom", message: "a selector has exactly one type key" });
    return;
  }
  if (!(KNOWN_SELECTORS as readonly string[]).includes(key)) {
    ctx.addIssue({ code: "custom", message: `unknown selector ${key}` });
    return;
  }
  const options =
    selectorOptions[key as (typeof KNOWN_SELECTORS)[number]] ??
    z.union([z.null(), z.record(z.string(), z.unknown())]);
  const result = options.safeParse(selector[key]);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: "custom", message: `${key}: ${issue.path.join(".")} ${issue.message}` });
    }
  }
});

/** BLUEPRINT_INPUT_SCHEMA: only these four keys (voluptuous forbids extra keys by default). */
export const blueprintInput = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
    selector: selectorSchema.optional(),
  })
  .strict();

/** BLUEPRINT_INPUT_SECTION_SCHEMA: a section groups inputs; an input may be null (no options). */
const inputSection = z
  .object({
    name: z.string().optional(),
    icon: z.string().optional(),
    description: z.string().optional(),
    collapsed: z.boolean().optional(),
    input: z.record(z.string(), z.union([z.null(), blueprintInput])),
  })
  .strict();

/** version_validator: "{major}.{minor}.{patch}", three integers. */
const haVersion = z
  .string()
  .refine((v) => v.split(".").length === 3, "Version needs to be formatted as {major}.{minor}.{patch}")
  .refine(
    (v) => v.split(".").every((p) => /^-?\d+$/.test(p)),
    "Major, minor and patch version needs to be an integer",
  );

/** unique_input_validator: one key, one input, across sections. */
function inputKeys(inputs: Record<string, unknown>): string[] {
  return Object.entries(inputs).flatMap(([key, value]) => {
    const section = value as { input?: Record<string, unknown> } | null;
    return section && typeof section === "object" && "input" in section
      ? Object.keys(section.input ?? {})
      : [key];
  });
}

export const blueprintMetadata = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    domain: z.string(),
    source_url: z.url().optional(),
    author: z.string().optional(),
    homeassistant: z.object({ min_version: haVersion.optional() }).strict().optional(),
    input: z
      .record(z.string(), z.union([z.null(), blueprintInput, inputSection]))
      .superRefine((inputs, ctx) => {
        const seen = new Set<string>();
        for (const key of inputKeys(inputs)) {
          if (seen.has(key))
            ctx.addIssue({ code: "custom", message: `Duplicate use of input key ${key} in blueprint.` });
          seen.add(key);
        }
      })
      .optional(),
    discovery: z.array(selectorSchema).optional(),
  })
  .strict();

/** Every input with its default (undefined: the user must give one). */
export function declaredInputs(metadata: {
  input?: Record<string, unknown>;
}): Map<string, { default?: unknown }> {
  const found = new Map<string, { default?: unknown }>();
  for (const [key, value] of Object.entries(metadata.input ?? {})) {
    const section = value as { input?: Record<string, unknown> } | null;
    if (section && typeof section === "object" && "input" in section) {
      for (const [inner, input] of Object.entries(section.input ?? {}))
        found.set(inner, (input as { default?: unknown } | null) ?? {});
    } else {
      found.set(key, (value as { default?: unknown } | null) ?? {});
    }
  }
  return found;
}

/** An input used but given no value and no default (blueprint/errors.py MissingInput). */
export class MissingInputError extends Error {
  override name = "MissingInputError";
}

/** The automation a user's blueprint instance becomes: every `!input` replaced by the value given
 * or the input's default. */
export function substituteInputs(doc: unknown, given: Record<string, unknown> = {}): Record<string, unknown> {
  const { blueprint, ...automation } = doc as { blueprint: { input?: Record<string, unknown> } };
  const inputs = declaredInputs(blueprint);
  const missing: string[] = [];
  const walk = (value: unknown): unknown => {
    if (value instanceof InputRef) {
      if (Object.hasOwn(given, value.name)) return given[value.name];
      const input = inputs.get(value.name);
      if (input && input.default !== undefined) return input.default;
      missing.push(value.name);
      return undefined;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const result = walk(automation) as Record<string, unknown>;
  if (missing.length > 0) throw new MissingInputError(`Missing input ${[...new Set(missing)].join(", ")}`);
  return result;
}

const listOrInput = <T extends z.ZodType>(item: T) => z.union([z.array(item).min(1), z.instanceof(InputRef)]);

/** An automation blueprint: the metadata (domain automation) plus an automation in the 2024.10
 * syntax, as components/automation/config.py takes it. */
export const automationBlueprint = z
  .object({
    blueprint: blueprintMetadata.refine((b) => b.domain === "automation", "domain must be automation"),
    mode: z.enum(["single", "restart", "queued", "parallel"]).optional(),
    max: z.number().int().positive().optional(),
    max_exceeded: z
      .enum(["silent", "critical", "fatal", "error", "warning", "info", "debug", "notset"])
      .optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
    trigger_variables: z.record(z.string(), z.unknown()).optional(),
    triggers: listOrInput(z.union([z.object({ trigger: z.string() }).loose(), z.instanceof(InputRef)])),
    conditions: z.array(z.unknown()).optional(),
    actions: listOrInput(z.unknown()),
  })
  .strict();
