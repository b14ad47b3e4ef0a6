// A port, for the tests, of how the Home Assistant Supervisor validates an add-on's options against
// its config.yaml `schema` before it starts the add-on: supervisor/apps/options.py (`AppOptions`)
// and the schema check of supervisor/apps/validate.py (`SCHEMA_ELEMENT`), Supervisor 2026.08.0
// (commit 090ef31), with the messages of voluptuous 0.16.0, which that Supervisor pins. Written
// from reading that code, not copied: the Supervisor's Python cannot run in CI. Its answers on
// the cases in supervisor-answers.json were recorded from the real code (see
// supervisor-reference/README.md) and supervisor-options.test.ts holds the port to them.
//
// Python semantics kept on purpose: int() truncates 7.9 to 7 and reads "42"; float() reads "1e3";
// a dropdown (`list(...)`) and `match(...)` compare str(value), so 30 becomes "30"; a required
// option may be null in `options` (the page then asks for it) but the Supervisor will not start.

/** A list schema with no element type: Python's IndexError, reported for the top-level option. */
class NoElementType extends Error {}

/** voluptuous's Invalid: the message the Supervisor shows, before humanize_error's ". Got …". */
export class SupervisorInvalid extends Error {
  override name = "SupervisorInvalid";
}

export interface AddonIdentity {
  name: string;
  slug: string;
}

export interface ValidateOptions {
  /** secrets.yaml, for "!secret name" values. */
  secrets?: Readonly<Record<string, unknown>>;
  /** Device paths the host has; `device(...)` options must name one. */
  devices?: readonly string[];
}

// supervisor/apps/options.py RE_SCHEMA_ELEMENT (2026.08: signed int/float bounds).
const SCHEMA_ELEMENT = new RegExp(
  "^(?:" +
    "|bool|email|url|port" +
    "|device(?:\\((?<filter>subsystem=[a-z]+)\\))?" +
    "|str(?:\\((?<s_min>\\d+)?,(?<s_max>\\d+)?\\))?" +
    "|password(?:\\((?<p_min>\\d+)?,(?<p_max>\\d+)?\\))?" +
    "|int(?:\\((?<i_min>-?\\d+)?,(?<i_max>-?\\d+)?\\))?" +
    "|float(?:\\((?<f_min>-?\\d*\\.?\\d+)?,(?<f_max>-?\\d*\\.?\\d+)?\\))?" +
    "|match\\((?<match>.*)\\)" +
    "|list\\((?<list>.+)\\)" +
    ")\\??$",
);

// --- Python's str() and repr() of JSON-like values -----------------------------------------------
// JSON and YAML numbers without a fraction are Python ints; JS cannot tell 30 from 30.0, and the
// options here never hold a float with no fraction where it would matter.
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(n).replace(/e\+?/, "e+").replace("e+-", "e-");
}

export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  return pyRepr(value);
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replace(/\\/g, "\\\\")
      .replace(/\n/g, "\\n")
      .replace(/\t/g, "\\t")
      .replace(new RegExp(quote, "g"), `\\${quote}`);
    return `${quote}${body}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
}

/** Python's float repr of a range bound as voluptuous prints it: the Supervisor passes
 * float("1") as the bound, so "at least 1.0". */
function boundText(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : pyNumber(n);
}

// --- Python's int() and float() ------------------------------------------------------------------
const PY_INT = /^\s*[-+]?\d(?:_?\d)*\s*$/;
const PY_FLOAT =
  /^\s*[-+]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][-+]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:[eE][-+]?\d(?:_?\d)*)?|inf|infinity|nan)\s*$/i;

function pyInt(value: unknown): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") {
    if (Number.isNaN(value)) throw new SupervisorInvalid("expected int");
    return Math.trunc(value);
  }
  if (typeof value === "string" && PY_INT.test(value)) return Number(value.replace(/_/g, ""));
  throw new SupervisorInvalid("expected int");
}

function pyFloat(value: unknown): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string" && PY_FLOAT.test(value)) {
    const text = value.trim().replace(/_/g, "").toLowerCase();
    if (/^[-+]?inf(inity)?$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
    if (/^[-+]?nan$/.test(text)) return Number.NaN;
    return Number(text);
  }
  throw new SupervisorInvalid("expected float");
}

/** vol.Range: `not v >= min` is how NaN fails too. Bounds from a type are floats ("1.0"); the
 * port type's are ints ("1"). */
function inRange(v: number, min: number | undefined, max: number | undefined, intBounds = false): number {
  const text = (n: number) => (intBounds ? String(n) : boundText(n));
  if (min !== undefined && !(v >= min)) throw new SupervisorInvalid(`value must be at least ${text(min)}`);
  if (max !== undefined && !(v <= max)) throw new SupervisorInvalid(`value must be at most ${text(max)}`);
  return v;
}

function pyLen(value: string): number {
  return [...value].length;
}

function pyBool(value: unknown): boolean {
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (["1", "true", "yes", "on", "enable"].includes(v)) return true;
    if (["0", "false", "no", "off", "disable"].includes(v)) return false;
    throw new SupervisorInvalid("expected boolean");
  }
  if (typeof value === "number") return value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function pySorted(values: string[]): string[] {
  // Python sorts str by code point.
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Python's `re` and JavaScript's agree on the patterns add-ons use (classes, anchors,
 * quantifiers); `re.match` anchors at the start only, like this `^` prefix. */
function pyMatch(pattern: string, text: string): boolean {
  return new RegExp(`^(?:${pattern})`).test(text);
}

export class AddonOptionsValidator {
  constructor(
    private readonly schema: Record<string, unknown>,
    private readonly addon: AddonIdentity,
    private readonly context: ValidateOptions = {},
  ) {}

  private get where(): string {
    return `in ${this.addon.name} (${this.addon.slug})`;
  }

  /** AppOptions.validate: the options the add-on receives in /data/options.json. */
  validate(struct: unknown): Record<string, unknown> {
    if (struct === null || typeof struct !== "object" || Array.isArray(struct))
      throw new SupervisorInvalid("expected dict");
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(struct as Record<string, unknown>)) {
      if (!(key in this.schema)) continue; // logged as a warning and dropped
      try {
        options[key] = this.element(this.schema[key], value, key);
      } catch (error) {
        if (error instanceof NoElementType)
          throw new SupervisorInvalid(`Type error for option '${key}' ${this.where}`);
        throw error;
      }
    }
    this.checkMissing(this.schema, options, "root");
    return options;
  }

  private element(type: unknown, value: unknown, key: string): unknown {
    if (Array.isArray(type)) {
      if (type.length === 0) throw new NoElementType();
      return this.list(type[0], value, key);
    }
    if (type !== null && typeof type === "object")
      return this.dict(type as Record<string, unknown>, value, key);
    return this.single(String(type), value, key);
  }

  private list(type: unknown, value: unknown, key: string): unknown[] {
    if (!Array.isArray(value)) throw new SupervisorInvalid(`Invalid list for option '${key}' ${this.where}`);
    return value.map((item) => this.element(type, item, key));
  }

  private dict(type: Record<string, unknown>, value: unknown, key: string): Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new SupervisorInvalid(`Invalid dict for option '${key}' ${this.where}`);
    const options: Record<string, unknown> = {};
    for (const [childKey, childValue] of Object.entries(value as Record<string, unknown>)) {
      if (!(childKey in type)) continue; // "Unknown option", dropped
      options[childKey] = this.element(type[childKey], childValue, childKey);
    }
    this.checkMissing(type, options, key);
    return options;
  }

  /** _check_missing_options. Python walks a set, so with several missing it names any one;
   * this names the first in schema order. */
  private checkMissing(origin: Record<string, unknown>, exists: Record<string, unknown>, root: string): void {
    for (const [key, schema] of Object.entries(origin)) {
      if (key in exists) continue;
      const type = Array.isArray(schema) && schema.length > 0 ? schema[0] : schema;
      if (typeof type === "string" && type.endsWith("?")) continue;
      throw new SupervisorInvalid(`Missing option '${key}' in ${root} ${this.where}`);
    }
  }

  private single(type: string, raw: unknown, key: string): unknown {
    if (raw === null || raw === undefined)
      throw new SupervisorInvalid(`Missing required option '${key}' ${this.where}`);
    let value: unknown = raw;
    if (pyStr(value).startsWith("!secret ")) {
      const name = (value as string).slice((value as string).indexOf(" ") + 1);
      value = this.context.secrets?.[name];
      if (value === null || value === undefined)
        throw new SupervisorInvalid(`Unknown secret '${name}' ${this.where}`);
    }
    const match = SCHEMA_ELEMENT.exec(type);
    if (!match) throw new SupervisorInvalid(`Unknown type '${type}' ${this.where}`);
    const g = match.groups ?? {};
    // `if group_value:` — an empty group is no bound.
    const num = (...names: string[]) => {
      for (const n of names) if (g[n]) return Number.parseFloat(g[n]);
      return undefined;
    };
    if (type.startsWith("str") || type.startsWith("password")) {
      if (typeof value !== "string") throw new SupervisorInvalid("expected str");
      const min = num("s_min", "p_min");
      const max = num("s_max", "p_max");
      if (min !== undefined && pyLen(value) < min)
        throw new SupervisorInvalid(`length of value must be at least ${boundText(min)}`);
      if (max !== undefined && pyLen(value) > max)
        throw new SupervisorInvalid(`length of value must be at most ${boundText(max)}`);
      return value;
    }
    if (type.startsWith("int")) return inRange(pyInt(value), num("i_min"), num("i_max"));
    if (type.startsWith("float")) return inRange(pyFloat(value), num("f_min"), num("f_max"));
    if (type.startsWith("bool")) return pyBool(value);
    if (type.startsWith("email")) {
      if (typeof value !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
        throw new SupervisorInvalid("expected an email address");
      return value;
    }
    if (type.startsWith("url")) {
      if (typeof value !== "string" || !/^[a-z][a-z0-9+.-]*:\/\/[^\s/]+/i.test(value))
        throw new SupervisorInvalid("expected a URL");
      return value;
    }
    if (type.startsWith("port")) return inRange(pyInt(value), 1, 65535, true);
    if (type.startsWith("match")) {
      const text = pyStr(value);
      if (!pyMatch(g.match ?? "", text))
        throw new SupervisorInvalid(`does not match regular expression ${g.match}`);
      return text;
    }
    if (type.startsWith("list")) {
      const choices = (g.list ?? "").split("|");
      const text = pyStr(value);
      if (!choices.includes(text))
        throw new SupervisorInvalid(`value must be one of ${pyRepr(pySorted([...new Set(choices)]))}`);
      return text;
    }
    // device
    if (typeof value !== "string")
      throw new SupervisorInvalid(`Expected a string for option '${key}' ${this.where}`);
    if (!this.context.devices?.includes(value))
      throw new SupervisorInvalid(`Device '${value}' does not exist ${this.where}`);
    return value;
  }
}

/** humanize_error: the line the Supervisor logs and the configuration page shows. The error is
 * raised with an empty path, so "Got" repeats the whole options, cut at 500 characters. */
export function humanize(options: unknown, error: SupervisorInvalid): string {
  let got = pyRepr(options);
  if (got.length > 500) got = `${got.slice(0, 497)}...`;
  return `${error.message}. Got ${got}`;
}

/** supervisor/apps/validate.py SCHEMA_ELEMENT: what config.yaml's `schema` may contain at all
 * (checked when the store reads the add-on). Returns the paths that break it. */
export function schemaDefinitionProblems(schema: unknown, path = "schema"): string[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    return [`${path}: expected dict`];
  return Object.entries(schema as Record<string, unknown>).flatMap(([key, child]) =>
    elementProblems(child, `${path}.${key}`, false),
  );
}

function elementProblems(node: unknown, path: string, inList: boolean): string[] {
  if (typeof node === "string")
    return SCHEMA_ELEMENT.test(node) ? [] : [`${path}: '${node}' is not an option type`];
  if (Array.isArray(node)) {
    if (inList) return [`${path}: a list may not directly contain another list`];
    return node.flatMap((item, i) => elementProblems(item, `${path}[${i}]`, true));
  }
  if (node !== null && typeof node === "object") return schemaDefinitionProblems(node, path);
  return [`${path}: ${pyRepr(node)} is not an option type`];
}
