export {
  planScenario,
  planToScenarioPlan,
  type ScenarioPlan,
  type ScenarioPlanSlot,
  scenarioToProblem,
} from "./convert.js";
export { parseScenario, type Scenario, type ScenarioSlot, scenarioSchema } from "./schema.js";
