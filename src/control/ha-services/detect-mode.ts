// Which mode the inverter is in, told from the settings that do not depend on power or target
// (a select's option, a switch, a fixed number); a state with the command's numbers in it (Huawei's
// "Charging at 3000W until 80%") is matched as a pattern. Ambiguous or unknown: undefined.
import { MODES, type Mode } from "../../core/types.js";
import type { HaEntityState } from "../../ha/client.js";
import { effectiveDesired, matches } from "./entity-match.js";
import { type Limits, type ProfileBinding, resolveSteps } from "./resolve.js";

const COMMAND_NUMBERS = /\{(powerW|targetSocPct)\}/;

function pattern(template: string): RegExp {
  const parts = template.split(COMMAND_NUMBERS);
  const escaped = parts.map((part, i) =>
    i % 2 === 1 ? "-?[\\d.]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
  );
  return new RegExp(`^${escaped.join("")}$`, "i");
}

export function detectMode(
  binding: ProfileBinding,
  limits: Limits,
  states: ReadonlyMap<string, HaEntityState>,
): Mode | undefined {
  const reading = readMode(binding, limits, states);
  return "mode" in reading ? reading.mode : undefined;
}

/** The mode, or `unrecognised` when settings were compared and every mode's contradicted them
 * (a tie or nothing to compare says nothing: `{}`). */
export function readMode(
  binding: ProfileBinding,
  limits: Limits,
  states: ReadonlyMap<string, HaEntityState>,
): { mode: Mode } | { unrecognised: true } | Record<string, never> {
  let best: { mode: Mode; score: number } | undefined;
  let tie = false;
  let contradicted = 0;
  for (const mode of MODES) {
    const specs = binding.profile.modes[mode];
    let score = 0;
    let fits = true;
    for (const step of resolveSteps(binding, { mode }, limits)) {
      const spec = specs.find((s) => s.role === step.role)?.value;
      if (step.desired === undefined || spec === undefined || typeof spec === "object") continue;
      const state = states.get(step.entityId);
      if (!state) continue;
      const ok =
        typeof spec === "string" && COMMAND_NUMBERS.test(spec)
          ? pattern(spec).test(state.state.trim())
          : matches(effectiveDesired(step, state), step.tolerance, state);
      if (!ok) {
        fits = false;
        contradicted++;
        break;
      }
      score += 1;
    }
    if (!fits || score === 0) continue;
    if (!best || score > best.score) {
      best = { mode, score };
      tie = false;
    } else if (score === best.score) {
      tie = true;
    }
  }
  if (best) return tie ? {} : { mode: best.mode };
  return contradicted === MODES.length ? { unrecognised: true } : {};
}
