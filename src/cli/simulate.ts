// `battery-planner simulate FILE... [--format table|json] [--perfect-forecasts]`: one real day (or
// several consecutive days, one file each, through one add-on that never restarts) through the
// digital twin (src/sim/twin): the add-on as users run it, on a virtual clock, against the HA
// simulator and a simulated Modbus inverter replaying a home-history file (docs/home-history.md) —
// or a planning scenario with actuals (docs/scenario-format.md), whose load forecast then sits in
// the recorder as history. Reports what was realised against the battery idle, self-use only and
// the hindsight optimum (of the whole run, for several days: only its end valued).
import { DateTime } from "luxon";
import { errorMessage } from "../errors.js";
import { setLogLevel } from "../log.js";
import { type HomeHistory, readHomeHistoryFile } from "../sim/home-history.js";
import { runTwinDays, type TwinSlot } from "../sim/twin/run-day.js";
import { assertConsecutive, scoreRun } from "../sim/twin/runs.js";
import { type CliIo, processIo } from "./io.js";

const USAGE =
  "usage: battery-planner simulate FILE... [--format table|json] [--perfect-forecasts]\n" +
  "  several FILEs: consecutive days of one home, run through one add-on and judged as a whole";

interface SimulateArgs {
  files: string[];
  format: "table" | "json";
  perfect: boolean;
}

function parseArgs(args: readonly string[]): SimulateArgs | string {
  const files: string[] = [];
  let format = "table";
  let perfect = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--format") format = args[++i] ?? "";
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
    else if (arg === "--perfect-forecasts") perfect = true;
    else if (arg.startsWith("-")) return `unknown option '${arg}'`;
    else files.push(arg);
  }
  if (files.length === 0) return "missing FILE";
  if (format !== "table" && format !== "json") return `--format must be table or json, not '${format}'`;
  return { files, format, perfect };
}

function slotLine(slot: TwinSlot, zone: string, capacityKwh: number, withDate: boolean): string {
  const time = DateTime.fromMillis(slot.startMs, { zone }).toFormat(withDate ? "MM-dd HH:mm" : "HH:mm");
  const soc = ((slot.socPct / 100) * capacityKwh).toFixed(2);
  return `${time}  ${slot.command.padEnd(24)} ${slot.inverterMode.padEnd(9)} ${slot.socPct.toFixed(0).padStart(4)}  ${soc.padStart(6)}  ${slot.chargeKwh.toFixed(2).padStart(6)}  ${slot.dischargeKwh.toFixed(2).padStart(6)}  ${slot.importKwh.toFixed(2).padStart(6)}  ${slot.exportKwh.toFixed(2).padStart(6)}  ${slot.importPricePerKwh.toFixed(3).padStart(6)}  ${slot.cost.toFixed(3).padStart(7)}`;
}

export async function run(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.stderr(`battery-planner simulate: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  const histories: HomeHistory[] = [];
  try {
    for (const file of parsed.files) histories.push(await readHomeHistoryFile(file));
    assertConsecutive(histories);
  } catch (error) {
    io.stderr(`battery-planner simulate: ${errorMessage(error).split("\n")[0]}\n`);
    return 2;
  }
  const history = histories[0]!;
  setLogLevel("error");
  const result = await runTwinDays(histories, { perfectForecasts: parsed.perfect });
  const selfUse = await runTwinDays(histories, { control: "self-use" });
  const score = scoreRun(histories, result.netCost);
  const selfUseShare =
    score.possibleSaving > 1e-9 ? (score.idleCost - selfUse.netCost) / score.possibleSaving : 1;
  const several = histories.length > 1;
  if (parsed.format === "json") {
    const output = {
      name: result.name,
      ...(several
        ? {
            days: result.days.map((d) => ({
              name: d.name,
              netCost: d.netCost,
              startSocKwh: d.startSocKwh,
              finalSocKwh: d.finalSocKwh,
            })),
          }
        : {}),
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
    `${result.name}: the add-on on a virtual clock against the simulated home${several ? ` (${histories.length} days, one add-on)` : ""}`,
    "money in the home's currency; in/out: AC energy into/out of the battery",
    "time   command                  inverter  SOC%  SOC kWh  in kWh out kWh imp kWh exp kWh  price/kWh   cost",
    ...result.slots.map((s) => slotLine(s, zone, history.battery.capacityKwh, several)),
    "",
    `net cost (bill ${result.billCost.toFixed(2)} less the stored energy gained at ${histories.at(-1)!.terminalValuePerKwh.toFixed(3)}/kWh): ${result.netCost.toFixed(2)}`,
    `battery idle ${score.idleCost.toFixed(2)}; self-use only ${selfUse.netCost.toFixed(2)} (${(selfUseShare * 100).toFixed(1)}%); hindsight optimum ${score.hindsightCost.toFixed(2)}${several ? " (of the whole run)" : ""}`,
    `saved ${score.saving.toFixed(2)} against idle: ${(score.share * 100).toFixed(1)}% of the hindsight-optimum saving (${result.planVersions} plans)`,
  ];
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}
