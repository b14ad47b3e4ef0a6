// What detection says to a person: one line per finding, the hints, and the options to paste into
// the add-on's Configuration tab (⋮ → Edit in YAML) so the detected values are pinned.
import { stringify } from "yaml";
import type { Detection } from "./detect.js";

export interface SetupReport {
  lines: string[];
  /** The whole options document with detected values in, ready to paste. */
  yaml: string;
  /** Options still missing after detection, as the add-on's configuration page names them. */
  missing: string[];
  filled: string[];
}

export function setupReport(
  detection: Detection,
  completed: Record<string, unknown>,
  filled: readonly string[],
  missing: readonly string[],
): SetupReport {
  // A finding for options the user had already set is said as such: theirs stays in force.
  const taken = (option: string) =>
    filled.some((f) => f === option || f.startsWith(`${option}.`) || option.startsWith(`${f}.`));
  const lines = detection.findings.map((f) => {
    const kept = f.options.some(taken) ? "" : " (already set, kept)";
    return `found ${f.what}: ${f.entities.join(", ")} → ${f.options.join(", ")}${kept}`;
  });
  if (detection.findings.length === 0) lines.push("found none of the integrations the add-on knows");
  lines.push(...detection.hints);
  if (filled.length > 0)
    lines.push(`using detected values for ${filled.join(", ")} (paste the options below to keep them)`);
  if (missing.length > 0) lines.push(`still to set: ${missing.join(", ")}`);
  return { lines, yaml: stringify(redact(completed)), missing: [...missing], filled: [...filled] };
}

/** The MQTT password is the user's own, but logs end up in bug reports. */
function redact(options: Record<string, unknown>): Record<string, unknown> {
  const mqtt = options.mqtt;
  if (typeof mqtt !== "object" || mqtt === null || !("password" in mqtt)) return options;
  return { ...options, mqtt: { ...mqtt, password: "<your MQTT password>" } };
}
