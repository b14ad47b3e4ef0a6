// The package's main entry: the planner as a library.
export {
  commandFor,
  describeFlow,
  executeMode,
  type ModeCommand,
  type ModeOutcome,
  modeFlows,
} from "./core/modes.js";
export { optimise } from "./core/optimiser.js";
export {
  idleCost,
  type SettleSlot,
  type SlotFlows,
  settleSlot,
  slotCost,
  slotHours,
} from "./core/physics.js";
export * from "./core/types.js";
export { BatteryPlannerError, ConfigError, ControlError, InputError } from "./errors.js";
export {
  parseScenario,
  planScenario,
  planToScenarioPlan,
  type Scenario,
  type ScenarioPlan,
  type ScenarioPlanSlot,
  type ScenarioSlot,
  scenarioSchema,
  scenarioToProblem,
} from "./scenario/index.js";
