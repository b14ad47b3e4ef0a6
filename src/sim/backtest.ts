// One backtest day: the costs of the baselines and of the closed loop on a scenario with actuals.
import { optimise } from "../core/optimiser.js";
import { idleCost } from "../core/physics.js";
import { parseScenario, scenarioToProblem } from "../scenario/index.js";
import { type ClosedLoopOptions, runClosedLoop, type SlotActual, withActuals } from "./closed-loop.js";

export interface BacktestDay {
  name: string;
  idle: number;
  selfUse: number;
  naive: number;
  loop: number;
  perfect: number;
}

export function scenarioActuals(raw: unknown): {
  problem: ReturnType<typeof scenarioToProblem>;
  actuals: SlotActual[];
  name: string;
} {
  const scenario = parseScenario(raw);
  const actuals = scenario.slots.map((s) => ({
    loadKwh: s.actualLoadKwh ?? s.loadKwh,
    pvKwh: s.actualPvKwh ?? s.pvKwh,
  }));
  return { problem: scenarioToProblem(scenario), actuals, name: scenario.name };
}

export function backtestDay(raw: unknown, loopOptions: ClosedLoopOptions = {}): BacktestDay {
  const { problem, actuals, name } = scenarioActuals(raw);
  const truth = withActuals(problem, actuals);
  return {
    name,
    idle: idleCost(truth),
    selfUse: runClosedLoop(problem, actuals, { selfUseOnly: true }).netCost,
    naive: runClosedLoop(problem, actuals, { correctForecasts: false }).netCost,
    loop: runClosedLoop(problem, actuals, loopOptions).netCost,
    perfect: optimise(truth).summary.netCost,
  };
}
