// The option types of an add-on's `schema` (developers.home-assistant.io, "App configuration",
// Options / Schema), parsed into a tree the tests can compare with the zod schema.

export type HaScalarKind =
  | "str"
  | "password"
  | "int"
  | "float"
  | "bool"
  | "email"
  | "url"
  | "port"
  | "match"
  | "list"
  | "device";

export interface HaScalar {
  kind: HaScalarKind;
  optional: boolean;
  min?: number;
  max?: number;
  /** match(REGEX) */
  pattern?: string;
  /** list(a|b|c) */
  values?: string[];
}

export type HaNode =
  | HaScalar
  | { kind: "dict"; fields: Record<string, HaNode> }
  | { kind: "array"; element: HaNode };

// Ranges are unsigned in HA's grammar: int bounds are digits, float bounds digits and dots.
const ELEMENT =
  /^(?:(?<plain>bool|email|url|port)|device(?:\((?<filter>subsystem=[a-z]+)\))?|(?<ranged>str|password|int)(?:\((?<imin>\d*),(?<imax>\d*)\))?|float(?:\((?<fmin>[\d.]*),(?<fmax>[\d.]*)\))?|match\((?<match>.*)\)|list\((?<list>.+)\))(?<optional>\?)?$/;

export class HaSchemaError extends Error {
  override name = "HaSchemaError";
}

function bound(text: string | undefined): number | undefined {
  return text === undefined || text === "" ? undefined : Number(text);
}

export function parseHaType(text: string, path: string): HaScalar {
  const m = ELEMENT.exec(text);
  if (!m?.groups) throw new HaSchemaError(`${path}: "${text}" is not an add-on option type`);
  const g = m.groups;
  const optional = g.optional === "?";
  if (g.plain) return { kind: g.plain as HaScalarKind, optional };
  if (g.match !== undefined) return { kind: "match", optional, pattern: g.match };
  if (g.list !== undefined) return { kind: "list", optional, values: g.list.split("|") };
  if (g.ranged) {
    const scalar: HaScalar = { kind: g.ranged as HaScalarKind, optional };
    const min = bound(g.imin);
    const max = bound(g.imax);
    if (min !== undefined) scalar.min = min;
    if (max !== undefined) scalar.max = max;
    return scalar;
  }
  if (text.startsWith("float")) {
    const scalar: HaScalar = { kind: "float", optional };
    const min = bound(g.fmin);
    const max = bound(g.fmax);
    if (min !== undefined) scalar.min = min;
    if (max !== undefined) scalar.max = max;
    return scalar;
  }
  return { kind: "device", optional };
}

export function parseHaSchema(value: unknown, path = "schema", inList = false): HaNode {
  if (typeof value === "string") return parseHaType(value, path);
  if (Array.isArray(value)) {
    if (inList) throw new HaSchemaError(`${path}: a list may not directly contain another list`);
    if (value.length !== 1) throw new HaSchemaError(`${path}: a list schema has exactly one element type`);
    return { kind: "array", element: parseHaSchema(value[0], `${path}[]`, true) };
  }
  if (value !== null && typeof value === "object") {
    const fields: Record<string, HaNode> = {};
    for (const [key, child] of Object.entries(value)) fields[key] = parseHaSchema(child, `${path}.${key}`);
    return { kind: "dict", fields };
  }
  throw new HaSchemaError(`${path}: ${JSON.stringify(value)} is not a type, a list or a dict`);
}
