// `battery-planner simulate FILE [--format table|json] [--perfect-forecasts]`: one real day through
// the digital twin (src/sim/twin): the add-on as users run it, on a virtual clock, against the HA
// simulator and a simulated Modbus inverter replaying a home-history file (docs/home-history.md) —
// or a planning scenario with actuals (docs/scenario-format.md), whose load forecast then sits in
// the recorder as history. Reports what was realised against the battery idle, self-use only and
// the hindsight optimum.
import { DateTime } from "luxon";
import { scoreDay } from "../core/day-score.js";
import { errorMessage } from "../errors.js";
import { setLogLevel } from "../log.js";
import {
  type HomeHistory,
  hindsightProblem,
  readHomeHistoryFile,
  withPerfectForecasts,
} from "../sim/home-history.js";
import { runTwinDay, type TwinSlot } from "../sim/twin/run-day.js";
import { type CliIo, processIo } from "./io.js";

const USAGE = "usage: battery-planner simulate FILE [--format table|json] [--perfect-forecasts]";

interface SimulateArgs {
  file: string;
  format: "table" | "json";
  perfect: boolean;
}

function parseArgs(args: readonly string[]): SimulateArgs | string {
  let file: string | undefined;
  let format = "table";
  let perfect = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--format") format = args[++i] ?? "";
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
    else if (arg === "--perfect-forecasts") perfect = true;
    else if (arg.startsWith("-")) return `unknown option '${arg}'`;
    else if (file === undefined) file = arg;
    else return `unexpected argument '${arg}'`;
  }
  if (file === undefined) return "missing FILE";
  if (format !== "table" && format !== "json") return `--format must be table or json, not '${format}'`;
  return { file, format, perfect };
}

function slotLine(slot: TwinSlot, zone: string, capacityKwh: number): string {
  const time = DateTime.fromMillis(slot.startMs, { zone }).toFormat("HH:mm");
  const soc = ((slot.socPct / 100) * capacityKwh).toFixed(2);
  return `${time}  ${slot.command.padEnd(24)} ${slot.inverterMode.padEnd(9)} ${slot.socPct.toFixed(0).padStart(4)}  ${soc.padStart(6)}  ${slot.chargeKwh.toFixed(2).padStart(6)}  ${slot.dischargeKwh.toFixed(2).padStart(6)}  ${slot.importKwh.toFixed(2).padStart(6)}  ${slot.exportKwh.toFixed(2).padStart(6)}  ${slot.importPricePerKwh.toFixed(3).padStart(6)}  ${slot.cost.toFixed(3).padStart(7)}`;
}

export async function run(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.stderr(`battery-planner simulate: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  let history: HomeHistory;
  try {
    history = await readHomeHistoryFile(parsed.file);
  } catch (error) {
    io.stderr(`battery-planner simulate: ${errorMessage(error).split("\n")[0]}\n`);
    return 2;
  }
  if (parsed.perfect) history = withPerfectForecasts(history);
  setLogLevel("error");
  const result = await runTwinDay(history);
  const selfUse = await runTwinDay(history, { control: "self-use" });
  const score = scoreDay(hindsightProblem(history), result.netCost);
  const selfUseShare =
    score.possibleSaving > 1e-9 ? (score.idleCost - selfUse.netCost) / score.possibleSaving : 1;
  if (parsed.format === "json") {
    const output = {
      name: history.name,
      slots: result.slots.map((s) => ({
        start: new Date(s.startMs).toISOString(),
        command: s.command,
        mode: s.inverterMode,
        chargeKwh: s.chargeKwh,
        dischargeKwh: s.dischargeKwh,
        importKwh: s.importKwh,
        exportKwh: s.exportKwh,
        socKwh: (s.socPct / 100) * history.battery.capacityKwh,
        cost: s.cost,
      })),
      netCost: result.netCost,
      idleNetCost: score.idleCost,
      selfUseNetCost: selfUse.netCost,
      hindsightNetCost: score.hindsightCost,
      shareOfHindsightSaving: score.share,
      selfUseShareOfHindsightSaving: selfUseShare,
      planVersions: result.planVersions,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  }
  const zone = history.timezone;
  const lines = [
    `${history.name}: the add-on on a virtual clock against the simulated home`,
    "money in the home's currency; in/out: AC energy into/out of the battery",
    "time   command                  inverter  SOC%  SOC kWh  in kWh out kWh imp kWh exp kWh  price/kWh   cost",
    ...result.slots.map((s) => slotLine(s, zone, history.battery.capacityKwh)),
    "",
    `net cost (bill ${result.billCost.toFixed(2)} less the stored energy gained at ${history.terminalValuePerKwh.toFixed(3)}/kWh): ${result.netCost.toFixed(2)}`,
    `battery idle ${score.idleCost.toFixed(2)}; self-use only ${selfUse.netCost.toFixed(2)} (${(selfUseShare * 100).toFixed(1)}%); hindsight optimum ${score.hindsightCost.toFixed(2)}`,
    `saved ${score.saving.toFixed(2)} against idle: ${(score.share * 100).toFixed(1)}% of the hindsight-optimum saving (${result.planVersions} plans)`,
  ];
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}
