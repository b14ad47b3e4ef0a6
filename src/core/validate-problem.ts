// The optimiser's own guard: a problem built by an adapter from live data can still carry a NaN
// or an inverted slot. Planning on it would give a silent nonsense plan; say what is wrong instead.
import { InputError } from "../errors.js";
import type { PlanProblem } from "./types.js";

const SOURCE = "plan problem";

function finite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new InputError(SOURCE, `${what} is ${value}, not a finite number`);
}

export function validateProblem(problem: PlanProblem): void {
  const b = problem.battery;
  for (const key of [
    "capacityKwh",
    "minSocKwh",
    "maxChargeKw",
    "maxDischargeKw",
    "cycleCostPerKwh",
  ] as const) {
    finite(b[key], `battery.${key}`);
    if (b[key] < 0) throw new InputError(SOURCE, `battery.${key} is negative (${b[key]})`);
  }
  for (const key of ["chargeEfficiency", "dischargeEfficiency"] as const) {
    if (!(b[key] > 0 && b[key] <= 1))
      throw new InputError(SOURCE, `battery.${key} must be in (0, 1], not ${b[key]}`);
  }
  if (b.minSocKwh > b.capacityKwh) {
    throw new InputError(SOURCE, `battery.minSocKwh ${b.minSocKwh} is above capacityKwh ${b.capacityKwh}`);
  }
  for (const key of ["maxImportKw", "maxExportKw"] as const) {
    finite(problem.grid[key], `grid.${key}`);
    if (problem.grid[key] < 0) throw new InputError(SOURCE, `grid.${key} is negative (${problem.grid[key]})`);
  }
  finite(problem.initialSocKwh, "initialSocKwh");
  finite(problem.terminalValuePerKwh, "terminalValuePerKwh");
  problem.slots.forEach((s, t) => {
    for (const key of [
      "startMs",
      "endMs",
      "importPricePerKwh",
      "exportPricePerKwh",
      "loadKwh",
      "pvKwh",
    ] as const) {
      finite(s[key], `slots[${t}].${key}`);
    }
    if (s.endMs <= s.startMs) throw new InputError(SOURCE, `slots[${t}] ends before it starts`);
    if (s.loadKwh < 0 || s.pvKwh < 0) throw new InputError(SOURCE, `slots[${t}] has a negative load or PV`);
    if (s.pvP10Kwh !== undefined) finite(s.pvP10Kwh, `slots[${t}].pvP10Kwh`);
  });
}
