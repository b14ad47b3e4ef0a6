// What the add-on's configuration page needs beyond the zod types, kept on the schema itself (zod's
// `.meta()`), so that src/config/schema.ts is the one place an option is written down:
// addon/config.yaml's options and schema and translations/en.yaml are generated from it
// (addon-files.ts, `npm run gen:addon`). Put `.meta()` before `.optional()`/`.default()`.
import { z } from "zod";

/** A label of the configuration page: translations/en.yaml's `name` and `description`. */
export interface OptionLabel {
  title: string;
  description: string;
}

declare module "zod" {
  interface GlobalMeta {
    /** The Supervisor type where the zod type alone does not say it: "password", "port",
     * "device(subsystem=tty)". */
    haType?: "password" | "port" | "device(subsystem=tty)";
    /** Number choices shown as a dropdown (see numberChoice). */
    choices?: readonly number[];
    /** A record's keys: the Supervisor drops keys its schema does not name, so every key a
     * record may hold is listed, each optional. */
    haKeys?: Readonly<Record<string, OptionLabel>>;
    /** Left empty, the add-on looks it up in Home Assistant at start (src/setup): optional to the
     * Supervisor, so that it starts the add-on, and required by zod once detection has run. */
    detectedAtStart?: true;
    /** The add-on's default for an optional section: the Supervisor cannot leave a section out. */
    addonDefault?: Readonly<Record<string, unknown>>;
  }
}

/** One of a few numbers. The Supervisor's dropdown (`list(5|15|30)`) hands the choice over as a
 * string, so "30" is read as 30; anything else is refused with the choices. */
export function numberChoice<const T extends readonly [number, ...number[]]>(values: T) {
  const strings = values.map(String) as [string, ...string[]];
  const schema = z
    .union([z.literal(values), z.literal(strings).transform(Number)], {
      error: `must be one of ${values.join(", ")}`,
    })
    .meta({ choices: values }) as unknown as z.ZodType<T[number], T[number] | `${T[number]}`>;
  return schema;
}

export const ENTITY_ID = /^[a-z_]+\.[a-z0-9_]+$/;
export const entityId = z.string().regex(ENTITY_ID, "must be an entity id like sensor.battery_soc");
export const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM");
