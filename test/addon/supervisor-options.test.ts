// The port of the Supervisor's option validation answers as the Supervisor itself did: every case
// in supervisor-answers.json was run through supervisor/apps/options.py (supervisor-reference/).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AddonOptionsValidator, humanize, SupervisorInvalid } from "./supervisor-options.js";
import type { SupervisorCase } from "./supervisor-reference/cases.js";

type Answer = { ok: unknown } | { error: string; humanized: string };
const recorded = JSON.parse(
  readFileSync(new URL("./supervisor-answers.json", import.meta.url), "utf8"),
) as (SupervisorCase & { answer: Answer })[];

const ADDON = { name: "Battery Planner", slug: "battery_planner" };

function portAnswer(c: SupervisorCase): Answer {
  const validator = new AddonOptionsValidator(c.schema, ADDON, c.secrets ? { secrets: c.secrets } : {});
  try {
    return { ok: validator.validate(c.options) };
  } catch (error) {
    if (!(error instanceof SupervisorInvalid)) throw error;
    return { error: error.message, humanized: humanize(c.options, error) };
  }
}

describe("the Supervisor's option validation, ported", () => {
  it("has the recorded answers to check against", () => {
    expect(recorded.length).toBeGreaterThan(150);
  });

  it.each(recorded.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(portAnswer(c)).toEqual(c.answer);
  });
});
