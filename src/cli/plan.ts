// `battery-planner plan FILE [--format table|json]`: plan a scenario file. A bad file is one line
// on stderr naming the field and exit code 2, never a stack trace.
import { DateTime } from "luxon";
import { optimise } from "../core/optimiser.js";
import type { Plan } from "../core/types.js";
import { errorMessage } from "../errors.js";
import { planToScenarioPlan, scenarioToProblem } from "../scenario/convert.js";
import { readScenarioFile } from "../scenario/read-file.js";
import type { Scenario } from "../scenario/schema.js";
import { type CliIo, processIo } from "./io.js";

export type { CliIo };

const USAGE = "usage: battery-planner plan FILE [--format table|json]";

interface PlanArgs {
  file: string;
  format: "table" | "json";
}

function parseArgs(args: readonly string[]): PlanArgs | string {
  let file: string | undefined;
  let format: string = "table";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--format") format = args[++i] ?? "";
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
    else if (arg.startsWith("-")) return `unknown option '${arg}'`;
    else if (file === undefined) file = arg;
    else return `unexpected argument '${arg}'`;
  }
  if (file === undefined) return "missing FILE";
  if (format !== "table" && format !== "json") return `--format must be table or json, not '${format}'`;
  return { file, format };
}

const money = (v: number) => v.toFixed(2);
const price = (v: number) => v.toFixed(3).padStart(7);

export function formatPlanTable(scenario: Scenario, plan: Plan): string {
  const header = `${"time".padEnd(11)} ${"import".padStart(7)} ${"export".padStart(7)} ${"mode".padEnd(8)} ${"batt kWh".padStart(8)} ${"soc kWh".padStart(7)} ${"cost".padStart(7)}`;
  const lines = [`${scenario.name} (${scenario.timezone})`, header];
  let lastDay = "";
  for (const slot of plan.slots) {
    const local = DateTime.fromMillis(slot.startMs, { zone: scenario.timezone });
    const day = local.toFormat("ccc dd");
    const time =
      day === lastDay ? `       ${local.toFormat("HH:mm")}`.slice(-11) : `${day} ${local.toFormat("HH:mm")}`;
    lastDay = day;
    const flow = slot.chargeKwh - slot.dischargeKwh;
    lines.push(
      `${time.padEnd(11)} ${price(slot.importPricePerKwh)} ${price(slot.exportPricePerKwh)} ${slot.mode.padEnd(8)} ${flow.toFixed(2).padStart(8)} ${slot.socKwh.toFixed(2).padStart(7)} ${slot.cost.toFixed(3).padStart(7)}`,
    );
  }
  const s = plan.summary;
  lines.push(
    `net cost ${money(s.netCost)}, idle cost ${money(s.idleCost)}, saving ${money(s.saving)}, mode changes ${s.modeChanges}, final SOC ${s.finalSocKwh.toFixed(2)} kWh`,
  );
  return `${lines.join("\n")}\n`;
}

export async function run(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.stderr(`battery-planner plan: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  let scenario: Scenario;
  try {
    scenario = await readScenarioFile(parsed.file);
  } catch (error) {
    io.stderr(`battery-planner plan: ${errorMessage(error).split("\n")[0]}\n`);
    return 2;
  }
  const plan = optimise(scenarioToProblem(scenario));
  if (parsed.format === "json")
    io.stdout(`${JSON.stringify(planToScenarioPlan(scenario.name, plan), null, 2)}\n`);
  else io.stdout(formatPlanTable(scenario, plan));
  return 0;
}
