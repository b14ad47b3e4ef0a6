// The add-on's entry point refuses bad options with one line that names the option and the fix.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { setLogSink } from "../src/log.js";
import { run } from "../src/main.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runWithOptions(options: unknown): Promise<{ code: number; lines: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "bp-main-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "options.json");
  await writeFile(file, typeof options === "string" ? options : JSON.stringify(options));
  const lines: string[] = [];
  cleanups.push(setLogSink((line) => lines.push(line)));
  const code = await run(["--options", file, "--data", dir, "--port", "0"]);
  return { code, lines };
}

const valid = {
  battery: { soc_entity: "sensor.battery_soc", capacity_kwh: 9.5, max_charge_kw: 3.6, max_discharge_kw: 3.6 },
  import_tariff: { source: "octopus", entities: ["event.octopus_current_day_rates"] },
};

describe("the add-on entry point", () => {
  it("stops on a wrong option with one line naming it", async () => {
    const { code, lines } = await runWithOptions({
      ...valid,
      battery: { ...valid.battery, capacity_kwh: -5 },
    });
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("option 'battery.capacity_kwh'");
    expect(lines[0]).not.toMatch(/\n\s+at /);
  });

  it("stops on a missing option with one line naming it", async () => {
    const { code, lines } = await runWithOptions({ battery: valid.battery });
    expect(code).toBe(2);
    expect(lines.join("\n")).toContain("option 'import_tariff'");
  });

  it("stops on an options file that is not JSON", async () => {
    const { code, lines } = await runWithOptions("{ battery: ");
    expect(code).toBe(2);
    expect(lines.join("\n")).toContain("not valid JSON");
  });

  it("says which environment variable is missing when there is no Home Assistant to talk to", async () => {
    const saved = { ...process.env };
    cleanups.push(() => {
      process.env = saved;
    });
    delete process.env.SUPERVISOR_TOKEN;
    delete process.env.HA_URL;
    delete process.env.HA_TOKEN;
    const { code, lines } = await runWithOptions(valid);
    expect(code).toBe(2);
    expect(lines.join("\n")).toMatch(/HA_URL|SUPERVISOR_TOKEN/);
  });
});
