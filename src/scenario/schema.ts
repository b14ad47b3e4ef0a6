// The scenario file format `battery-planner-scenario/1` (docs/scenario-format.md) as a zod schema, and
// the parser that turns any problem into one line naming the field and what is wrong.
import { z } from "zod";
import { InputError } from "../errors.js";

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const nonNegative = finite.refine((v) => v >= 0, "must not be negative");
const positive = finite.refine((v) => v > 0, "must be greater than 0");
const efficiency = finite.refine((v) => v > 0 && v <= 1, "must be in (0, 1]");

export const scenarioSlotSchema = z.object({
  importPrice: finite,
  exportPrice: finite,
  loadKwh: nonNegative,
  pvKwh: nonNegative,
  actualLoadKwh: nonNegative.optional(),
  actualPvKwh: nonNegative.optional(),
  pvP10Kwh: nonNegative.optional(),
  pvP90Kwh: nonNegative.optional(),
});

export const batterySchema = z
  .object({
    capacityKwh: positive,
    minSocKwh: nonNegative,
    initialSocKwh: nonNegative,
    maxChargeKw: nonNegative,
    maxDischargeKw: nonNegative,
    chargeEfficiency: efficiency,
    dischargeEfficiency: efficiency,
    cycleCostPerKwh: nonNegative.default(0),
  })
  .superRefine((b, ctx) => {
    if (b.minSocKwh > b.capacityKwh) {
      ctx.addIssue({
        code: "custom",
        path: ["minSocKwh"],
        message: `${b.minSocKwh} is above capacityKwh ${b.capacityKwh}`,
      });
    }
    if (b.initialSocKwh > b.capacityKwh) {
      ctx.addIssue({
        code: "custom",
        path: ["initialSocKwh"],
        message: `${b.initialSocKwh} is above capacityKwh ${b.capacityKwh}`,
      });
    }
  });

export const scenarioSchema = z
  .object({
    format: z.literal("battery-planner-scenario/1"),
    name: z.string().min(1),
    timezone: z.string().refine(isValidZone, "is not a known IANA time zone"),
    start: z.iso.datetime({ offset: true }),
    slotMinutes: finite.refine(
      (v) => Number.isInteger(v) && v > 0 && v <= 1440,
      "must be a whole number of minutes",
    ),
    battery: batterySchema,
    grid: z.object({ maxImportKw: nonNegative, maxExportKw: nonNegative }),
    terminalValuePerKwh: finite.default(0),
    slots: z.array(scenarioSlotSchema).min(1, "must hold at least one slot"),
  })
  .superRefine((s, ctx) => {
    const maxSlots = (72 * 60) / s.slotMinutes;
    if (s.slots.length > maxSlots) {
      ctx.addIssue({
        code: "custom",
        path: ["slots"],
        message: `has ${s.slots.length} slots of ${s.slotMinutes} min, more than the 72-hour horizon allows (${Math.floor(maxSlots)})`,
      });
    }
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioSlot = z.infer<typeof scenarioSlotSchema>;

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const ARTICLE: Record<string, string> = { number: "a ", string: "a ", object: "an ", array: "an " };

function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "scenario";
}

/** Validates a parsed JSON value; throws InputError with one line naming the field. */
export function parseScenario(json: unknown, source = "scenario"): Scenario {
  const result = scenarioSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let message = issue.message;
  if (issue.code === "invalid_type") {
    const missing = issue.message.includes("received undefined");
    message = missing ? "is missing" : `must be ${ARTICLE[issue.expected] ?? ""}${issue.expected}`;
  }
  throw new InputError(source, `${fieldPath(issue.path)} ${message}`.replace(/\n/g, " "));
}
