// A simulated inverter over real Modbus TCP on loopback, for tests and for the demo. It holds the
// register map of one profile's device, acts on the setpoints written to it as that device would,
// and moves its battery when a simulation calls step(). Its own time (for watchdogs) only moves when
// told to (advanceMs, step), so nothing here depends on the wall clock.
//
//   const inverter = await startFakeInverter({ profile: "sungrow-sh", socPct: 40, capacityKwh: 10 });
//   const controller = createModbusController({ profile: "sungrow-sh", host: inverter.host,
//     port: inverter.port, settle_ms: 0, limits });
//   await controller.apply({ mode: "charge", powerW: 3000, targetSocPct: 90 });
//   inverter.step(0.5, loadKw, pvKw); // half an hour later: SOC 55 %, readState() shows it
import type { BatteryParams, DeviceModel, Directive, Flows } from "./device-model.js";
import { huaweiDevice } from "./devices/huawei-sun2000.js";
import { solaxDevice } from "./devices/solax-gen4.js";
import { sungrowDevice } from "./devices/sungrow-sh.js";
import { sunspecDevice } from "./devices/sunspec.js";
import { victronDevice } from "./devices/victron-gx.js";
import {
  type FakeModbusServer,
  type ServerFaults,
  startModbusServer,
  type WriteEvent,
} from "./modbus-tcp-server.js";

export const FAKE_INVERTER_PROFILES = [
  "sunspec",
  "sungrow-sh",
  "victron-gx",
  "huawei-sun2000",
  "solax-gen4",
] as const;
export type FakeInverterProfile = (typeof FAKE_INVERTER_PROFILES)[number];

export interface FakeInverterOptions {
  profile: FakeInverterProfile;
  /** 0 or unset: a free port. */
  port?: number;
  socPct?: number;
  capacityKwh?: number;
  maxChargeW?: number;
  maxDischargeW?: number;
  reservePct?: number;
  /** Stored kWh per AC kWh charged, AC kWh per stored kWh discharged (default 1: lossless). */
  chargeEfficiency?: number;
  dischargeEfficiency?: number;
  /** SunSpec only: where the `SunS` marker sits (40000, 0 or 50000). */
  sunspecBase?: number;
  /** Devices that serve one client at a time (Sungrow WiNet, many loggers). */
  maxClients?: number;
}

export interface FakeInverterState extends Flows {
  mode: Directive["mode"];
  capacityKwh: number;
  /** Simulated time since start. */
  elapsedMs: number;
  /** Times a watchdog reverted the setpoints. */
  reverts: number;
}

export interface FakeInverter {
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  readonly profile: FakeInverterProfile;
  readonly state: FakeInverterState;
  readonly faults: ServerFaults;
  readonly writes: WriteEvent[];
  readonly server: FakeModbusServer;
  /** Advance simulated time: the battery follows the setpoints, the load and the PV for `hours`. */
  step(hours: number, loadKw: number, pvKw: number): FakeInverterState;
  /** Advance simulated time without energy flows (watchdogs only). */
  advanceMs(ms: number): void;
  /** Put the battery at this SOC (a scenario's starting point, a jump in a demo). */
  setSoc(socPct: number): void;
  /** Address of a register by its document name ("StorCtl_Mod", "ems_mode", …). */
  address(label: string): { unitId: number; address: number };
  holding(label: string | number, unitId?: number): number | undefined;
  setHolding(address: number, value: number, unitId?: number): void;
  /** Every holding register of every unit, for "nothing else changed" checks. */
  snapshot(): Map<string, number>;
  /** Acknowledge writes to this register (`words` long) without applying them. */
  ignoreWrites(label: string, words?: number): void;
  failWith(label: string, exceptionCode: number): void;
  dropConnections(): void;
  close(): Promise<void>;
}

function buildDevice(options: FakeInverterOptions, battery: BatteryParams, socPct: number): DeviceModel {
  switch (options.profile) {
    case "sunspec":
      return sunspecDevice(battery, socPct, options.sunspecBase);
    case "sungrow-sh":
      return sungrowDevice(battery, socPct);
    case "victron-gx":
      return victronDevice(battery, socPct);
    case "huawei-sun2000":
      return huaweiDevice(battery, socPct);
    case "solax-gen4":
      return solaxDevice(battery, socPct);
  }
}

export async function startFakeInverter(options: FakeInverterOptions): Promise<FakeInverter> {
  const battery: BatteryParams = {
    capacityKwh: options.capacityKwh ?? 10,
    maxChargeW: options.maxChargeW ?? 5000,
    maxDischargeW: options.maxDischargeW ?? 5000,
    reservePct: options.reservePct ?? 10,
  };
  const device = buildDevice(options, battery, options.socPct ?? 50);
  const serverOptions: { port?: number; maxClients?: number } = {};
  if (options.port !== undefined) serverOptions.port = options.port;
  if (options.maxClients !== undefined) serverOptions.maxClients = options.maxClients;
  const server = await startModbusServer(device.banks, serverOptions);
  const state: FakeInverterState = {
    socPct: options.socPct ?? 50,
    batteryW: 0,
    pvW: 0,
    gridW: 0,
    loadW: 0,
    mode: "self-use",
    capacityKwh: battery.capacityKwh,
    elapsedMs: 0,
    reverts: 0,
  };
  let lastWatchdogWriteMs = 0;
  server.onWrite = (event) => {
    if (device.watchdog?.restarts(event)) lastWatchdogWriteMs = state.elapsedMs;
  };
  const checkWatchdog = () => {
    const watchdog = device.watchdog;
    if (!watchdog) return;
    const after = watchdog.revertAfterMs(device.banks);
    if (after > 0 && state.elapsedMs - lastWatchdogWriteMs >= after) {
      watchdog.revert(device.banks);
      state.reverts += 1;
      lastWatchdogWriteMs = state.elapsedMs;
    }
  };
  const resolve = (label: string | number, unitId?: number) =>
    typeof label === "number" ? { unitId: unitId ?? device.unitId, address: label } : fake.address(label);
  device.publish(state);

  const fake: FakeInverter = {
    host: server.host,
    port: server.port,
    unitId: device.unitId,
    profile: options.profile,
    state,
    faults: server.faults,
    writes: server.writes,
    server,
    step(hours, loadKw, pvKw) {
      const d = device.directive(battery);
      const loadW = loadKw * 1000;
      const pvW = pvKw * 1000;
      let minW = Math.max(d.minW, -battery.maxDischargeW);
      let maxW = Math.min(d.maxW, battery.maxChargeW);
      if (d.pvOnly && minW > 0) minW = Math.min(minW, Math.max(0, pvW - loadW));
      // Stop at the SOC bounds: no more energy than fits (or is left) within this step.
      // Limits are AC power; the SOC moves by the stored energy (losses on the way in and out).
      const etaIn = options.chargeEfficiency ?? 1;
      const etaOut = options.dischargeEfficiency ?? 1;
      const kwhToFull = (((Math.max(d.maxSocPct, 0) - state.socPct) / 100) * battery.capacityKwh) / etaIn;
      const kwhAboveFloor =
        ((state.socPct - Math.min(d.minSocPct, 100)) / 100) * battery.capacityKwh * etaOut;
      maxW = Math.min(maxW, Math.max(0, (kwhToFull * 1000) / hours));
      minW = Math.max(minW, -Math.max(0, (kwhAboveFloor * 1000) / hours));
      if (minW > maxW) minW = maxW;
      const wanted =
        d.activePowerW === undefined ? pvW - loadW + (d.gridSetpointW ?? 0) : d.activePowerW + pvW;
      const batteryW = Math.min(maxW, Math.max(minW, wanted));
      const storedKwh = ((batteryW > 0 ? batteryW * etaIn : batteryW / etaOut) * hours) / 1000;
      state.socPct = Math.min(100, Math.max(0, state.socPct + (storedKwh / battery.capacityKwh) * 100));
      const mode =
        d.activePowerW === undefined ? d.mode : batteryW > 0 ? "charge" : batteryW < 0 ? "export" : "hold";
      Object.assign(state, { batteryW, pvW, loadW, gridW: loadW - pvW + batteryW, mode });
      state.elapsedMs += hours * 3_600_000;
      device.publish(state);
      checkWatchdog();
      return { ...state };
    },
    setSoc(socPct) {
      state.socPct = Math.min(100, Math.max(0, socPct));
      device.publish(state);
    },
    advanceMs(ms) {
      state.elapsedMs += ms;
      checkWatchdog();
    },
    address(label) {
      const found = device.labels[label];
      if (!found) throw new Error(`fake ${options.profile} has no register labelled '${label}'`);
      return found;
    },
    holding(label, unitId) {
      const { unitId: unit, address } = resolve(label, unitId);
      return device.banks.get(unit)?.holding.get(address);
    },
    setHolding(address, value, unitId) {
      device.banks.get(unitId ?? device.unitId)?.holding.set(address, value & 0xffff);
    },
    snapshot() {
      const all = new Map<string, number>();
      for (const [unit, bank] of device.banks) for (const [a, v] of bank.holding) all.set(`${unit}:${a}`, v);
      return all;
    },
    ignoreWrites(label, words = 1) {
      const { address } = fake.address(label);
      for (let i = 0; i < words; i += 1) server.faults.ignoreWritesTo.add(address + i);
    },
    failWith(label, code) {
      server.faults.exceptions.set(fake.address(label).address, code);
    },
    dropConnections: () => server.dropConnections(),
    close: () => server.close(),
  };
  return fake;
}
