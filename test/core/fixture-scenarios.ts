// The scenario files bundled in the repository, as planning problems.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanProblem } from "../../src/core/types.js";
import { scenarioToProblem } from "../../src/scenario/convert.js";
import { parseScenario, type Scenario } from "../../src/scenario/schema.js";

export const SCENARIO_DIR = join(import.meta.dirname, "..", "fixtures", "scenarios");

export function fixtureScenarios(): { name: string; scenario: Scenario; problem: PlanProblem }[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const scenario = parseScenario(JSON.parse(readFileSync(join(SCENARIO_DIR, f), "utf8")));
      return { name: scenario.name, scenario, problem: scenarioToProblem(scenario) };
    });
}
