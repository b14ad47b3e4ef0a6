// The scenario model of docs/scenario-format.md as a mixed-integer programme for HiGHS, like the reference
// checker's exclusive model: binaries for charge-xor-discharge and import-xor-export, and PV
// curtailed only in slots that export. Its optimum is what plans are measured against.
import highsModule, { type Highs, type InitOptions } from "highs";
import { slotHours } from "../src/core/physics.js";
import type { PlanProblem } from "../src/core/types.js";

// The package is CommonJS with ESM-style typings: at runtime the default import is the loader.
const highsLoader = highsModule as unknown as (options?: InitOptions) => Promise<Highs>;

let highsPromise: Promise<Highs> | undefined;

export function loadHighs(): Promise<Highs> {
  highsPromise ??= highsLoader();
  return highsPromise;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(15).replace(/\.?0+(e|$)/, "$1");
}

/** `+ 0.5 x` / `- 0.5 x` terms of a linear expression. */
function terms(pairs: readonly (readonly [number, string])[]): string {
  return pairs
    .filter(([coef]) => coef !== 0)
    .map(([coef, name]) => `${coef < 0 ? "-" : "+"} ${num(Math.abs(coef))} ${name}`)
    .join(" ");
}

/** CPLEX LP text of the problem (forced slots and options are ignored: this is the bare model). */
export function buildHighsModel(problem: PlanProblem): string {
  const { battery: b, grid: g, slots } = problem;
  const n = slots.length;
  const objective: [number, string][] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const binaries: string[] = [];
  slots.forEach((s, t) => {
    const h = slotHours(s);
    const cMax = b.maxChargeKw * h;
    const dMax = b.maxDischargeKw * h;
    const iMax = g.maxImportKw * h;
    const eMax = g.maxExportKw * h;
    objective.push(
      [s.importPricePerKwh, `i${t}`],
      [-s.exportPricePerKwh, `e${t}`],
      [b.cycleCostPerKwh, `d${t}`],
    );
    const soc: [number, string][] = [
      [1, `s${t + 1}`],
      [-b.chargeEfficiency, `c${t}`],
      [1 / b.dischargeEfficiency, `d${t}`],
    ];
    if (t > 0) soc.push([-1, `s${t}`]);
    rows.push(` soc${t}: ${terms(soc)} = ${num(t === 0 ? problem.initialSocKwh : 0)}`);
    rows.push(
      ` bal${t}: ${terms([
        [1, `i${t}`],
        [-1, `e${t}`],
        [-1, `c${t}`],
        [1, `d${t}`],
        [-1, `u${t}`],
      ])} = ${num(s.loadKwh - s.pvKwh)}`,
    );
    rows.push(
      ` zc${t}: ${terms([
        [1, `c${t}`],
        [-cMax, `z${t}`],
      ])} <= 0`,
    );
    rows.push(
      ` zd${t}: ${terms([
        [1, `d${t}`],
        [dMax, `z${t}`],
      ])} <= ${num(dMax)}`,
    );
    rows.push(
      ` yi${t}: ${terms([
        [1, `i${t}`],
        [-iMax, `y${t}`],
      ])} <= 0`,
    );
    rows.push(
      ` ye${t}: ${terms([
        [1, `e${t}`],
        [eMax, `y${t}`],
      ])} <= ${num(eMax)}`,
    );
    if (s.pvKwh > 0)
      rows.push(
        ` yu${t}: ${terms([
          [1, `u${t}`],
          [s.pvKwh, `y${t}`],
        ])} <= ${num(s.pvKwh)}`,
      );
    bounds.push(
      ` 0 <= c${t} <= ${num(cMax)}`,
      ` 0 <= d${t} <= ${num(dMax)}`,
      ` 0 <= i${t} <= ${num(iMax)}`,
      ` 0 <= e${t} <= ${num(eMax)}`,
      ` 0 <= u${t} <= ${num(s.pvKwh)}`,
      ` ${num(b.minSocKwh)} <= s${t + 1} <= ${num(b.capacityKwh)}`,
    );
    binaries.push(`z${t}`, `y${t}`);
  });
  objective.push([-problem.terminalValuePerKwh, `s${n}`]);
  return [
    "Minimize",
    ` obj: ${terms(objective) || "0 s1"}`,
    "Subject To",
    ...rows,
    "Bounds",
    ...bounds,
    "Binary",
    ` ${binaries.join(" ")}`,
    "End",
    "",
  ].join("\n");
}

export interface HighsOptimum {
  /** Optimal netCost of the scenario model. */
  netCost: number;
  /** Battery AC flow per slot (+ charge, − discharge). */
  flowsKwh: number[];
  status: string;
  /** Wall time of the solve (model text already built). */
  solveMs: number;
}

export async function solveWithHighs(
  problem: PlanProblem,
  model = buildHighsModel(problem),
): Promise<HighsOptimum> {
  const highs = await loadHighs();
  const started = performance.now();
  const result = highs.solve(model, { mip_rel_gap: 1e-7, time_limit: 120, output_flag: false });
  const solveMs = performance.now() - started;
  const value = (name: string) => {
    const column = result.Columns[name];
    return column && "Primal" in column ? column.Primal : 0;
  };
  const flowsKwh = problem.slots.map((_, t) => value(`c${t}`) - value(`d${t}`));
  return {
    netCost: result.ObjectiveValue + problem.terminalValuePerKwh * problem.initialSocKwh,
    flowsKwh,
    status: result.Status,
    solveMs,
  };
}
