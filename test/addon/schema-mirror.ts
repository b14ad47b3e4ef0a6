// Walks the zod options schema and config.yaml's add-on schema side by side and reports every
// place where they disagree. Generic on purpose: a new option in src/config/schema.ts only needs
// its line in config.yaml (and en.yaml), never a change here.
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import type { HaNode, HaScalar } from "./ha-option-types.js";

// zod 4 keeps its structure in `def`; these are the few fields the walk reads.
interface ZodDef {
  type: string;
  innerType?: ZodAny;
  in?: ZodAny;
  shape?: Record<string, ZodAny>;
  element?: ZodAny;
  valueType?: ZodAny;
  options?: ZodAny[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  defaultValue?: unknown;
  checks?: {
    _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string; pattern?: RegExp } };
  }[];
}
type ZodAny = { def: ZodDef };

export interface Peeled {
  base: ZodAny;
  optional: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
}

export function peel(schema: z.ZodType | ZodAny): Peeled {
  let current = schema as unknown as ZodAny;
  const peeled: Omit<Peeled, "base"> = { optional: false, hasDefault: false };
  for (;;) {
    const def = current.def;
    if ((def.type === "optional" || def.type === "nullable") && def.innerType) {
      peeled.optional = true;
      current = def.innerType;
    } else if ((def.type === "default" || def.type === "prefault") && def.innerType) {
      peeled.hasDefault = true;
      peeled.defaultValue = typeof def.defaultValue === "function" ? def.defaultValue() : def.defaultValue;
      current = def.innerType;
    } else if (def.type === "pipe" && def.in) {
      current = def.in;
    } else {
      return { base: current, ...peeled };
    }
  }
}

interface NumberBounds {
  isInt: boolean;
  min?: number;
  minExclusive: boolean;
  max?: number;
  maxExclusive: boolean;
}

function numberBounds(def: ZodDef): NumberBounds {
  const bounds: NumberBounds = { isInt: false, minExclusive: false, maxExclusive: false };
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === "number_format" && /int/.test(c.format ?? "")) bounds.isInt = true;
    if (
      c.check === "greater_than" &&
      c.value !== undefined &&
      (bounds.min === undefined || c.value >= bounds.min)
    ) {
      bounds.min = c.value;
      bounds.minExclusive = c.inclusive === false;
    }
    if (
      c.check === "less_than" &&
      c.value !== undefined &&
      (bounds.max === undefined || c.value <= bounds.max)
    ) {
      bounds.max = c.value;
      bounds.maxExclusive = c.inclusive === false;
    }
  }
  // z.int() brings the safe-integer range along; that is "unbounded" to a user.
  if (bounds.min !== undefined && bounds.min <= Number.MIN_SAFE_INTEGER) delete bounds.min;
  if (bounds.max !== undefined && bounds.max >= Number.MAX_SAFE_INTEGER) delete bounds.max;
  return bounds;
}

/** The HA range that matches a zod bound: HA ranges are inclusive and cannot be negative. */
function haBound(value: number | undefined, exclusive: boolean, isInt: boolean, side: "min" | "max") {
  if (value === undefined) return undefined;
  const inclusive = exclusive && isInt ? value + (side === "min" ? 1 : -1) : value;
  return inclusive < 0 ? undefined : inclusive;
}

function stringPatterns(def: ZodDef): string[] {
  return (def.checks ?? []).flatMap((check) => {
    const pattern = check._zod.def.pattern;
    return check._zod.def.format === "regex" && pattern ? [pattern.source] : [];
  });
}

function describe(ha: HaNode): string {
  return ha.kind;
}

function compareScalar(base: ZodAny, ha: HaScalar, path: string, problems: string[]): void {
  const def = base.def;
  const mismatch = (expected: string): void => {
    problems.push(`${path}: zod ${def.type} needs ${expected} in config.yaml, found ${describe(ha)}`);
  };
  switch (def.type) {
    case "string": {
      const patterns = stringPatterns(def);
      if (patterns.length > 0) {
        if (ha.kind !== "match") {
          mismatch(`match(${patterns[0]})`);
          return;
        }
        if (!patterns.includes(ha.pattern ?? ""))
          problems.push(`${path}: match(${ha.pattern}) differs from the zod regex ${patterns.join(" / ")}`);
        return;
      }
      if (!["str", "password", "device", "url", "email"].includes(ha.kind))
        mismatch("str, password or device");
      return;
    }
    case "number": {
      const b = numberBounds(def);
      const min = haBound(b.min, b.minExclusive, b.isInt, "min");
      const max = haBound(b.max, b.maxExclusive, b.isInt, "max");
      if (ha.kind === "port") {
        if (!b.isInt || min !== 1 || max !== 65535) mismatch(`int(${min ?? ""},${max ?? ""})`);
        return;
      }
      const kind = b.isInt ? "int" : "float";
      if (ha.kind !== kind) {
        mismatch(kind);
        return;
      }
      if (ha.min !== min || ha.max !== max)
        problems.push(
          `${path}: ${kind}(${ha.min ?? ""},${ha.max ?? ""}) differs from zod's range ${kind}(${min ?? ""},${max ?? ""})`,
        );
      return;
    }
    case "boolean":
      if (ha.kind !== "bool") mismatch("bool");
      return;
    case "enum":
    case "literal":
    case "union": {
      const values = literalValues(base);
      if (!values)
        return void problems.push(`${path}: zod ${def.type} of non-literal members has no add-on type`);
      if (values.every((v) => typeof v === "number")) {
        // list(...) would hand the value over as a string, so numeric choices are an int range.
        const nums = values as number[];
        if (ha.kind !== "int" || ha.min !== Math.min(...nums) || ha.max !== Math.max(...nums))
          mismatch(`int(${Math.min(...nums)},${Math.max(...nums)})`);
        return;
      }
      if (ha.kind !== "list") {
        mismatch(`list(${values.join("|")})`);
        return;
      }
      const expected = values.map(String).sort();
      if (!isDeepStrictEqual([...(ha.values ?? [])].sort(), expected))
        problems.push(
          `${path}: list(${ha.values?.join("|")}) differs from zod's choices ${expected.join("|")}`,
        );
      return;
    }
    default:
      problems.push(`${path}: zod type ${def.type} has no add-on option type`);
  }
}

function literalValues(base: ZodAny): unknown[] | undefined {
  const def = base.def;
  if (def.type === "enum" && def.entries) return Object.values(def.entries);
  if (def.type === "literal" && def.values) return def.values;
  if (def.type === "union" && def.options) {
    const all = def.options.map((option) => literalValues(peel(option).base));
    return all.every((v) => v !== undefined) ? all.flat() : undefined;
  }
  return undefined;
}

/** Every disagreement between a zod schema and the add-on schema, as "path: what" lines. */
export function compareSchemas(schema: z.ZodType | ZodAny, ha: HaNode, path = "options"): string[] {
  const problems: string[] = [];
  const { base, optional, hasDefault } = peel(schema);
  const def = base.def;
  if (def.type === "object") {
    if (ha.kind !== "dict") return [`${path}: zod object needs a dict in config.yaml, found ${ha.kind}`];
    const shape = def.shape ?? {};
    for (const key of Object.keys(shape)) {
      const child = ha.fields[key];
      if (!child) problems.push(`${path}.${key}: in src/config/schema.ts but not in config.yaml's schema`);
      else problems.push(...compareSchemas(shape[key]!, child, `${path}.${key}`));
    }
    for (const key of Object.keys(ha.fields)) {
      if (!(key in shape))
        problems.push(`${path}.${key}: in config.yaml's schema but not in src/config/schema.ts`);
    }
    return problems;
  }
  if (def.type === "record") {
    // Add-on schemas have no free-form dicts: a record is spelled as a dict of optional known keys.
    if (ha.kind !== "dict") return [`${path}: zod record needs a dict of optional keys, found ${ha.kind}`];
    for (const [key, child] of Object.entries(ha.fields)) {
      if (child.kind === "dict" || child.kind === "array" || !child.optional)
        problems.push(`${path}.${key}: a record's keys must be optional scalars ("str?")`);
      else if (def.valueType) compareScalar(peel(def.valueType).base, child, `${path}.${key}`, problems);
    }
    return problems;
  }
  if (def.type === "array") {
    if (ha.kind !== "array") return [`${path}: zod array needs a [list] in config.yaml, found ${ha.kind}`];
    if (def.element) problems.push(...compareSchemas(def.element, ha.element, `${path}[]`));
    return problems;
  }
  if (ha.kind === "dict" || ha.kind === "array")
    return [`${path}: zod ${def.type} is a scalar, config.yaml has a ${ha.kind}`];
  // Defaults live in `options`, so a defaulted option is required in the add-on schema.
  const wantOptional = optional && !hasDefault;
  if (ha.optional !== wantOptional)
    problems.push(
      `${path}: ${wantOptional ? "optional in zod, so it needs a trailing ?" : "required (or defaulted) in zod, so no trailing ?"}`,
    );
  compareScalar(base, ha, path, problems);
  return problems;
}

/** config.yaml's default options: complete enough for HA to start the add-on, and equal to the zod
 * defaults wherever zod has one. */
export function checkDefaultOptions(
  schema: z.ZodType | ZodAny,
  options: unknown,
  path = "options",
): string[] {
  const { base } = peel(schema);
  if (base.def.type !== "object") return [];
  if (options === null || typeof options !== "object" || Array.isArray(options))
    return [`${path}: must be a dict`];
  const problems: string[] = [];
  const given = options as Record<string, unknown>;
  const shape = base.def.shape ?? {};
  for (const key of Object.keys(given)) {
    if (!(key in shape)) problems.push(`${path}.${key}: has a default but is no option`);
  }
  for (const [key, child] of Object.entries(shape)) {
    const peeled = peel(child);
    const value = given[key];
    const childPath = `${path}.${key}`;
    if (value === undefined) {
      // HA refuses to start an add-on whose non-optional options are missing; dicts are never optional there.
      if (!peeled.optional || peeled.base.def.type === "object" || peeled.hasDefault)
        problems.push(`${childPath}: needs a value in config.yaml's options`);
      continue;
    }
    if (peeled.base.def.type === "object") {
      problems.push(...checkDefaultOptions(peeled.base, value, childPath));
    } else if (peeled.hasDefault && !isDeepStrictEqual(value, peeled.defaultValue)) {
      problems.push(
        `${childPath}: ${JSON.stringify(value)} differs from the zod default ${JSON.stringify(peeled.defaultValue)}`,
      );
    }
  }
  return problems;
}
