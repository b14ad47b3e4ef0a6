// The shape of an HA-service control profile. A profile is data (profiles/*.ts): for each of the
// four modes, the entity states to reach, in order, and how to reach them (the domain's usual
// service, or an integration's own service). Validated when loaded, so a step naming a role the
// profile does not declare, or a select option the integration does not offer, fails at start-up.
import { z } from "zod";
import { MODES } from "../../core/types.js";

/** Numbers a step can take from the command and the options. */
export const valueSources = ["powerW", "targetSocPct", "reservePct", "maxChargeW", "maxDischargeW"] as const;
export type ValueSource = (typeof valueSources)[number];

/** A value: a literal (strings may hold {name} placeholders, filled from the numbers above and the
 * profile's/user's `values`), or a number derived from a source. */
export const valueSpecSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.object({
    from: z.enum(valueSources),
    factor: z.number().default(1),
    offset: z.number().default(0),
    /** Clamp after factor/offset (the integration's own bounds). */
    min: z.number().optional(),
    max: z.number().optional(),
    /** Decimal places kept. */
    digits: z.number().int().min(0).max(6).default(0),
  }),
]);
export type ValueSpec = z.infer<typeof valueSpecSchema>;

export const roleDomains = [
  "select",
  "input_select",
  "number",
  "input_number",
  "switch",
  "input_boolean",
  "button",
  "input_button",
  "sensor",
] as const;

export const roleSchema = z.object({
  domain: z.enum(roleDomains),
  /** Entity id used when the user maps nothing; {prefix} is control.entity_prefix or the
   * profile's prefix. Missing: the user must map it. */
  defaultEntity: z.string().optional(),
  description: z.string().min(1),
  /** Skipped when the entity does not exist (not every model has it). */
  optional: z.boolean().default(false),
  /** The integration's options (selects) — checked against the steps. */
  options: z.array(z.string()).optional(),
  /** The integration's bounds (numbers), for documentation and the simulator. */
  min: z.number().optional(),
  max: z.number().optional(),
  unit: z.string().optional(),
});
export type Role = z.infer<typeof roleSchema>;

export const stepSchema = z
  .object({
    role: z.string().min(1),
    /** The state the entity must show afterwards (switch: true/false). Absent for presses. */
    value: valueSpecSchema.optional(),
    /** The call that gets it there, when the domain's usual one (select_option, set_value,
     * turn_on/off, press) is not it. `data` values are value specs too. */
    call: z
      .object({
        service: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, "must be domain.service"),
        data: z.record(z.string(), valueSpecSchema).default({}),
        /** Send the role's entity as the target (most services) or not (device services). */
        targetEntity: z.boolean().default(true),
      })
      .optional(),
    /** Buttons: pressed after the other writes, when something changed or every time. */
    press: z.enum(["on_change", "always"]).optional(),
    /** Numbers: how far off still counts as reached. */
    tolerance: z.number().min(0).optional(),
  })
  .refine((s) => (s.value === undefined) !== (s.press === undefined), {
    message: "a step has either a value (a state to reach) or press (a button)",
  });
export type Step = z.infer<typeof stepSchema>;

export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]+$/),
    title: z.string().min(1),
    /** The HA integration and where its entities/services are documented. */
    integration: z.string().min(1),
    source: z.string().url(),
    /** Default for {prefix} in entity ids. */
    prefix: z.string().default(""),
    /** Set when no default prefix can work (GivTCP names its entities after the inverter's
     * serial): what control.entity_prefix looks like. The options are then refused without it. */
    prefixNeeded: z.string().min(1).optional(),
    /** Defaults for {name} placeholders; the user's control.values override them. */
    values: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
    /** What each {name} placeholder the profile uses means: the add-on's option labels. */
    valueDescriptions: z.record(z.string(), z.string().min(1)).default({}),
    roles: z.record(z.string(), roleSchema),
    modes: z.object(
      Object.fromEntries(MODES.map((m) => [m, z.array(stepSchema).min(1)])) as {
        [K in (typeof MODES)[number]]: z.ZodArray<typeof stepSchema>;
      },
    ),
    /** How long the integration takes before its entity shows a write (its poll interval). */
    settleMs: z.number().int().min(0).max(60_000).default(1_000),
    notes: z.array(z.string()).default([]),
  })
  .superRefine((profile, ctx) => {
    for (const name of new Set([...placeholdersOf(profile.modes), ...Object.keys(profile.values)])) {
      if (!(name in profile.valueDescriptions)) {
        ctx.addIssue({
          code: "custom",
          path: ["valueDescriptions", name],
          message: `placeholder {${name}} needs a description (it becomes control.values.${name})`,
        });
      }
    }
    for (const mode of MODES) {
      profile.modes[mode].forEach((step, index) => {
        const role = profile.roles[step.role];
        const path = ["modes", mode, index];
        if (!role) {
          ctx.addIssue({ code: "custom", path, message: `step uses undeclared role '${step.role}'` });
          return;
        }
        if (role.domain === "sensor" && !step.call) {
          ctx.addIssue({ code: "custom", path, message: `sensor role '${step.role}' needs a call` });
        }
        const literal = typeof step.value === "string" && !step.value.includes("{") ? step.value : undefined;
        if (literal !== undefined && role.options && !role.options.includes(literal)) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `'${literal}' is not an option of ${step.role} (${role.options.join(", ")})`,
          });
        }
      });
    }
  });

/** The {name} placeholders of a profile's steps that the user's control.values can fill: every one
 * but the numbers taken from the command and the options. */
export function placeholdersOf(modes: Record<string, readonly z.input<typeof stepSchema>[]>): string[] {
  const found = new Set<string>();
  const scan = (spec: unknown) => {
    if (typeof spec !== "string") return;
    for (const match of spec.matchAll(/\{([a-zA-Z_]+)\}/g)) found.add(match[1]!);
  };
  for (const steps of Object.values(modes)) {
    for (const step of steps) {
      scan(step.value);
      for (const value of Object.values(step.call?.data ?? {})) scan(value);
    }
  }
  for (const source of valueSources) found.delete(source);
  return [...found].sort();
}

export type HaServiceProfile = z.infer<typeof profileSchema>;
export type HaServiceProfileInput = z.input<typeof profileSchema>;

/** Validates a profile when its module loads, so a broken profile stops the add-on at start-up
 * with its name and every problem, not halfway through a write. */
export function defineProfile(input: HaServiceProfileInput): HaServiceProfile {
  const parsed = profileSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  throw new Error(`HA service profile '${input.name}' is invalid: ${problems}`);
}
