// `npm run bench [-- --json]`: the planner against the exact optimum (HiGHS on the scenario MILP)
// on every bundled and shared scenario plus generated ones: captured share of the optimum saving,
// physics re-check, planner median time and HiGHS's time on the same model in the same process.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { optimise } from "../src/core/optimiser.js";
import type { PlanProblem } from "../src/core/types.js";
import { scenarioToProblem } from "../src/scenario/convert.js";
import { parseScenario } from "../src/scenario/schema.js";
import { randomProblem } from "../test/core/random-scenarios.js";
import { checkPlan } from "./check-plan.js";
import { buildHighsModel, loadHighs, solveWithHighs } from "./highs-model.js";

const root = join(import.meta.dirname, "..");
const SCENARIO_DIRS = [join(root, "test", "fixtures", "scenarios"), join(root, "..", "shared", "scenarios")];
const PLANNER_RUNS = 21;

interface Case {
  name: string;
  source: string;
  problem: PlanProblem;
}

interface Row {
  name: string;
  source: string;
  slots: number;
  slotMinutes: number;
  idleCost: number;
  optimum: number;
  netCost: number;
  captured: number;
  physicsErrors: number;
  plannerMedianMs: number;
  highsMs: number;
  highsStatus: string;
  modeChanges: number;
}

function scenarioCases(): Case[] {
  const cases = new Map<string, Case>();
  for (const dir of SCENARIO_DIRS) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      const scenario = parseScenario(JSON.parse(readFileSync(join(dir, file), "utf8")), file);
      const source = dir.includes("shared") ? "shared" : "fixtures";
      const known = cases.get(scenario.name);
      if (known) known.source = `${known.source}+${source}`;
      else cases.set(scenario.name, { name: scenario.name, source, problem: scenarioToProblem(scenario) });
    }
  }
  return [...cases.values()];
}

/** A 48-hour horizon of 5-minute slots: a 30-minute scenario with each slot split in six. */
function fiveMinuteCase(base: PlanProblem): PlanProblem {
  const slots = base.slots.flatMap((s) =>
    Array.from({ length: 6 }, (_, k) => {
      const stepMs = (s.endMs - s.startMs) / 6;
      // A little within-slot variation so the slots are not six identical copies.
      const wiggle = 1 + 0.15 * Math.sin(k + s.startMs / 3.6e6);
      return {
        ...s,
        startMs: s.startMs + k * stepMs,
        endMs: s.startMs + (k + 1) * stepMs,
        loadKwh: (s.loadKwh / 6) * wiggle,
        pvKwh: s.pvKwh / 6,
        importPricePerKwh: s.importPricePerKwh * (1 + 0.05 * Math.cos(k)),
      };
    }),
  );
  return { ...base, slots };
}

function generatedCases(scenarios: Case[]): Case[] {
  const cases: Case[] = [];
  const winter = scenarios.find((c) => c.problem.slots.length === 96 && c.name.includes("winter"));
  if (winter)
    cases.push({
      name: `gen-48h-5m (${winter.name} split)`,
      source: "generated",
      problem: fiveMinuteCase(winter.problem),
    });
  cases.push({
    name: "gen-48h-5m-random",
    source: "generated",
    problem: randomProblem(2025, { slotMinutes: 5, slots: 576 }),
  });
  cases.push({
    name: "gen-48h-30m-random",
    source: "generated",
    problem: randomProblem(2026, { slotMinutes: 30, slots: 96 }),
  });
  for (const seed of [1, 2, 3, 4, 5, 6])
    cases.push({ name: `gen-random-${seed}`, source: "generated", problem: randomProblem(seed) });
  return cases;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(c: Case): Promise<Row> {
  const problem = c.problem;
  let plan = optimise(problem);
  const times: number[] = [];
  for (let i = 0; i < PLANNER_RUNS; i++) {
    const started = performance.now();
    plan = optimise(problem);
    times.push(performance.now() - started);
  }
  const check = checkPlan(problem, plan.slots);
  const model = buildHighsModel(problem);
  const highs = await solveWithHighs(problem, model);
  const idle = plan.summary.idleCost;
  const span = idle - highs.netCost;
  // The last slot: a generated first slot may be partly over.
  const last = problem.slots.at(-1)!;
  return {
    name: c.name,
    source: c.source,
    slots: problem.slots.length,
    slotMinutes: (last.endMs - last.startMs) / 60_000,
    idleCost: idle,
    optimum: highs.netCost,
    netCost: check.netCost,
    captured: span > 1e-9 ? (idle - check.netCost) / span : 1,
    physicsErrors: check.errors.length,
    plannerMedianMs: median(times),
    highsMs: highs.solveMs,
    highsStatus: highs.status,
    modeChanges: plan.summary.modeChanges,
  };
}

function table(rows: Row[]): string {
  const head = [
    "scenario",
    "source",
    "slots",
    "min",
    "idle",
    "optimum",
    "plan",
    "captured",
    "errs",
    "plan ms",
    "HiGHS ms",
    "modes",
  ];
  const body = rows.map((r) => [
    r.name,
    r.source,
    String(r.slots),
    String(r.slotMinutes),
    r.idleCost.toFixed(4),
    r.optimum.toFixed(4),
    r.netCost.toFixed(4),
    `${(r.captured * 100).toFixed(3)}%`,
    String(r.physicsErrors),
    r.plannerMedianMs.toFixed(2),
    `${r.highsMs.toFixed(0)}${r.highsStatus === "Optimal" ? "" : ` (${r.highsStatus})`}`,
    String(r.modeChanges),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

interface Verdict {
  target: string;
  ok: boolean;
  detail: string;
}

function verdicts(rows: Row[]): Verdict[] {
  const worst = rows.reduce((a, b) => (b.captured < a.captured ? b : a));
  const out: Verdict[] = [
    {
      target: "captured share >= 99.5% everywhere",
      ok: worst.captured >= 0.995,
      detail: `worst ${(worst.captured * 100).toFixed(3)}% (${worst.name})`,
    },
    {
      target: "plans physically valid",
      ok: rows.every((r) => r.physicsErrors === 0),
      detail: `${rows.filter((r) => r.physicsErrors > 0).length} with errors`,
    },
  ];
  for (const r of rows.filter((r) => r.slots === 576 && r.slotMinutes === 5)) {
    out.push({
      target: `576 slots (${r.name}): <= 50 ms and <= half HiGHS`,
      ok: r.plannerMedianMs <= 50 && r.plannerMedianMs <= r.highsMs / 2,
      detail: `${r.plannerMedianMs.toFixed(2)} ms vs HiGHS ${r.highsMs.toFixed(0)} ms`,
    });
  }
  for (const r of rows.filter((r) => r.slots === 96 && r.slotMinutes === 30)) {
    out.push({
      target: `96 x 30 min (${r.name}): <= 10 ms`,
      ok: r.plannerMedianMs <= 10,
      detail: `${r.plannerMedianMs.toFixed(2)} ms`,
    });
  }
  return out;
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  // Load the solver and warm both up so that neither pays for start-up in its figures.
  await loadHighs();
  const scenarios = scenarioCases();
  const cases = [...scenarios, ...generatedCases(scenarios)];
  const rows: Row[] = [];
  for (const c of cases) {
    rows.push(await measure(c));
    if (!json) process.stderr.write(".");
  }
  const checks = verdicts(rows);
  if (json) {
    process.stdout.write(`${JSON.stringify({ rows, verdicts: checks }, null, 2)}\n`);
  } else {
    process.stderr.write("\n");
    process.stdout.write(`${table(rows)}\n\n`);
    for (const v of checks) process.stdout.write(`${v.ok ? "PASS" : "FAIL"}  ${v.target}: ${v.detail}\n`);
  }
}

await main();
