import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/plan.js";

const root = join(import.meta.dirname, "..", "..");
const scenarioFile = join(root, "test", "fixtures", "scenarios", "agile-winter-30m.json");
const dir = mkdtempSync(join(tmpdir(), "plan-cli-"));

async function plan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function withScenario(
  name: string,
  mutate: (s: Record<string, unknown> & { battery: Record<string, unknown>; slots: unknown[] }) => void,
): string {
  const s = JSON.parse(readFileSync(scenarioFile, "utf8"));
  mutate(s);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(s));
  return file;
}

describe("battery-planner plan", () => {
  it("prints a table in the home's local time with a summary line", async () => {
    const { code, out } = await plan([scenarioFile]);
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[1]).toMatch(/time\s+import\s+export\s+mode/);
    expect(lines[2]).toMatch(/^Tue 14 00:00/);
    expect(lines).toHaveLength(2 + 96 + 1);
    expect(lines.at(-1)).toMatch(
      /^net cost -?\d+\.\d\d, idle cost \d+\.\d\d, saving \d+\.\d\d, mode changes \d+/,
    );
  });

  it("shows local wall-clock times across a DST change", async () => {
    const file = withScenario("dst", (s) => {
      s.timezone = "Europe/London";
      s.start = "2025-03-30T00:00:00Z";
      s.slots = (s.slots as unknown[]).slice(0, 6);
    });
    const { out } = await plan([file]);
    const times = out
      .split("\n")
      .slice(2, 8)
      .map((l) =>
        l
          .trim()
          .split(/\s+/)
          .find((w) => /^\d\d:\d\d$/.test(w)),
      );
    expect(times).toEqual(["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"]);
  });

  it("prints the docs/scenario-format.md plan with --format json", async () => {
    const { code, out } = await plan([scenarioFile, "--format", "json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.slots).toHaveLength(96);
    expect(typeof json.netCost).toBe("number");
    expect(json.slots[0].start).toBe("2025-01-14T00:00:00.000Z");
  });

  it.each([
    [
      "not JSON",
      () => {
        const file = join(dir, "broken.json");
        writeFileSync(file, "{ nope");
        return file;
      },
      /not valid JSON/,
    ],
    [
      "a missing field",
      () => withScenario("missing", (s) => delete s.battery.capacityKwh),
      /battery\.capacityKwh is missing/,
    ],
    [
      "a negative capacity",
      () => withScenario("negative", (s) => (s.battery.capacityKwh = -5)),
      /battery\.capacityKwh must be greater than 0/,
    ],
    [
      "an SOC above capacity",
      () => withScenario("soc", (s) => (s.battery.initialSocKwh = 99)),
      /battery\.initialSocKwh 99 is above capacityKwh/,
    ],
    [
      "a wrong slot count",
      () => withScenario("slots", (s) => (s.slots = [])),
      /slots must hold at least one slot/,
    ],
    ["a missing file", () => join(dir, "absent.json"), /cannot read the file/],
  ])("exits 2 with one line for %s", async (_, makeFile, pattern) => {
    const { code, out, err } = await plan([makeFile()]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(pattern);
    expect(err.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 on a bad --format", async () => {
    const { code, err } = await plan([scenarioFile, "--format", "xml"]);
    expect(code).toBe(2);
    expect(err).toMatch(/--format must be table or json/);
  });

  it("runs as a process: exit code 2 and no stack trace", () => {
    const file = withScenario("proc", (s) => (s.battery.capacityKwh = -1));
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", join(root, "src", "cli.ts"), "plan", file],
      {
        encoding: "utf8",
        cwd: root,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\s+at /);
  });
});
