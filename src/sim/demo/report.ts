// What the demo prints: the plan as a table, one line per executed slot, and the bill. Plain text
// for a terminal; times in the home's zone.
import { DateTime } from "luxon";
import type { StoredPlan } from "../../runtime/ports.js";

export interface ExecutedSlot {
  startMs: number;
  /** What the runtime told the inverter (its command), or "-" before the first one. */
  command: string;
  /** What the inverter ended up doing most of the slot. */
  inverterMode: string;
  socPct: number;
  batteryKwh: number;
  importKwh: number;
  exportKwh: number;
  importPricePerKwh: number;
  exportPricePerKwh: number;
  cost: number;
  idleCost: number;
}

const money = (value: number) => value.toFixed(2).padStart(7);
const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("ccc HH:mm");

export function formatStoredPlan(stored: StoredPlan, zone: string, maxRows = 48): string {
  const { plan, capacityKwh } = stored;
  const lines = [
    `Plan v${stored.planVersion} (${stored.reason}), ${plan.slots.length} slots:`,
    "  time        import  export  mode       power W  SOC %   cost",
  ];
  for (const slot of plan.slots.slice(0, maxRows)) {
    lines.push(
      `  ${local(slot.startMs, zone)}  ${slot.importPricePerKwh.toFixed(3).padStart(6)}  ${slot.exportPricePerKwh
        .toFixed(3)
        .padStart(6)}  ${slot.mode.padEnd(9)} ${Math.round(slot.powerW).toString().padStart(8)}  ${(
        (slot.socKwh / capacityKwh) *
        100
      )
        .toFixed(0)
        .padStart(5)}  ${money(slot.cost)}`,
    );
  }
  if (plan.slots.length > maxRows) lines.push(`  … ${plan.slots.length - maxRows} more slots`);
  const s = plan.summary;
  lines.push(
    `  horizon: net cost ${s.netCost.toFixed(2)}, battery idle ${s.idleCost.toFixed(2)}, saving ${s.saving.toFixed(2)}, ${s.modeChanges} mode changes`,
  );
  return lines.join("\n");
}

export const EXECUTED_HEADER =
  "  time       command                      inverter   SOC %  batt kWh  import  export   cost  no-battery";

export function formatExecutedSlot(row: ExecutedSlot, zone: string): string {
  return `  ${local(row.startMs, zone)}  ${row.command.padEnd(28)} ${row.inverterMode.padEnd(9)} ${row.socPct
    .toFixed(0)
    .padStart(
      5,
    )}  ${row.batteryKwh.toFixed(2).padStart(8)}  ${row.importKwh.toFixed(2).padStart(6)}  ${row.exportKwh
    .toFixed(2)
    .padStart(6)} ${money(row.cost)} ${money(row.idleCost)}`;
}

export function formatBill(rows: readonly ExecutedSlot[], currency: string): string {
  const bill = rows.reduce((sum, r) => sum + r.cost, 0);
  const idle = rows.reduce((sum, r) => sum + r.idleCost, 0);
  return [
    `Bill for the simulated ${rows.length} slots: ${bill.toFixed(2)} ${currency} with the battery, ${idle.toFixed(2)} ${currency} with no battery`,
    `Saving: ${(idle - bill).toFixed(2)} ${currency}`,
  ].join("\n");
}
