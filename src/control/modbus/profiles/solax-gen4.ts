// SolaX Gen4 hybrids (X1/X3-Hybrid G4) through remote control "mode 1": one block of holding
// registers from 0x7C, written whole in a single request, that holds for `duration` seconds and is
// not stored in EEPROM. SolaX's "active power" is battery power − PV power (+ charging), so the
// block is recomputed from the live PV reading on every refresh, well before the duration runs out.
// 32-bit values are sent low word first. Experimental: written from the community integration's
// documentation, not yet tried on a device; whether the block reads back as written is unverified.
import type { ModbusProfileInput } from "../profile-schema.js";

const DURATION_SECONDS = 120;
const DISABLED = 0;
const POWER_CONTROL = 1;
const SET = 1;

type Extra = { type?: "s32"; wordOrder?: "low-first"; min?: number; max?: number };
const rc = (address: number, description: string, extra: Extra = {}) => ({
  address,
  writable: true,
  description,
  ...extra,
});
const s32 = { type: "s32" as const, wordOrder: "low-first" as const };
const live = (factor: number) => ({ from: "powerW" as const, factor, minusRead: "pvPowerW" as const });

const block = (active: ReturnType<typeof live>) => [
  { register: "rc_mode", value: { const: POWER_CONTROL } },
  { register: "rc_set_type", value: { const: SET } },
  { register: "rc_active_power", value: active },
  { register: "rc_duration", value: { const: DURATION_SECONDS } },
];

export const solaxGen4Profile = {
  name: "solax-gen4",
  title: "SolaX Gen4 hybrid (remote control mode 1, experimental)",
  description: "remote control block 0x7C-0x88 re-sent every 40 s; active power = battery − PV",
  defaultUnitId: 1,
  registers: {
    rc_mode: rc(0x7c, "remote control: 0 disabled, 1 power control"),
    rc_set_type: rc(0x7d, "1 set, 2 update"),
    rc_active_power: rc(0x7e, "active power target (W): battery charge − PV", {
      ...s32,
      min: -30_000,
      max: 30_000,
    }),
    rc_reactive_power: rc(0x80, "reactive power target (var)", s32),
    rc_duration: rc(0x82, "seconds the command holds"),
    rc_target_soc: rc(0x83, "target SOC (mode 3 only)"),
    rc_target_energy: rc(0x84, "target energy (Wh, mode 2 only)", s32),
    rc_charge_discharge_power: rc(0x86, "charge/discharge power (W, modes 2/3 only)", s32),
    rc_timeout: rc(0x88, "command timeout (s)"),
    battery_soc: { address: 0x1c, table: "input", description: "battery capacity (%)" },
    battery_power: {
      address: 0x16,
      table: "input",
      type: "s16",
      description: "battery power (W, + charging)",
    },
    pv1_power: { address: 0x0a, table: "input", description: "PV string 1 power (W)" },
    pv2_power: { address: 0x0b, table: "input", description: "PV string 2 power (W)" },
    feedin_power: { address: 0x46, table: "input", ...s32, description: "measured grid power (W, + export)" },
  },
  blocks: {
    remote_control: {
      registers: [
        "rc_mode",
        "rc_set_type",
        "rc_active_power",
        "rc_reactive_power",
        "rc_duration",
        "rc_target_soc",
        "rc_target_energy",
        "rc_charge_discharge_power",
        "rc_timeout",
      ],
    },
  },
  reads: {
    socPct: { add: ["battery_soc"] },
    batteryPowerW: { add: ["battery_power"] },
    pvPowerW: { add: ["pv1_power", "pv2_power"] },
    gridPowerW: { add: ["feedin_power"], factor: -1 },
  },
  modes: {
    "self-use": {
      writes: [
        { register: "rc_mode", value: { const: DISABLED } },
        { register: "rc_set_type", value: { const: SET } },
      ],
      match: [{ register: "rc_mode", equals: DISABLED }],
    },
    charge: {
      writes: block(live(1)),
      match: [
        { register: "rc_mode", equals: POWER_CONTROL },
        { register: "rc_active_power", above: 0 },
      ],
    },
    hold: {
      // Battery power 0: the house runs on PV and grid, PV surplus is exported.
      writes: block(live(0)),
      match: [
        { register: "rc_mode", equals: POWER_CONTROL },
        { register: "rc_active_power", equals: 0 },
      ],
    },
    export: {
      writes: block(live(-1)),
      match: [
        { register: "rc_mode", equals: POWER_CONTROL },
        { register: "rc_active_power", below: 0 },
      ],
    },
  },
  watchdog: { refreshMs: (DURATION_SECONDS * 1000) / 3, touch: ["rc_mode"] },
  notes: [
    "The mode read back is exact only without PV: active power already has the PV taken off.",
    "Charge and export end at their target when the executor says so (mode 1 has no target SOC).",
  ],
} satisfies ModbusProfileInput;
