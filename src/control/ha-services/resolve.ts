// Turns a profile's steps for one command into concrete writes: entity ids from the user's
// mapping (or the profile's defaults with the prefix filled in), values from the command, the
// battery's limits and the user's values. Pure.
import type { Command, Mode } from "../../core/types.js";
import type { HaServiceProfile, Role, Step, ValueSource, ValueSpec } from "./profile-schema.js";

export interface ProfileBinding {
  profile: HaServiceProfile;
  /** control.entities: role → entity id. */
  entities: Readonly<Record<string, string>>;
  /** control.entity_prefix; default: the profile's prefix. */
  prefix?: string;
  /** control.values, over the profile's values. */
  values: Readonly<Record<string, string | number>>;
}

export interface Limits {
  maxChargeW: number;
  maxDischargeW: number;
  reservePct: number;
}

export type Desired = string | number | boolean;

export interface ResolvedStep {
  role: string;
  entityId: string;
  domain: Role["domain"];
  optional: boolean;
  /** Undefined for presses. */
  desired?: Desired;
  tolerance: number;
  press?: "on_change" | "always";
  call: { domain: string; service: string; data: Record<string, unknown>; targetEntity: boolean };
}

export class ProfileBindingError extends Error {
  constructor(
    readonly missing: string[],
    message: string,
  ) {
    super(message);
  }
}

const NUMERIC = new Set(["number", "input_number"]);
const SWITCHES = new Set(["switch", "input_boolean"]);

export function entityIdFor(binding: ProfileBinding, role: string): string | undefined {
  const mapped = binding.entities[role];
  if (mapped) return mapped;
  const template = binding.profile.roles[role]?.defaultEntity;
  if (!template) return undefined;
  const prefix = binding.prefix ?? binding.profile.prefix;
  return template
    .replace("{prefix}", prefix)
    .replace(/\.(_)+/, ".")
    .replace(/__+/g, "_");
}

/** Every entity the binding names (mapped or from the profile's defaults): what the controller
 * reads, writes and reads back, and so what it adds to the entity cache. */
export function boundEntityIds(binding: ProfileBinding): string[] {
  const ids = Object.keys(binding.profile.roles).map((role) => entityIdFor(binding, role));
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/** Roles without an entity, and placeholders without a value: what keeps the profile from working. */
export function missingSettings(binding: ProfileBinding): string[] {
  const missing: string[] = [];
  for (const [name, role] of Object.entries(binding.profile.roles)) {
    if (!role.optional && !entityIdFor(binding, name)) missing.push(`control.entities.${name}`);
  }
  const values = { ...binding.profile.values, ...binding.values };
  const known = new Set<string>([
    ...Object.keys(values),
    "powerW",
    "targetSocPct",
    "reservePct",
    "maxChargeW",
    "maxDischargeW",
  ]);
  const scan = (spec: ValueSpec | undefined) => {
    if (typeof spec !== "string") return;
    for (const match of spec.matchAll(/\{([a-zA-Z_]+)\}/g)) {
      if (!known.has(match[1]!)) missing.push(`control.values.${match[1]}`);
    }
  };
  for (const steps of Object.values(binding.profile.modes)) {
    for (const step of steps) {
      scan(step.value);
      for (const v of Object.values(step.call?.data ?? {})) scan(v);
    }
  }
  return [...new Set(missing)];
}

export function commandNumbers(command: Command, limits: Limits): Record<ValueSource, number> {
  const defaultPower = command.mode === "export" ? limits.maxDischargeW : limits.maxChargeW;
  const defaultTarget = command.mode === "charge" ? 100 : limits.reservePct;
  return {
    powerW: Math.round(Math.abs(command.powerW ?? defaultPower)),
    targetSocPct: Math.round(Math.min(100, Math.max(0, command.targetSocPct ?? defaultTarget))),
    reservePct: Math.round(limits.reservePct),
    maxChargeW: Math.round(limits.maxChargeW),
    maxDischargeW: Math.round(limits.maxDischargeW),
  };
}

function evaluate(spec: ValueSpec, vars: Record<string, string | number>): Desired {
  if (typeof spec === "number" || typeof spec === "boolean") return spec;
  if (typeof spec === "string") {
    const whole = /^\{([a-zA-Z_]+)\}$/.exec(spec);
    if (whole && vars[whole[1]!] !== undefined) return vars[whole[1]!]!;
    return spec.replace(/\{([a-zA-Z_]+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
  }
  let value = Number(vars[spec.from]) * spec.factor + spec.offset;
  if (spec.min !== undefined) value = Math.max(spec.min, value);
  if (spec.max !== undefined) value = Math.min(spec.max, value);
  const f = 10 ** spec.digits;
  return Math.round(value * f) / f;
}

function defaultCall(domain: Role["domain"], desired: Desired | undefined): ResolvedStep["call"] {
  switch (domain) {
    case "select":
    case "input_select":
      return { domain, service: "select_option", data: { option: String(desired) }, targetEntity: true };
    case "number":
    case "input_number":
      return { domain, service: "set_value", data: { value: desired }, targetEntity: true };
    case "switch":
    case "input_boolean":
      return { domain, service: desired ? "turn_on" : "turn_off", data: {}, targetEntity: true };
    case "button":
    case "input_button":
      return { domain, service: "press", data: {}, targetEntity: true };
    case "sensor":
      throw new Error("a sensor step needs an explicit call");
  }
}

function toDesired(domain: Role["domain"], value: Desired): Desired {
  if (NUMERIC.has(domain)) return typeof value === "number" ? value : Number(value);
  if (SWITCHES.has(domain)) return value === true || value === "on" || value === "true";
  return typeof value === "string" ? value : String(value);
}

function resolveStep(
  binding: ProfileBinding,
  step: Step,
  vars: Record<string, string | number>,
): ResolvedStep | undefined {
  const role = binding.profile.roles[step.role]!;
  const entityId = entityIdFor(binding, step.role);
  if (!entityId) {
    if (role.optional) return undefined;
    throw new ProfileBindingError([`control.entities.${step.role}`], `no entity for role '${step.role}'`);
  }
  const desired = step.value === undefined ? undefined : toDesired(role.domain, evaluate(step.value, vars));
  let call: ResolvedStep["call"];
  if (step.call) {
    const [domain, service] = step.call.service.split(".") as [string, string];
    const data = Object.fromEntries(Object.entries(step.call.data).map(([k, v]) => [k, evaluate(v, vars)]));
    call = { domain, service, data, targetEntity: step.call.targetEntity };
  } else {
    call = defaultCall(role.domain, desired);
  }
  return {
    role: step.role,
    entityId,
    domain: role.domain,
    optional: role.optional,
    ...(desired === undefined ? {} : { desired }),
    tolerance: step.tolerance ?? 0,
    ...(step.press ? { press: step.press } : {}),
    call,
  };
}

/** The writes that put the inverter into the command's mode, in the profile's order. */
export function resolveSteps(binding: ProfileBinding, command: Command, limits: Limits): ResolvedStep[] {
  const vars: Record<string, string | number> = {
    ...binding.profile.values,
    ...binding.values,
    ...commandNumbers(command, limits),
  };
  const steps: readonly Step[] = binding.profile.modes[command.mode as Mode];
  return steps.map((s) => resolveStep(binding, s, vars)).filter((s): s is ResolvedStep => s !== undefined);
}
