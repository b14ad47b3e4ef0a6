// The demo end to end, shortened: three simulated hours of the bundled real Agile day.
import { afterEach, describe, expect, it } from "vitest";
import { setLogSink } from "../../src/log.js";
import { runDemo } from "../../src/sim/demo/run-demo.js";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("npm run demo", () => {
  it("plans, executes slot by slot on the simulated inverter and settles a bill against no battery", async () => {
    restore = setLogSink(() => undefined);
    const lines: string[] = [];
    const result = await runDemo({
      speed: 1440,
      hours: 3,
      serve: false,
      port: 0,
      print: (l) => lines.push(l),
    });
    expect(result.rows).toHaveLength(6);
    expect(result.planVersions).toBeGreaterThanOrEqual(1);
    const text = lines.join("\n");
    expect(text).toMatch(/Plan v\d+ \(startup\), 96 slots/);
    expect(text).toMatch(/Plan page: http:\/\/127\.0\.0\.1:\d+\//);
    expect(text).toMatch(/Bill for the simulated 6 slots/);
    // Every settled slot is priced at the day's real rate and the bill adds up.
    for (const row of result.rows) {
      expect(row.cost).toBeCloseTo(
        row.importKwh * row.importPricePerKwh - row.exportKwh * row.exportPricePerKwh,
        9,
      );
    }
    expect(result.bill).toBeCloseTo(
      result.rows.reduce((sum, r) => sum + r.cost, 0),
      9,
    );
    // The inverter was told what the plan said: the first slot's command is the plan's first mode.
    expect(result.rows[0]!.command).not.toBe("-");
  });
});
