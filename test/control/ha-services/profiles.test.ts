import { afterEach, describe, expect, it } from "vitest";
import { HA_SERVICE_PROFILES } from "../../../src/control/ha-services/profiles/index.js";
import type { ProfileBinding } from "../../../src/control/ha-services/resolve.js";
import type { Command, Mode } from "../../../src/core/types.js";
import { type Rig, startRig } from "./sim-setup.js";

const COMMANDS: Record<Mode, Command> = {
  "self-use": { mode: "self-use" },
  charge: { mode: "charge", targetSocPct: 80, powerW: 2500 },
  hold: { mode: "hold" },
  export: { mode: "export", targetSocPct: 20, powerW: 3000 },
};

interface Case {
  binding: ProfileBinding;
  /** What HA shows after each mode, as the profile's integration documents it. */
  expected: Record<Mode, Record<string, string>>;
  /** Modes readState can tell from the entities. */
  detectable: Mode[];
}

const binding = (name: string, extra: Partial<ProfileBinding> = {}): ProfileBinding => ({
  profile: HA_SERVICE_PROFILES[name]!,
  entities: {},
  values: {},
  ...extra,
});

const CASES: Record<string, Case> = {
  givtcp: {
    binding: binding("givtcp", { prefix: "givtcp_ce1234g567" }),
    expected: {
      "self-use": {
        "select.givtcp_ce1234g567_mode": "Eco",
        "switch.givtcp_ce1234g567_enable_charge_schedule": "off",
        "switch.givtcp_ce1234g567_enable_discharge_schedule": "off",
        "number.givtcp_ce1234g567_battery_discharge_rate": "4000",
      },
      charge: {
        "select.givtcp_ce1234g567_mode": "Eco",
        "switch.givtcp_ce1234g567_enable_charge_schedule": "on",
        // Without Enable_Charge_Target the inverter ignores the 80 % and charges to 100 %.
        "switch.givtcp_ce1234g567_enable_charge_target": "on",
        "number.givtcp_ce1234g567_target_soc": "80",
        "number.givtcp_ce1234g567_battery_charge_rate": "2500",
      },
      hold: {
        "select.givtcp_ce1234g567_mode": "Eco (Paused)",
        "switch.givtcp_ce1234g567_enable_charge_schedule": "off",
      },
      export: {
        "select.givtcp_ce1234g567_mode": "Timed Export",
        "switch.givtcp_ce1234g567_enable_discharge_schedule": "on",
        "number.givtcp_ce1234g567_battery_discharge_rate": "3000",
      },
    },
    detectable: ["self-use", "charge", "hold", "export"],
  },
  solax_modbus: {
    binding: binding("solax_modbus"),
    expected: {
      "self-use": {
        "select.solax_remotecontrol_power_control": "Disabled",
        "number.solax_remotecontrol_autorepeat_duration": "0",
      },
      charge: {
        "select.solax_remotecontrol_power_control": "Enabled Battery Control",
        "number.solax_remotecontrol_active_power": "2500",
        "number.solax_remotecontrol_autorepeat_duration": "3600",
      },
      hold: { "select.solax_remotecontrol_power_control": "Enabled No Discharge" },
      export: {
        "select.solax_remotecontrol_power_control": "Enabled Battery Control",
        "number.solax_remotecontrol_active_power": "-3000",
      },
    },
    detectable: ["self-use", "hold"],
  },
  huawei_solar: {
    binding: binding("huawei_solar", { values: { device_id: "0f3e9c1b2a" } }),
    expected: {
      "self-use": {
        "sensor.batteries_forcible_charge": "Stopped",
        "select.batteries_working_mode": "maximise_self_consumption",
        "number.batteries_maximum_discharging_power": "4000",
      },
      charge: { "sensor.batteries_forcible_charge": "Charging at 2500W until 80%" },
      hold: {
        "sensor.batteries_forcible_charge": "Stopped",
        "number.batteries_maximum_discharging_power": "0",
      },
      export: {
        "sensor.batteries_forcible_charge": "Discharging at 3000W until 20%",
        "number.batteries_maximum_discharging_power": "4000",
      },
    },
    detectable: ["self-use", "charge", "hold", "export"],
  },
  sungrow: {
    binding: binding("sungrow"),
    expected: {
      "self-use": {
        "select.ems_mode": "Self-consumption mode (default)",
        "select.battery_forced_charge_discharge": "Stop (default)",
        "number.battery_max_soc": "100",
        "number.battery_min_soc": "10",
        "number.battery_max_discharge_power": "4000",
      },
      charge: {
        "select.ems_mode": "Forced mode",
        "select.battery_forced_charge_discharge": "Forced charge",
        "number.battery_forced_charge_discharge_power": "2500",
        "number.battery_max_soc": "80",
      },
      hold: {
        "select.ems_mode": "Self-consumption mode (default)",
        "select.battery_forced_charge_discharge": "Stop (default)",
        "number.battery_max_discharge_power": "10",
      },
      export: {
        "select.ems_mode": "Forced mode",
        "select.battery_forced_charge_discharge": "Forced discharge",
        "number.battery_forced_charge_discharge_power": "3000",
        "number.battery_min_soc": "20",
      },
    },
    detectable: ["charge", "export"],
  },
  victron: {
    binding: binding("victron"),
    expected: {
      "self-use": {
        "number.victron_settings_ess_acpowersetpoint": "50",
        "number.victron_settings_ess_maxdischargepower": "4000",
        "number.victron_settings_ess_batterylife_minimumsoc": "10",
      },
      charge: { "number.victron_settings_ess_acpowersetpoint": "2500" },
      hold: {
        "number.victron_settings_ess_acpowersetpoint": "50",
        "number.victron_settings_ess_maxdischargepower": "0",
      },
      export: {
        "number.victron_settings_ess_acpowersetpoint": "-3000",
        "number.victron_settings_ess_maxdischargepower": "4000",
        "number.victron_settings_ess_batterylife_minimumsoc": "20",
      },
    },
    detectable: ["hold"],
  },
  foxess: {
    binding: binding("foxess"),
    expected: {
      "self-use": { "select.work_mode": "Self Use", "number.max_soc": "100", "number.min_soc_on_grid": "10" },
      charge: {
        "select.work_mode": "Force Charge",
        "number.force_charge_power": "2.5",
        "number.max_soc": "80",
      },
      hold: { "select.work_mode": "Back-up" },
      export: {
        "select.work_mode": "Force Discharge",
        "number.force_discharge_power": "3",
        "number.min_soc_on_grid": "20",
      },
    },
    detectable: ["self-use", "charge", "hold", "export"],
  },
  generic: {
    binding: binding("generic", {
      entities: {
        mode_select: "select.inverter_mode",
        charge_power: "number.inverter_charge_power",
        target_soc: "number.inverter_target_soc",
        charge_switch: "switch.inverter_force_charge",
      },
      values: { hold_option: "Battery Hold" },
    }),
    expected: {
      "self-use": { "select.inverter_mode": "Self Use", "switch.inverter_force_charge": "off" },
      charge: {
        "select.inverter_mode": "Force Charge",
        "switch.inverter_force_charge": "on",
        "number.inverter_charge_power": "2500",
        "number.inverter_target_soc": "80",
      },
      hold: { "select.inverter_mode": "Battery Hold", "switch.inverter_force_charge": "off" },
      export: { "select.inverter_mode": "Force Discharge", "number.inverter_target_soc": "20" },
    },
    detectable: ["self-use", "charge", "hold", "export"],
  },
};

describe("HA-service profiles against the simulator", () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  for (const [name, c] of Object.entries(CASES).filter(([, c]) => c.detectable.length === 4)) {
    it(`${name}: settings that fit no mode read as unrecognised (so the executor applies again)`, async () => {
      rig = await startRig(c.binding);
      await rig.controller.apply(COMMANDS.charge);
      // Every entity a mode sets to a word (a select, a switch) holds a word no mode uses.
      for (const [entityId, value] of Object.entries(c.expected.charge)) {
        if (Number.isNaN(Number(value)))
          rig.sim.setState(entityId, "Not a mode", rig.sim.getState(entityId)?.attributes);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const state = await rig.controller.readState();
      expect(state.mode).toBeUndefined();
      expect(state.modeUnrecognised).toBe(true);
    });
  }

  it("covers every profile", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(HA_SERVICE_PROFILES).sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: applies each mode and the entities end as documented, re-applying writes nothing`, async () => {
      rig = await startRig(c.binding);
      for (const mode of ["charge", "hold", "export", "self-use"] as Mode[]) {
        const report = await rig.controller.apply(COMMANDS[mode]);
        expect(report.verified, mode).toBe(true);
        expect(report.mismatches).toEqual([]);
        for (const [entityId, value] of Object.entries(c.expected[mode])) {
          expect(rig.sim.getState(entityId)?.state, `${mode}: ${entityId}`).toBe(value);
        }
        const again = await rig.controller.apply(COMMANDS[mode]);
        // Only buttons that must be pressed every time (SolaX's autorepeat trigger) go out again.
        expect(
          again.written.filter((w) => !w.endsWith("=press")),
          `${mode} again`,
        ).toEqual([]);
        const state = await rig.controller.readState();
        expect(state.socPct).toBe(55);
        if (c.detectable.includes(mode)) expect(state.mode, `${mode} read back`).toBe(mode);
      }
    });
  }

  it("huawei_solar passes the battery's device id to the forcible charge service", async () => {
    rig = await startRig(CASES.huawei_solar!.binding);
    await rig.controller.apply(COMMANDS.charge);
    const call = rig.sim.serviceCalls.find((c) => c.service === "forcible_charge_soc");
    expect(call?.data).toMatchObject({ device_id: "0f3e9c1b2a", target_soc: 80, power: 2500 });
  });

  it("solax_modbus presses the remote control trigger after setting the parameters", async () => {
    rig = await startRig(CASES.solax_modbus!.binding);
    await rig.controller.apply(COMMANDS.export);
    const calls = rig.sim.serviceCalls.map((c) => `${c.domain}.${c.service}`);
    expect(calls.at(-1)).toBe("button.press");
    expect(calls.indexOf("select.select_option")).toBeLessThan(calls.lastIndexOf("button.press"));
  });
});
