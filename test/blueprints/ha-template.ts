// Home Assistant templates, rendered by real Jinja2 (test/blueprints/ha_jinja.py) the way
// homeassistant/helpers/template.py renders them: a string is a template only when it holds
// `{{`, `{%` or `{#`; render_complex walks lists and maps; the rendered text is parsed into a
// native value (numbers, booleans, None, lists) unless asked not to. One Python process serves
// every render of a test file, one JSON line each way.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const RENDERER = fileURLToPath(new URL("./ha_jinja.py", import.meta.url));

export interface HaState {
  state: string;
  attributes: Record<string, unknown>;
}

export type StateMachine = ReadonlyMap<string, HaState>;

/** A template failed to render (HA logs it and stops that automation run). */
export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(
    readonly template: string,
    detail: string,
  ) {
    super(`${detail} (in ${JSON.stringify(template.slice(0, 120))})`);
  }
}

interface Answer {
  ok: boolean;
  result?: unknown;
  text?: string;
  error?: string;
}

let renderer: { child: ChildProcessWithoutNullStreams; waiting: ((answer: Answer) => void)[] } | undefined;

/** The PATH's python3 when it has Jinja2 (a pyenv one may), else Debian's, where test/prereqs.sh
 * installs python3-jinja2. */
function pythonWithJinja(): string {
  for (const python of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(python, ["-c", "import jinja2"]).status === 0) return python;
  }
  throw new Error("no python3 with Jinja2: run `bash test/prereqs.sh` (installs python3-jinja2)");
}

function jinja(): NonNullable<typeof renderer> {
  if (renderer) return renderer;
  // timestamp_custom shows local time: the tests read it in UTC.
  const child = spawn(pythonWithJinja(), [RENDERER], { env: { ...process.env, TZ: "UTC" } });
  const waiting: ((answer: Answer) => void)[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += String(chunk);
  });
  createInterface({ input: child.stdout }).on("line", (line) =>
    waiting.shift()?.(JSON.parse(line) as Answer),
  );
  child.on("exit", (code) => {
    renderer = undefined;
    for (const resolve of waiting.splice(0))
      resolve({ ok: false, error: `the Jinja2 renderer exited (${code}): ${stderr.trim()}` });
  });
  // The renderer must not keep the test process alive.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr])
    (stream as unknown as { unref?: () => void }).unref?.();
  renderer = { child, waiting };
  return renderer;
}

/** A state object as the renderer revives it into what `trigger.to_state` is in HA. */
export function stateObject(entityId: string, state: HaState | undefined): Record<string, unknown> | null {
  return state ? { __state__: entityId, state: state.state, attributes: state.attributes } : null;
}

export function isTemplate(value: unknown): value is string {
  return typeof value === "string" && /\{\{|\{%|\{#/.test(value);
}

export async function renderTemplate(
  template: string,
  variables: Record<string, unknown>,
  states: StateMachine,
  parse = true,
): Promise<unknown> {
  const { child, waiting } = jinja();
  const answer = await new Promise<Answer>((resolve) => {
    waiting.push(resolve);
    child.stdin.write(
      `${JSON.stringify({ template, variables, states: Object.fromEntries(states), parse })}\n`,
    );
  });
  if (!answer.ok) throw new TemplateError(template, answer.error ?? "unknown error");
  return parse ? answer.result : answer.text;
}

/** helpers/template.py render_complex: templates inside lists and maps, the rest as it is. */
export async function renderComplex(
  value: unknown,
  variables: Record<string, unknown>,
  states: StateMachine,
): Promise<unknown> {
  if (isTemplate(value)) return renderTemplate(value, variables, states);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await renderComplex(item, variables, states));
    return out;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderComplex(v, variables, states);
    return out;
  }
  return value;
}
