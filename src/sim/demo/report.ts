// What the demo prints: the first plan as a table, one line per settled slot, and the bill. Plain
// text for a terminal; times in the home's zone; every money and energy column says its unit.
import { DateTime } from "luxon";
import type { StoredPlan } from "../../runtime/ports.js";
import type { TwinSlot } from "../twin/run-day.js";

const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("ccc HH:mm");
const money = (value: number, width = 8) => value.toFixed(2).padStart(width);

export function formatStoredPlan(stored: StoredPlan, zone: string, currency: string, maxRows = 48): string {
  const { plan, capacityKwh } = stored;
  const lines = [
    `Plan v${stored.planVersion} (${stored.reason}), ${plan.slots.length} slots:`,
    `  time       import ${currency}/kWh  export ${currency}/kWh  mode       power W  SOC %  cost ${currency}`,
  ];
  for (const slot of plan.slots.slice(0, maxRows)) {
    lines.push(
      [
        `  ${local(slot.startMs, zone)} `,
        slot.importPricePerKwh.toFixed(3).padStart(14),
        slot.exportPricePerKwh.toFixed(3).padStart(15),
        `  ${slot.mode.padEnd(9)}`,
        Math.round(slot.powerW).toString().padStart(8),
        ((slot.socKwh / capacityKwh) * 100).toFixed(0).padStart(6),
        money(slot.cost, 9),
      ].join(""),
    );
  }
  if (plan.slots.length > maxRows) lines.push(`  … ${plan.slots.length - maxRows} more slots`);
  const s = plan.summary;
  lines.push(
    `  horizon: net cost ${s.netCost.toFixed(2)} ${currency}, battery idle ${s.idleCost.toFixed(2)} ${currency}, saving ${s.saving.toFixed(2)} ${currency}, ${s.modeChanges} mode changes`,
  );
  return lines.join("\n");
}

export function executedHeader(currency: string): string {
  return `  time       command                   inverter   SOC %  battery kWh  import kWh  export kWh  cost ${currency}  idle ${currency}`;
}

export function formatExecutedSlot(row: TwinSlot, idleCost: number, zone: string): string {
  // + into the battery, − out of it (AC energy).
  const batteryKwh = row.chargeKwh - row.dischargeKwh;
  return [
    `  ${local(row.startMs, zone)}  ${row.command.padEnd(25)} ${row.inverterMode.padEnd(9)}`,
    row.socPct.toFixed(0).padStart(6),
    batteryKwh.toFixed(2).padStart(13),
    row.importKwh.toFixed(2).padStart(12),
    row.exportKwh.toFixed(2).padStart(12),
    money(row.cost, 10),
    money(idleCost, 10),
  ].join("");
}

export interface Bill {
  currency: string;
  slots: number;
  /** Σ slot costs with the battery run by the add-on. */
  billCost: number;
  startSocPct: number;
  endSocPct: number;
  storedGainKwh: number;
  terminalValuePerKwh: number;
  /** billCost less the stored energy gained at the terminal value. */
  netCost: number;
  idleCost: number;
  selfUseNetCost: number;
  hindsightNetCost: number;
}

export function formatBill(bill: Bill): string {
  const c = bill.currency;
  const credit = bill.storedGainKwh * bill.terminalValuePerKwh;
  const possible = bill.idleCost - bill.hindsightNetCost;
  const share = possible > 1e-9 ? ((bill.idleCost - bill.netCost) / possible) * 100 : 100;
  return [
    `Bill for the ${bill.slots} simulated slots: ${bill.billCost.toFixed(2)} ${c} paid with the add-on running the battery`,
    `Battery ${bill.startSocPct.toFixed(0)}% → ${bill.endSocPct.toFixed(0)}%: ${bill.storedGainKwh >= 0 ? "+" : ""}${bill.storedGainKwh.toFixed(2)} kWh stored, worth ${credit.toFixed(2)} ${c} at the plan's terminal value of ${bill.terminalValuePerKwh.toFixed(3)} ${c}/kWh`,
    `Net cost ${bill.netCost.toFixed(2)} ${c}   battery idle ${bill.idleCost.toFixed(2)} ${c}   self-use only ${bill.selfUseNetCost.toFixed(2)} ${c}   hindsight optimum ${bill.hindsightNetCost.toFixed(2)} ${c}`,
    `Saving: ${(bill.idleCost - bill.netCost).toFixed(2)} ${c} against idle, ${(bill.selfUseNetCost - bill.netCost).toFixed(2)} ${c} against self-use only; ${share.toFixed(1)}% of the ${possible.toFixed(2)} ${c} the hindsight optimum saves`,
  ].join("\n");
}
