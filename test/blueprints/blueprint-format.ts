// The blueprint format from HA's docs ("About the blueprint schema", "Selectors") as zod, and a
// YAML loader that understands the `!input` tag.
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

export const blueprintInput = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
    selector: selectorSchema.optional(),
  })
  .strict();

/** Collapsible input sections (2024.6) group inputs under their own `input`. */
const inputSection = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    icon: z.string().optional(),
    collapsed: z.boolean().optional(),
    input: z.record(z.string(), blueprintInput),
  })
  .strict();

export const blueprintMetadata = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    domain: z.enum(["automation", "script"]),
    author: z.string().optional(),
    source_url: z.url().optional(),
    homeassistant: z
      .object({ min_version: z.string().regex(/^\d{4}\.\d{1,2}\.\d+$/, "a version like 2024.10.0") })
      .strict()
      .optional(),
    input: z.record(z.string(), z.union([blueprintInput, inputSection])).optional(),
  })
  .strict();

const listOrInput = <T extends z.ZodType>(item: T) => z.union([z.array(item).min(1), z.instanceof(InputRef)]);

/** An automation blueprint: the metadata plus an automation in the 2024.10 syntax. */
export const automationBlueprint = z
  .object({
    blueprint: blueprintMetadata,
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
