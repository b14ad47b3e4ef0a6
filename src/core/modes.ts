// Mode semantics: what the inverter physically does during a slot in each mode, given the real
// load and PV. The optimiser labels every planned slot with a command whose execution against
// the forecast reproduces the planned battery flows, and the simulator executes plans with this
// same function against actuals, so plans and execution cannot drift apart. See README.md here.
import { type SettleSlot, settleSlot } from "./physics.js";
import type { BatterySpec, Command, GridSpec, Mode } from "./types.js";

export interface ModeCommand {
  mode: Mode;
  /**
   * charge: stop charging here; export: stop discharging here; hold: PV surplus charges up to
   * here; self-use: do not discharge below here (a floor above the reserve).
   */
  targetSocKwh?: number;
  /** charge/export: AC power (sign ignored); defaults to the battery's limit. */
  powerW?: number;
}

/** The mode model's form of an inverter command: its SOC target in kWh of this battery. */
export function modeCommandOf(command: Command, capacityKwh: number): ModeCommand {
  return {
    mode: command.mode,
    ...(command.targetSocPct !== undefined
      ? { targetSocKwh: (command.targetSocPct / 100) * capacityKwh }
      : {}),
    ...(command.powerW !== undefined ? { powerW: command.powerW } : {}),
  };
}

export interface ModeOutcome {
  chargeKwh: number;
  dischargeKwh: number;
  importKwh: number;
  exportKwh: number;
  curtailedKwh: number;
  socKwh: number;
  error?: string;
}

/** Largest AC charge the battery can take from socKwh (power, headroom, import limit). */
function chargeRoomKwh(
  slot: SettleSlot,
  socKwh: number,
  stopSocKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): number {
  const byPower = battery.maxChargeKw * hours;
  const byStore = (Math.min(stopSocKwh, battery.capacityKwh) - socKwh) / battery.chargeEfficiency;
  const byImport = grid.maxImportKw * hours - (slot.loadKwh - slot.pvKwh);
  return Math.max(0, Math.min(byPower, byStore, byImport));
}

/** Largest AC discharge down to stopSocKwh (power, stored energy, export limit). */
function dischargeRoomKwh(
  slot: SettleSlot,
  socKwh: number,
  stopSocKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): number {
  const byPower = battery.maxDischargeKw * hours;
  const byStore = (socKwh - Math.max(stopSocKwh, battery.minSocKwh)) * battery.dischargeEfficiency;
  // PV can be curtailed entirely, so only the battery's own export counts against the limit.
  const byExport = slot.loadKwh + grid.maxExportKw * hours;
  return Math.max(0, Math.min(byPower, byStore, byExport));
}

/** Battery AC flows of a command: [chargeKwh, dischargeKwh]. */
export function modeFlows(
  command: ModeCommand,
  slot: SettleSlot,
  socKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): [number, number] {
  const netKwh = slot.loadKwh - slot.pvKwh;
  const powerKwh =
    command.powerW === undefined ? Number.POSITIVE_INFINITY : (Math.abs(command.powerW) * hours) / 1000;
  switch (command.mode) {
    case "self-use": {
      if (netKwh >= 0) {
        const floor = command.targetSocKwh ?? battery.minSocKwh;
        return [0, Math.min(netKwh, dischargeRoomKwh(slot, socKwh, floor, battery, grid, hours))];
      }
      return [Math.min(-netKwh, chargeRoomKwh(slot, socKwh, battery.capacityKwh, battery, grid, hours)), 0];
    }
    case "hold": {
      const cap = command.targetSocKwh ?? battery.capacityKwh;
      return [Math.min(Math.max(0, -netKwh), chargeRoomKwh(slot, socKwh, cap, battery, grid, hours)), 0];
    }
    case "charge": {
      const target = command.targetSocKwh ?? battery.capacityKwh;
      return [Math.min(powerKwh, chargeRoomKwh(slot, socKwh, target, battery, grid, hours)), 0];
    }
    case "export": {
      const target = command.targetSocKwh ?? battery.minSocKwh;
      return [0, Math.min(powerKwh, dischargeRoomKwh(slot, socKwh, target, battery, grid, hours))];
    }
  }
}

/** What the inverter does in a slot when given `command`, against the real load and PV. */
export function executeMode(
  command: ModeCommand,
  slot: SettleSlot,
  socKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): ModeOutcome {
  const [chargeKwh, dischargeKwh] = modeFlows(command, slot, socKwh, battery, grid, hours);
  const flows = settleSlot(slot, chargeKwh, dischargeKwh, grid, hours);
  const outcome: ModeOutcome = {
    chargeKwh,
    dischargeKwh,
    importKwh: flows.importKwh,
    exportKwh: flows.exportKwh,
    curtailedKwh: flows.curtailedKwh,
    socKwh: socKwh + chargeKwh * battery.chargeEfficiency - dischargeKwh / battery.dischargeEfficiency,
  };
  if (flows.error !== undefined) outcome.error = flows.error;
  return outcome;
}

const SAME_FLOW_KWH = 1e-9;

function reproduces(
  command: ModeCommand,
  chargeKwh: number,
  dischargeKwh: number,
  slot: SettleSlot,
  socKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): boolean {
  const [c, d] = modeFlows(command, slot, socKwh, battery, grid, hours);
  return Math.abs(c - chargeKwh) <= SAME_FLOW_KWH && Math.abs(d - dischargeKwh) <= SAME_FLOW_KWH;
}

/**
 * The command in `mode` that makes the battery move `flowKwh` (+ charge, − discharge) from
 * socKwh, or undefined when that mode cannot produce this flow. Self-use and hold get their
 * natural limit (the reserve as floor, full as cap) unless the flow needs a tighter one: then the
 * battery still follows the real load and PV where the plan has no reason to stop it.
 */
export function commandFor(
  mode: Mode,
  flowKwh: number,
  slot: SettleSlot,
  socKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): ModeCommand | undefined {
  const chargeKwh = Math.max(0, flowKwh);
  const dischargeKwh = Math.max(0, -flowKwh);
  if (mode === "self-use" || mode === "hold") {
    const natural: ModeCommand = {
      mode,
      targetSocKwh: mode === "self-use" ? battery.minSocKwh : battery.capacityKwh,
    };
    if (reproduces(natural, chargeKwh, dischargeKwh, slot, socKwh, battery, grid, hours)) return natural;
  }
  const endSocKwh =
    socKwh + chargeKwh * battery.chargeEfficiency - dischargeKwh / battery.dischargeEfficiency;
  const command: ModeCommand = { mode, targetSocKwh: endSocKwh };
  if (mode === "charge") command.powerW = (chargeKwh / hours) * 1000;
  if (mode === "export") command.powerW = -(dischargeKwh / hours) * 1000;
  return reproduces(command, chargeKwh, dischargeKwh, slot, socKwh, battery, grid, hours)
    ? command
    : undefined;
}

/**
 * The plainest mode that produces a flow: self-use where the inverter would do it unprompted,
 * hold to keep the battery from discharging (or to take only part of the PV surplus), and
 * charge/export only where the grid is used on purpose.
 */
export function describeFlow(
  flowKwh: number,
  slot: SettleSlot,
  socKwh: number,
  battery: BatterySpec,
  grid: GridSpec,
  hours: number,
): ModeCommand {
  let order: readonly Mode[] = flowKwh > 0 ? ["self-use", "hold", "charge"] : ["self-use", "hold", "export"];
  if (flowKwh === 0) {
    // An idle battery is self-use only where self-use would leave it idle anyway.
    const [c, d] = modeFlows({ mode: "self-use" }, slot, socKwh, battery, grid, hours);
    order = c + d <= SAME_FLOW_KWH ? ["self-use", "hold"] : ["hold", "self-use"];
  }
  for (const mode of order) {
    const command = commandFor(mode, flowKwh, slot, socKwh, battery, grid, hours);
    if (command) return command;
  }
  // Only reachable for flows outside the physical limits; say what was asked.
  return flowKwh > 0
    ? {
        mode: "charge",
        targetSocKwh: socKwh + flowKwh * battery.chargeEfficiency,
        powerW: (flowKwh / hours) * 1000,
      }
    : {
        mode: "export",
        targetSocKwh: socKwh + flowKwh / battery.dischargeEfficiency,
        powerW: (flowKwh / hours) * 1000,
      };
}
