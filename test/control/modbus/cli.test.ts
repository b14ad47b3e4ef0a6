// The `battery-planner modbus` command against simulated inverters: in-process through run(), and
// once as a real child process through the CLI entry point.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/modbus.js";
import { type FakeInverter, startFakeInverter } from "../../../src/sim/modbus/fake-inverter.js";

let fake: FakeInverter | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const code = await run(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const target = (f: FakeInverter, profile: string) => [
  "--host",
  f.host,
  "--port",
  String(f.port),
  "--profile",
  profile,
  "--settle-ms",
  "0",
  "--gap-ms",
  "0",
  "--connect-delay-ms",
  "0",
  // Generous: on a loaded CI machine a loopback answer can take longer than a real device's default.
  "--timeout-ms",
  "10000",
];

describe("battery-planner modbus", () => {
  it("read prints the live values as JSON", async () => {
    fake = await startFakeInverter({ profile: "huawei-sun2000", socPct: 64 });
    fake.step(0.25, 1, 3);
    const { code, out } = await cli(["read", ...target(fake, "huawei-sun2000")]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.state).toMatchObject({ socPct: 69, batteryPowerW: 2000, pvPowerW: 3000, gridPowerW: 0 });
    expect(parsed.registers.forcible_command).toBe(0);
    expect(parsed.unitId).toBe(1);
  });

  it("apply writes, verifies and prints what it wrote", async () => {
    fake = await startFakeInverter({ profile: "sungrow-sh" });
    const { code, out } = await cli([
      "apply",
      ...target(fake, "sungrow-sh"),
      "--mode",
      "charge",
      "--power-w",
      "2500",
      "--target-soc",
      "80",
    ]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.verified).toBe(true);
    expect(parsed.writes).toContainEqual({
      register: "charge_power",
      unitId: 1,
      address: 13051,
      raw: 2500,
      value: 2500,
    });
    expect(parsed.written).toEqual(["max_soc=80", "charge_power=2500", "charge_command=170", "ems_mode=2"]);
    expect(fake.holding(13049)).toBe(2);
  });

  it("apply exits non-zero and names the register that did not stick", async () => {
    fake = await startFakeInverter({ profile: "victron-gx" });
    fake.ignoreWrites("grid_setpoint");
    const { code, err } = await cli([
      "apply",
      ...target(fake, "victron-gx"),
      "--mode",
      "export",
      "--power-w",
      "1500",
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/register 'grid_setpoint' did not stick/);
    expect(err.trim().split("\n")).toHaveLength(1);
  });

  it.each([
    [["apply", "--host", "127.0.0.1", "--profile", "sunspec"], /--mode is required/],
    [["apply", "--host", "127.0.0.1", "--profile", "sunspec", "--mode", "turbo"], /--mode must be one of/],
    [["read", "--host", "127.0.0.1", "--profile", "sunspec", "--port", "http"], /--port must be a number/],
    [["read", "--profile", "sunspec"], /--host \(or --serial-port\) is required/],
    [["read", "--host", "127.0.0.1", "--profile", "nope"], /unknown Modbus profile 'nope'/],
    [["read", "--host", "127.0.0.1", "--profile", "sunspec", "--colour", "red"], /unknown option --colour/],
    [["frobnicate"], /unknown action 'frobnicate'/],
  ])("rejects bad arguments %j with exit 2 and one line", async (args, message) => {
    const { code, err, out } = await cli(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(out).toBe("");
  });

  it("profiles lists the built-in profiles", async () => {
    const { code, out } = await cli(["profiles"]);
    expect(code).toBe(0);
    expect(JSON.parse(out).map((p: { name: string }) => p.name)).toContain("victron-gx");
  });

  it("runs as a real command through the CLI entry point", async () => {
    fake = await startFakeInverter({ profile: "sunspec", socPct: 42 });
    const { stdout } = await promisify(execFile)(
      "npx",
      ["tsx", "src/cli.ts", "modbus", "read", ...target(fake, "sunspec")],
      { cwd: process.cwd() },
    );
    expect(JSON.parse(stdout).state.socPct).toBe(42);
  });
});
