// A wrong option reaches the person as one line that names it and the fix, on stderr, with a
// non-zero exit and no stack trace: through the real entry points, as the image starts them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./load-addon-files.js";

const dir = mkdtempSync(join(tmpdir(), "bp-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Complete, so that start-up has nothing to detect and decides on the options alone.
const complete = {
  battery: { soc_entity: "sensor.battery_soc", capacity_kwh: 9.5, max_charge_kw: 3.6, max_discharge_kw: 3.6 },
  import_tariff: { source: "octopus", entities: ["event.octopus_current_day_rates"] },
  solar: { source: "solcast", entities: ["sensor.solcast_pv_forecast_forecast_today"] },
  load: { consumption_entity: "sensor.house_consumption_energy" },
  control: { method: "dry_run", profile: "givtcp", entity_prefix: "givtcp_ce1234g567" },
};

function start(entry: string[], options: unknown, extraArgs: string[] = []) {
  const file = join(dir, `options-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(options));
  const env = { ...process.env };
  for (const name of ["SUPERVISOR_TOKEN", "HA_URL", "HA_TOKEN", "BATTERY_PLANNER_OPTIONS"]) delete env[name];
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", ...entry, "--options", file, "--data", dir, "--port", "0", ...extraArgs],
    { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 60_000 },
  );
  const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
  return { code: result.status, lines, stdout: result.stdout };
}

describe.each([
  ["node dist/main.js (the image)", ["src/main.ts"]],
  ["battery-planner run", ["src/cli.ts", "run"]],
])("%s", (_name, entry) => {
  it("refuses a mistyped time zone in one line naming the option", () => {
    const { code, lines } = start(entry, { ...complete, timezone: "Europe/Londn" });
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ERROR .*option 'timezone': is not an IANA time zone \(like Europe\/London\)\./);
    expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it("refuses an option the profile needs in one line naming it and the fix", () => {
    const { code, lines } = start(entry, {
      ...complete,
      control: { method: "ha_services", profile: "givtcp" },
    });
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("option 'control.entity_prefix'");
    expect(lines[0]).toContain("Set control.entity_prefix to givtcp_<serial>");
  });

  it("refuses an unknown command-line flag in one line", () => {
    const { code, lines } = start(entry, complete, ["--optoins"]);
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--optoins/);
    expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  });
});
