// Runs of consecutive home-history days (one home, day after day): checking that they follow one
// another, finding them among files, and the hindsight judge of a run. A run is judged as one
// problem, not day by day: a day judged alone must credit
// what is left in the battery at midnight at a terminal value, so an add-on that, seeing tomorrow's
// cheap night, ends a day emptier looks worse than it is; over the run only the run's end is valued.
import { type DayScore, scoreDay } from "../../core/day-score.js";
import { optimise } from "../../core/optimiser.js";
import type { PlanProblem } from "../../core/types.js";
import { InputError } from "../../errors.js";
import { type HomeHistory, hindsightProblem } from "../home-history.js";

/** The hindsight optimum of the day (perfect foresight, the pure optimiser). */
export function hindsightCost(history: HomeHistory): number {
  return optimise(hindsightProblem(history)).summary.netCost;
}

/** The run's actuals as one planning problem: every slot of every day, from the first day's SOC,
 * the stored energy gained by the run's end valued at the last day's terminal value. */
export function runHindsightProblem(days: readonly HomeHistory[]): PlanProblem {
  assertConsecutive(days);
  const problems = days.map(hindsightProblem);
  return {
    ...problems[0]!,
    slots: problems.flatMap((p) => p.slots),
    terminalValuePerKwh: days.at(-1)!.terminalValuePerKwh,
  };
}

/** A run's realised net cost (TwinRunResult.netCost) against the battery idle and the hindsight
 * optimum of the whole run. */
export function scoreRun(days: readonly HomeHistory[], realisedNetCost: number): DayScore {
  return scoreDay(runHindsightProblem(days), realisedNetCost);
}

/** A run's days must follow one another in one home: same zone, battery and grid connection. */
export function assertConsecutive(days: readonly HomeHistory[]): void {
  if (days.length === 0) throw new InputError("twin", "no days to run");
  const first = days[0]!;
  const { initialSocKwh: _, ...battery } = first.battery;
  days.forEach((day, i) => {
    if (i === 0) return;
    const previous = days[i - 1]!;
    const endMs = Date.parse(previous.start) + previous.slots.length * previous.slotMinutes * 60_000;
    const { initialSocKwh: __, ...own } = day.battery;
    const problem =
      Date.parse(day.start) !== endMs
        ? `starts at ${day.start}, not where ${previous.name} ends (${new Date(endMs).toISOString()})`
        : day.timezone !== first.timezone
          ? `is in ${day.timezone}, not ${first.timezone}`
          : JSON.stringify(own) !== JSON.stringify(battery) ||
              JSON.stringify(day.grid) !== JSON.stringify(first.grid)
            ? "has another battery or grid connection than the run's first day"
            : undefined;
    if (problem) throw new InputError(day.name, `${problem}: a run's days must follow one another`);
  });
}

/** Splits days (sorted by start) into runs of consecutive days of one home; a lone day is a run of one. */
export function consecutiveRuns(days: readonly HomeHistory[]): HomeHistory[][] {
  const runs: HomeHistory[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    if (run) {
      try {
        assertConsecutive([...run, day]);
        run.push(day);
        continue;
      } catch {
        // Not the next day of the same home: a new run begins.
      }
    }
    runs.push([day]);
  }
  return runs;
}
