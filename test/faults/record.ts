// The fault suite's ledger: every fault case says what it tried, whether the add-on survived it and
// how long recovery took. The global teardown (table.ts) prints the rows as one table, the figures
// the README quotes. Rows go to a JSON-lines file because vitest runs test files in separate forks.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FAULT_REPORT = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  ".faults",
  "report.jsonl",
);

export interface FaultRow {
  /** Area of the add-on under fault: "ha", "mqtt", "modbus", "files", "clock", "inputs", "stop"… */
  area: string;
  /** What was done to it, in a few words: "broker restart with retained export". */
  fault: string;
  /** How many variants of the fault were tried (fuzz runs, loop iterations). */
  tried: number;
  /** How many of them the add-on came through as it should. */
  survived: number;
  /** Worst time from the fault ending (or being injected) to the safe or planned state, in ms. */
  recoveryMs?: number;
  /** The bound the code promises for that recovery, in ms (src/runtime/README.md). */
  boundMs?: number;
}

export function recordFault(row: FaultRow): void {
  mkdirSync(dirname(FAULT_REPORT), { recursive: true });
  appendFileSync(FAULT_REPORT, `${JSON.stringify(row)}\n`);
}

/** Milliseconds from `startMs` until `check()` holds, polling; throws after `timeoutMs`. */
export async function timeUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  startMs = Date.now(),
): Promise<number> {
  for (;;) {
    if (await check()) return Date.now() - startMs;
    if (Date.now() - startMs > timeoutMs) throw new Error(`condition not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
