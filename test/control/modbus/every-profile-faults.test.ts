// The fault cases, profile by profile, through the command line where a user would meet them:
// `modbus read` against each simulated device, an ignored write naming the register, a dropped
// connection and an exception answer.
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/modbus.js";
import type { ModbusController } from "../../../src/control/modbus/controller.js";
import { ModbusConnectionError, ModbusExceptionError } from "../../../src/control/modbus/errors.js";
import {
  type FakeInverter,
  type FakeInverterProfile,
  startFakeInverter,
} from "../../../src/sim/modbus/fake-inverter.js";
import { deviceAndController } from "./helpers.js";

/** The register each profile's forced modes hinge on, by the device document's name. */
const KEY_REGISTER: Record<FakeInverterProfile, { label: string; name: string; words?: number }> = {
  sunspec: { label: "StorCtl_Mod", name: "StorCtl_Mod" },
  "sungrow-sh": { label: "ems_mode", name: "ems_mode" },
  "victron-gx": { label: "grid_setpoint", name: "grid_setpoint", words: 2 },
  "huawei-sun2000": { label: "forcible_command", name: "forcible_command" },
  "solax-gen4": { label: "rc_mode", name: "rc_mode" },
};
const PROFILES = Object.keys(KEY_REGISTER) as FakeInverterProfile[];

let fake: FakeInverter | undefined;
let controller: ModbusController | undefined;
afterEach(async () => {
  await controller?.close();
  await fake?.close();
  fake = undefined;
  controller = undefined;
});

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const code = await run(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const flags = (f: FakeInverter, profile: string) => [
  ...["--host", f.host, "--port", String(f.port), "--profile", profile],
  ...["--settle-ms", "0", "--gap-ms", "0", "--connect-delay-ms", "0"],
];

describe.each(PROFILES)("%s", (profile) => {
  it("modbus read reports what the device holds", async () => {
    fake = await startFakeInverter({ profile, socPct: 30 });
    fake.step(1, 2, 5);
    const { code, out } = await cli(["read", ...flags(fake, profile)]);
    expect(code).toBe(0);
    // Self-use, 2 kW load, 5 kW PV: 3 kW into the battery, nothing to or from the grid.
    expect(JSON.parse(out).state).toMatchObject({
      socPct: 60,
      batteryPowerW: 3000,
      pvPowerW: 5000,
      gridPowerW: 0,
    });
  });

  it("modbus apply exits non-zero naming the register the device ignored", async () => {
    fake = await startFakeInverter({ profile });
    fake.ignoreWrites(KEY_REGISTER[profile].label, KEY_REGISTER[profile].words);
    const { code, err } = await cli([
      "apply",
      ...flags(fake, profile),
      "--mode",
      "charge",
      "--power-w",
      "2000",
    ]);
    expect(code).toBe(1);
    expect(err).toContain(`register '${KEY_REGISTER[profile].name}' did not stick`);
  });

  it("reconnects after a dropped connection", async () => {
    ({ fake, controller } = await deviceAndController({ profile }));
    await controller.readState();
    fake.dropConnections();
    await expect(controller.apply({ mode: "hold" })).resolves.toMatchObject({ verified: true });
    expect(fake.server.connectionCount).toBe(2);
  });

  it("turns an exception answer into a typed error and carries on", async () => {
    ({ fake, controller } = await deviceAndController({ profile }));
    fake.failWith(KEY_REGISTER[profile].label, 6);
    const error = await controller.apply({ mode: "export", powerW: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModbusExceptionError);
    expect(error).not.toBeInstanceOf(ModbusConnectionError);
    expect((error as ModbusExceptionError).retryable).toBe(true);
    fake.faults.exceptions.clear();
    await expect(controller.apply({ mode: "export", powerW: 1000 })).resolves.toMatchObject({
      verified: true,
    });
  });
});
