// `battery-planner simulate FILE [--format table|json] [--no-correction]`: the runtime in a closed
// loop against a simulated battery, on a scenario whose slots may carry actualLoadKwh/actualPvKwh.
// It replans every slot from the forecasts (corrected by the actuals already seen), executes in
// inverter modes against the actuals, and reports the realised flows and netCost, beside the
// battery left idle and the perfect-foresight optimum.
import { optimise } from "../core/optimiser.js";
import { idleCost } from "../core/physics.js";
import type { Plan } from "../core/types.js";
import { ConfigError, errorMessage } from "../errors.js";
import { setLogLevel } from "../log.js";
import { setDurableWrites } from "../runtime/atomic-file.js";
import { planToScenarioPlan, scenarioToProblem } from "../scenario/convert.js";
import { readScenarioFile } from "../scenario/read-file.js";
import type { Scenario } from "../scenario/schema.js";
import { type ClosedLoopResult, runClosedLoop, withActuals } from "../sim/closed-loop.js";
import { simulateScenario } from "../sim/simulate.js";
import { type CliIo, processIo } from "./io.js";
import { formatPlanTable } from "./plan.js";

const USAGE = "usage: battery-planner simulate FILE [--format table|json] [--no-correction]";

interface SimulateArgs {
  file: string;
  format: "table" | "json";
  correct: boolean;
}

function parseArgs(args: readonly string[]): SimulateArgs | string {
  let file: string | undefined;
  let format = "table";
  let correct = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--format") format = args[++i] ?? "";
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
    else if (arg === "--no-correction") correct = false;
    else if (arg.startsWith("-")) return `unknown option '${arg}'`;
    else if (file === undefined) file = arg;
    else return `unexpected argument '${arg}'`;
  }
  if (file === undefined) return "missing FILE";
  if (format !== "table" && format !== "json") return `--format must be table or json, not '${format}'`;
  return { file, format, correct };
}

export async function run(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.stderr(`battery-planner simulate: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  let scenario: Scenario;
  try {
    scenario = await readScenarioFile(parsed.file);
  } catch (error) {
    io.stderr(`battery-planner simulate: ${errorMessage(error).split("\n")[0]}\n`);
    return 2;
  }
  // A plan per simulated slot goes to a throw-away directory: no need to fsync each one.
  setDurableWrites(false);
  setLogLevel("warning");
  const problem = scenarioToProblem(scenario);
  const actuals = scenario.slots.map((s) => ({
    loadKwh: s.actualLoadKwh ?? s.loadKwh,
    pvKwh: s.actualPvKwh ?? s.pvKwh,
  }));
  let result: ClosedLoopResult;
  try {
    result = await simulateScenario(scenario, { correctForecasts: parsed.correct });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The add-on's options cannot express this scenario (e.g. 20-minute slots): run the same
    // loop without the runtime's plumbing.
    io.stderr(`battery-planner simulate: ${error.message} (running the closed loop without the runtime)\n`);
    result = runClosedLoop(problem, actuals, { correctForecasts: parsed.correct });
  }
  const truth = withActuals(problem, actuals);
  const idle = idleCost(truth);
  const perfect = optimise(truth).summary.netCost;
  const modeChanges = result.slots.filter((s, i) => i > 0 && s.mode !== result.slots[i - 1]!.mode).length;
  const realised: Plan = {
    slots: result.slots,
    summary: {
      netCost: result.netCost,
      idleCost: idle,
      saving: idle - result.netCost,
      modeChanges,
      finalSocKwh: result.finalSocKwh,
    },
  };
  const share = idle - perfect > 1e-9 ? (idle - result.netCost) / (idle - perfect) : 1;
  if (parsed.format === "json") {
    const output = {
      ...planToScenarioPlan(scenario.name, realised),
      perfectForesightNetCost: perfect,
      shareOfPerfectSaving: share,
      replans: result.replans,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    io.stdout(formatPlanTable(scenario, realised));
    io.stdout(
      `realised (closed loop): net cost ${result.netCost.toFixed(2)}; battery idle ${idle.toFixed(2)}; perfect foresight ${perfect.toFixed(2)}; ${(share * 100).toFixed(1)}% of the perfect-foresight saving\n`,
    );
  }
  return 0;
}
