// Start-up options with auto-detection: options the user left empty are looked up in Home
// Assistant before the options are validated. A home whose integrations say everything but the
// battery's size and power limits starts planning with nothing else typed; what was detected is
// logged with the options to paste, so the user can pin (or correct) it.

import { toConfigError } from "../config/load.js";
import { type Config, configSchema } from "../config/schema.js";
import type { ConfigError } from "../errors.js";
import type { HaClient } from "../ha/client.js";
import { completeOptions } from "./complete.js";
import { discoverSetup } from "./discover.js";
import { type SetupReport, setupReport } from "./render.js";

export type StartupOptions =
  | { ok: true; config: Config; report?: SetupReport }
  | { ok: false; error: ConfigError; report?: SetupReport };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isUnset = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);

/** Whether any option detection can fill is still empty (so a fully set-up home skips it). */
export function wantsDetection(raw: unknown): boolean {
  const o = isObject(raw) ? raw : {};
  const section = (name: string) => (isObject(o[name]) ? (o[name] as Record<string, unknown>) : {});
  const tariff = section("import_tariff");
  const solar = section("solar");
  const control = section("control");
  return (
    isUnset(section("battery").soc_entity) ||
    (isUnset(tariff.entities) &&
      ["octopus", "nordpool", "amber", undefined, null].includes(tariff.source as string)) ||
    ((isUnset(solar.source) || solar.source === "none") && isUnset(solar.entities)) ||
    isUnset(section("load").consumption_entity) ||
    // The profile matters only to HA-service control; a Modbus or dry-run home has nothing to find.
    (control.method === "ha_services" &&
      (isUnset(control.profile) || control.profile === "generic") &&
      isUnset(control.entities))
  );
}

/**
 * Validates the options, filling empty ones from Home Assistant first when any is empty.
 * `connect` is called only then; its client is the caller's to close.
 */
export async function resolveStartupOptions(
  raw: unknown,
  connect: () => Promise<Pick<HaClient, "sendMessage" | "subscribeEntities">>,
): Promise<StartupOptions> {
  if (!wantsDetection(raw)) return validate(raw);
  let client: Pick<HaClient, "sendMessage" | "subscribeEntities">;
  try {
    client = await connect();
  } catch {
    // Without Home Assistant nothing can be detected; the options decide alone (and the add-on
    // will report the unreachable HA itself).
    return validate(raw);
  }
  const discovery = await discoverSetup(client);
  const { options, filled } = completeOptions(raw, discovery.detection.options);
  const result = validate(options);
  const missing = result.ok ? [] : missingOptions(options);
  const report = setupReport(discovery.detection, options, filled, missing);
  if (discovery.failure) report.lines.unshift(discovery.failure);
  return { ...result, report };
}

function validate(raw: unknown): StartupOptions {
  const parsed = configSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, config: parsed.data }
    : { ok: false, error: toConfigError(parsed.error) };
}

/** Every option the schema still misses (not just the first), as dotted paths. */
function missingOptions(options: unknown): string[] {
  const parsed = configSchema.safeParse(options);
  if (parsed.success) return [];
  return [
    ...new Set(parsed.error.issues.map((i) => (i.path.length > 0 ? i.path.map(String).join(".") : "(root)"))),
  ];
}
