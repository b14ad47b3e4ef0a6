// What clipping a rate list to the planning window saves: a year of Octopus rates (the 2.6 MB
// attribute of issue 9) read whole, as before, and read as the add-on reads it now.
// Run: npx tsx bench/inputs-clip.ts
import { readOctopusRates } from "../src/ha/readers/octopus.js";
import { planningWindow } from "../src/ha/readers/series.js";
import { setLogSink } from "../src/log.js";

setLogSink(() => undefined);
const NOW = Date.parse("2026-01-15T12:00:00Z");
const HOUR = 3_600_000;
const year = Array.from({ length: 17_520 }, (_, i) => {
  const s = NOW - 180 * 24 * HOUR + (i * HOUR) / 2;
  return {
    start: new Date(s).toISOString().replace(".000Z", "+00:00"),
    end: new Date(s + HOUR / 2).toISOString().replace(".000Z", "+00:00"),
    value_inc_vat: 0.2412345 + (i % 48) / 1000,
    is_capped: false,
    is_intelligent_adjusted: false,
  };
});
const states = {
  "event.y": {
    entity_id: "event.y",
    state: "x",
    attributes: { rates: year },
    last_changed: "",
    last_updated: "",
    context: { id: "", parent_id: null, user_id: null },
  },
};
console.log(`attribute ${(JSON.stringify(year).length / 1e6).toFixed(2)} MB, ${year.length} entries`);
for (const [label, opts] of [
  ["whole list (before)", {}],
  ["planning window (now)", { window: planningWindow(NOW) }],
] as const) {
  for (let i = 0; i < 3; i++) readOctopusRates(["event.y"], states, opts);
  const t = performance.now();
  let n = 0;
  for (let i = 0; i < 10; i++) n = readOctopusRates(["event.y"], states, opts).points.length;
  console.log(`${label}: ${n} points, ${((performance.now() - t) / 10).toFixed(1)} ms per read`);
}
