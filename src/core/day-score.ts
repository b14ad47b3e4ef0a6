// How well a finished day went, in hindsight: what the home paid against what it would have paid
// with the battery idle, and against the best any plan could have done had it known the day's
// actual load and PV (the optimiser on the actuals). The share is the measure of a day:
// (idle − realised) / (idle − optimum); a day with nothing to gain scores 1.
import { optimise } from "./optimiser.js";
import { idleCost } from "./physics.js";
import type { PlanProblem } from "./types.js";

export interface DayScore {
  /** The day's cost with the battery idle, in the home's currency. */
  idleCost: number;
  /** The hindsight optimum's net cost (stored energy gained valued at the terminal value). */
  hindsightCost: number;
  realisedCost: number;
  /** idle − realised: what the battery saved (negative: it cost money). */
  savedGbp: number;
  /** idle − hindsight: the most any plan could have saved. */
  possibleSavingGbp: number;
  /** savedGbp / possibleSavingGbp, 1 when nothing could be saved. */
  share: number;
}

/** `actuals` is the day as it happened: its slots' loadKwh/pvKwh are the measured energies. */
export function scoreDay(actuals: PlanProblem, realisedNetCost: number): DayScore {
  const idle = idleCost(actuals);
  const hindsight = optimise(actuals).summary.netCost;
  const possible = idle - hindsight;
  const saved = idle - realisedNetCost;
  return {
    idleCost: idle,
    hindsightCost: hindsight,
    realisedCost: realisedNetCost,
    savedGbp: saved,
    possibleSavingGbp: possible,
    share: possible > 1e-9 ? saved / possible : 1,
  };
}
