// The optimiser's view of the horizon: per-slot constants in typed arrays and the slot cost as a
// function of the battery's AC flow x (+ charge, − discharge). Same physics as physics.ts, written
// allocation-free because the dynamic programme evaluates it millions of times.
import { slotHours } from "./physics.js";
import type { BatterySpec, GridSpec, SlotInput } from "./types.js";

/** Money per kWh over a grid limit: only pays where the load alone breaks a limit. */
export const LIMIT_PENALTY_PER_KWH = 1e4;

export interface SlotModel {
  n: number;
  battery: BatterySpec;
  /** load − pv per slot. */
  netLoadKwh: Float64Array;
  pvKwh: Float64Array;
  importPrice: Float64Array;
  exportPrice: Float64Array;
  maxImportKwh: Float64Array;
  maxExportKwh: Float64Array;
  maxChargeKwh: Float64Array;
  maxDischargeKwh: Float64Array;
  hours: Float64Array;
}

export function buildSlotModel(
  slots: readonly SlotInput[],
  battery: BatterySpec,
  grid: GridSpec,
  pvKwhOf: (slot: SlotInput) => number,
): SlotModel {
  const n = slots.length;
  const model: SlotModel = {
    n,
    battery,
    netLoadKwh: new Float64Array(n),
    pvKwh: new Float64Array(n),
    importPrice: new Float64Array(n),
    exportPrice: new Float64Array(n),
    maxImportKwh: new Float64Array(n),
    maxExportKwh: new Float64Array(n),
    maxChargeKwh: new Float64Array(n),
    maxDischargeKwh: new Float64Array(n),
    hours: new Float64Array(n),
  };
  slots.forEach((slot, t) => {
    const h = slotHours(slot);
    const pv = pvKwhOf(slot);
    model.hours[t] = h;
    model.pvKwh[t] = pv;
    model.netLoadKwh[t] = slot.loadKwh - pv;
    model.importPrice[t] = slot.importPricePerKwh;
    model.exportPrice[t] = slot.exportPricePerKwh;
    model.maxImportKwh[t] = grid.maxImportKw * h;
    model.maxExportKwh[t] = grid.maxExportKw * h;
    model.maxChargeKwh[t] = battery.maxChargeKw * h;
    model.maxDischargeKwh[t] = battery.maxDischargeKw * h;
  });
  return model;
}

/** Slot cost (import − export revenue + wear) for AC flow x; grid-limit breaches are penalised. */
export function flowCost(m: SlotModel, t: number, x: number): number {
  const net = m.netLoadKwh[t]! + x;
  let cost = x < 0 ? -x * m.battery.cycleCostPerKwh : 0;
  if (net >= 0) {
    cost += net * m.importPrice[t]!;
    const over = net - m.maxImportKwh[t]!;
    if (over > 0) cost += over * LIMIT_PENALTY_PER_KWH;
    return cost;
  }
  const surplus = -net;
  const pe = m.exportPrice[t]!;
  const maxExport = m.maxExportKwh[t]!;
  const forced = surplus - m.pvKwh[t]!;
  if (pe >= 0) cost -= pe * Math.min(surplus, maxExport);
  else if (forced > 0) cost -= pe * forced;
  if (forced > maxExport) cost += (forced - maxExport) * LIMIT_PENALTY_PER_KWH;
  return cost;
}

/** Largest charge (AC kWh) from socKwh in slot t, within power, headroom and the import limit. */
export function maxChargeFrom(m: SlotModel, t: number, socKwh: number): number {
  const b = m.battery;
  let room = (b.capacityKwh - socKwh) / b.chargeEfficiency;
  const power = m.maxChargeKwh[t]!;
  if (power < room) room = power;
  const byImport = m.maxImportKwh[t]! - m.netLoadKwh[t]!;
  if (byImport < room) room = byImport;
  return Math.max(room, 0);
}

/** Largest discharge (AC kWh) from socKwh in slot t, within power, reserve and the export limit. */
export function maxDischargeFrom(m: SlotModel, t: number, socKwh: number): number {
  const b = m.battery;
  let room = (socKwh - b.minSocKwh) * b.dischargeEfficiency;
  const power = m.maxDischargeKwh[t]!;
  if (power < room) room = power;
  const byExport = m.netLoadKwh[t]! + m.pvKwh[t]! + m.maxExportKwh[t]!;
  if (byExport < room) room = byExport;
  return Math.max(room, 0);
}

/** Stored energy after flow x from socKwh. */
export function socAfter(m: SlotModel, socKwh: number, x: number): number {
  return x >= 0 ? socKwh + x * m.battery.chargeEfficiency : socKwh + x / m.battery.dischargeEfficiency;
}
