// The add-on's configuration files from the zod schema: config.yaml's `options` (defaults) and
// `schema` (the Supervisor's option types) and translations/en.yaml's labels. Pure; the writer is
// src/tools/gen-addon-config.ts. The Supervisor's format (supervisor/apps/options.py): `str`,
// `int(min,max)`, `float(min,max)`, `bool`, `password`, `port`, `match(REGEX)`, `list(a|b)`,
// `device(...)`, a trailing `?` for optional; nested dicts, and lists of one element type.
// A zod construct with no faithful Supervisor type stops the generator rather than being guessed.
import { z } from "zod";
import type { OptionLabel } from "./option-meta.js";

export class AddonSchemaError extends Error {
  override name = "AddonSchemaError";
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  format?: string;
  checks?: { _zod: { def: CheckDef } }[];
}

interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
}

type Meta = z.GlobalMeta;

interface Peeled {
  base: z.ZodType;
  def: Def;
  optional: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
  meta: Meta;
}

const defOf = (schema: z.ZodType) => schema.def as unknown as Def;

/** Unwraps optional/default, collecting the labels found on the way (outer ones win). */
function peel(schema: z.ZodType): Peeled {
  let current = schema;
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown;
  let meta: Meta = {};
  for (;;) {
    meta = { ...(z.globalRegistry.get(current) ?? {}), ...meta };
    const def = defOf(current);
    if (def.type === "optional" && def.innerType) {
      optional = true;
      current = def.innerType;
    } else if (def.type === "default" && def.innerType) {
      if (!hasDefault) defaultValue = def.defaultValue;
      hasDefault = true;
      current = def.innerType;
    } else {
      const peeled: Peeled = { base: current, def, optional, hasDefault, meta };
      if (hasDefault) peeled.defaultValue = defaultValue;
      return peeled;
    }
  }
}

// Ranges: inclusive only (vol.Range), and not negative: Supervisors before 2026.04 read no minus.
function range(min: number | undefined, max: number | undefined, path: string): string {
  for (const value of [min, max]) {
    if (value !== undefined && value < 0)
      throw new AddonSchemaError(`${path}: negative bounds are not read by older Supervisors`);
  }
  return min === undefined && max === undefined ? "" : `(${min ?? ""},${max ?? ""})`;
}

function numberType(def: Def, path: string): string {
  let isInt = def.format !== undefined && /int/.test(def.format);
  let min: number | undefined;
  let max: number | undefined;
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === "number_format" && /int/.test(c.format ?? "")) isInt = true;
    if (c.check === "greater_than" || c.check === "less_than") {
      let value = c.value!;
      if (c.inclusive === false) {
        if (!isInt) throw new AddonSchemaError(`${path}: use an inclusive bound (.min/.max) for a float`);
        value += c.check === "greater_than" ? 1 : -1;
      }
      if (c.check === "greater_than") min = value;
      else max = value;
    }
  }
  // .int() brings the safe-integer range along; that is "unbounded" to a person.
  if (min !== undefined && min <= Number.MIN_SAFE_INTEGER) min = undefined;
  if (max !== undefined && max >= Number.MAX_SAFE_INTEGER) max = undefined;
  return `${isInt ? "int" : "float"}${range(min, max, path)}`;
}

function stringType(def: Def, path: string): string {
  const patterns: string[] = [];
  let min: number | undefined;
  let max: number | undefined;
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === "string_format" && c.format === "regex" && c.pattern) patterns.push(c.pattern.source);
    else if (c.check === "min_length") min = c.minimum;
    else if (c.check === "max_length") max = c.maximum;
    else if (c.check === "string_format")
      throw new AddonSchemaError(`${path}: string format ${c.format} has no Supervisor type`);
  }
  if (patterns.length > 1) throw new AddonSchemaError(`${path}: one regex per option`);
  if (patterns[0] !== undefined) {
    if (min !== undefined || max !== undefined)
      throw new AddonSchemaError(`${path}: a regex option cannot also have a length`);
    return `match(${patterns[0]})`;
  }
  return `str${range(min, max, path)}`;
}

function scalarType(peeled: Peeled, path: string): string {
  const { def, meta } = peeled;
  if (meta.choices) return `list(${meta.choices.join("|")})`;
  switch (def.type) {
    case "number":
      return numberType(def, path);
    case "string":
      return stringType(def, path);
    case "boolean":
      return "bool";
    case "enum":
      return `list(${Object.values(def.entries ?? {}).join("|")})`;
    case "literal":
      return `list(${(def.values ?? []).join("|")})`;
    default:
      throw new AddonSchemaError(`${path}: zod ${def.type} has no Supervisor option type`);
  }
}

/** The computed type, or the one meta.haType names when it fits the zod type. */
function haScalar(peeled: Peeled, path: string): string {
  const computed = scalarType(peeled, path);
  const wanted = peeled.meta.haType;
  if (wanted === undefined) return computed;
  const fits =
    wanted === "port" ? computed === "int(1,65535)" : computed === "str" || computed.startsWith("str(");
  if (!fits) throw new AddonSchemaError(`${path}: haType ${wanted} does not fit zod's ${computed}`);
  return wanted;
}

function labelOf(peeled: Peeled, path: string): OptionLabel {
  const { title, description } = peeled.meta;
  if (!title || !description) throw new AddonSchemaError(`${path}: needs .meta({ title, description })`);
  return { title, description };
}

function objectShape(peeled: Peeled, path: string): Record<string, z.ZodType> {
  if (peeled.def.type !== "object" || !peeled.def.shape) throw new AddonSchemaError(`${path}: not an object`);
  return peeled.def.shape;
}

export type HaSchema = string | HaSchema[] | { [key: string]: HaSchema };

function haSchemaOf(schema: z.ZodType, path: string): HaSchema {
  const peeled = peel(schema);
  const { def } = peeled;
  if (def.type === "object") {
    // A section is never optional to the Supervisor: it must be in the options.
    if (peeled.optional && !peeled.hasDefault && !peeled.meta.addonDefault)
      throw new AddonSchemaError(`${path}: an optional section needs meta addonDefault`);
    return Object.fromEntries(
      Object.entries(objectShape(peeled, path)).map(([key, child]) => [
        key,
        haSchemaOf(child, `${path}.${key}`),
      ]),
    );
  }
  if (def.type === "array") return [haSchemaOf(def.element!, `${path}[]`)];
  if (def.type === "record") {
    const keys = peeled.meta.haKeys;
    if (!keys) throw new AddonSchemaError(`${path}: a record needs meta haKeys`);
    const value = haScalar(peel(def.valueType!), `${path}.*`);
    return Object.fromEntries(Object.keys(keys).map((key) => [key, `${value}?`]));
  }
  // Defaults live in `options`, so a defaulted option is required in the add-on's schema.
  const optional = (peeled.optional || peeled.meta.detectedAtStart === true) && !peeled.hasDefault;
  return `${haScalar(peeled, path)}${optional ? "?" : ""}`;
}

/** config.yaml's `schema`. */
export function addonSchema(schema: z.ZodType): HaSchema {
  return haSchemaOf(schema, "options");
}

/** The value config.yaml's `options` carries: the default; null for a required option, so the
 * configuration page asks for it and the Supervisor refuses to start without it. */
function optionsOf(schema: z.ZodType, path: string, given?: Record<string, unknown>): unknown {
  const peeled = peel(schema);
  const { def } = peeled;
  if (def.type === "object") {
    const seed = given ?? (peeled.meta.addonDefault as Record<string, unknown> | undefined) ?? {};
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(objectShape(peeled, path))) {
      const value =
        key in seed ? optionValue(peel(child), seed[key]) : optionsOf(child, `${path}.${key}`, undefined);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  if (peeled.hasDefault) return optionValue(peeled, peeled.defaultValue);
  return peeled.optional || peeled.meta.detectedAtStart ? undefined : null;
}

function optionValue(peeled: Peeled, value: unknown): unknown {
  // A dropdown's choices are strings to the Supervisor (list(5|15) yields "15").
  return peeled.meta.choices && typeof value === "number" ? String(value) : value;
}

/** config.yaml's `options`. */
export function addonOptions(schema: z.ZodType): Record<string, unknown> {
  return optionsOf(schema, "options") as Record<string, unknown>;
}

export interface TranslationEntry {
  name: string;
  description: string;
  fields?: Record<string, TranslationEntry>;
}

function translationOf(schema: z.ZodType, path: string): TranslationEntry {
  const peeled = peel(schema);
  const { title, description } = labelOf(peeled, path);
  const entry: TranslationEntry = { name: title, description };
  const { def } = peeled;
  const inner = def.type === "array" ? peel(def.element!) : peeled;
  if (inner.def.type === "object") {
    entry.fields = Object.fromEntries(
      Object.entries(objectShape(inner, path)).map(([key, child]) => [
        key,
        translationOf(child, `${path}.${key}`),
      ]),
    );
  } else if (def.type === "record") {
    entry.fields = Object.fromEntries(
      Object.entries(peeled.meta.haKeys ?? {}).map(([key, label]) => [
        key,
        { name: label.title, description: label.description },
      ]),
    );
  }
  return entry;
}

/** translations/en.yaml's `configuration`. */
export function addonTranslations(schema: z.ZodType): Record<string, TranslationEntry> {
  const peeled = peel(schema);
  return Object.fromEntries(
    Object.entries(objectShape(peeled, "options")).map(([key, child]) => [key, translationOf(child, key)]),
  );
}
