// Global set-up and teardown of the fault suite: starts an empty ledger, then prints what every
// fault case recorded as one table (cases tried, survived, worst recovery against its bound).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { FAULT_REPORT, type FaultRow } from "./record.js";

export function setup(): void {
  rmSync(FAULT_REPORT, { force: true });
}

export function teardown(): void {
  if (!existsSync(FAULT_REPORT)) return;
  const rows = readFileSync(FAULT_REPORT, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as FaultRow)
    .sort((a, b) => a.area.localeCompare(b.area) || a.fault.localeCompare(b.fault));
  if (rows.length === 0) return;
  const cells = rows.map((r) => [
    r.area,
    r.fault,
    String(r.tried),
    String(r.survived),
    r.recoveryMs === undefined ? "-" : `${Math.round(r.recoveryMs)} ms`,
    r.boundMs === undefined ? "-" : `${Math.round(r.boundMs)} ms`,
  ]);
  const head = ["area", "fault", "tried", "survived", "worst recovery", "bound"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join("  ");
  const total = rows.reduce(
    (acc, r) => ({ tried: acc.tried + r.tried, survived: acc.survived + r.survived }),
    {
      tried: 0,
      survived: 0,
    },
  );
  process.stdout.write(
    `\nFault suite: ${rows.length} faults, ${total.survived}/${total.tried} cases survived\n${line(head)}\n${widths
      .map((w) => "-".repeat(w))
      .join("  ")}\n${cells.map(line).join("\n")}\n`,
  );
}
