// Closed-loop backtest: on real days where the forecasts differ from what happened, how much of
// the saving perfect foresight would make does the closed loop realise?
//   npx tsx bench/closed-loop.ts [--json] [DIR]
// Baselines: battery idle, self-use only, the naive loop (re-plan every slot on the uncorrected
// forecasts, execute in modes), our loop (forecast correction), perfect foresight (optimum on
// the actuals).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { backtestDay } from "../src/sim/backtest.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const dir = args.find((a) => !a.startsWith("--")) ?? "test/fixtures/backtest";
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const rows = files.map((f) => backtestDay(JSON.parse(readFileSync(join(dir, f), "utf8"))));
const total = { idle: 0, selfUse: 0, naive: 0, loop: 0, perfect: 0 };
for (const r of rows) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
const share = (cost: number) => (total.idle - cost) / (total.idle - total.perfect);

if (json) {
  process.stdout.write(
    `${JSON.stringify({ days: rows, total, share: { selfUse: share(total.selfUse), naive: share(total.naive), loop: share(total.loop) } }, null, 2)}\n`,
  );
} else {
  const fmt = (v: number) => v.toFixed(2).padStart(8);
  const lines = ["day                      idle  selfuse    naive     loop  perfect"];
  for (const r of rows)
    lines.push(
      `${r.name.padEnd(22)} ${fmt(r.idle)} ${fmt(r.selfUse)} ${fmt(r.naive)} ${fmt(r.loop)} ${fmt(r.perfect)}`,
    );
  lines.push(
    `${"total".padEnd(22)} ${fmt(total.idle)} ${fmt(total.selfUse)} ${fmt(total.naive)} ${fmt(total.loop)} ${fmt(total.perfect)}`,
  );
  lines.push(
    `share of perfect-foresight saving: self-use ${(share(total.selfUse) * 100).toFixed(1)}%, naive ${(share(total.naive) * 100).toFixed(1)}%, closed loop ${(share(total.loop) * 100).toFixed(1)}%`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}
