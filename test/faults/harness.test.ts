// The ledger itself: a row recorded by a fault case reaches the printed table.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FAULT_REPORT, recordFault, timeUntil } from "./record.js";

describe("fault ledger", () => {
  it("appends rows the teardown table reads", () => {
    recordFault({ area: "harness", fault: "ledger round trip", tried: 1, survived: 1 });
    const rows = readFileSync(FAULT_REPORT, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.some((r) => r.area === "harness" && r.fault === "ledger round trip")).toBe(true);
  });
  it("timeUntil gives up with an error", async () => {
    await expect(timeUntil(() => false, 50)).rejects.toThrow(/not reached/);
  });
});
