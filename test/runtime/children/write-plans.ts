// Child process for the crash tests: commits big plans to a store as fast as it can, and says
// "ready" after the first one, so the parent can kill -9 it in the middle of a later write. Inputs
// are stamped with the real clock, so a child started after another one's plans still commits.
import { openPlanStore } from "../../../src/runtime/plan-store.js";

const dir = process.argv[2]!;
const slots = Array.from({ length: 5000 }, (_, i) => ({
  startMs: i * 1_800_000,
  endMs: (i + 1) * 1_800_000,
  mode: "self-use",
  targetSocKwh: 5,
  powerW: 0,
  chargeKwh: 0,
  dischargeKwh: 0.1,
  importKwh: 0.2,
  exportKwh: 0,
  curtailedKwh: 0,
  socKwh: 5,
  cost: 0.01,
  importPricePerKwh: 0.2,
  exportPricePerKwh: 0.05,
  loadKwh: 0.3,
  pvKwh: 0,
}));
const store = await openPlanStore(dir);
for (let i = 1; ; i++) {
  const nowMs = Date.now();
  const result = await store.commit({
    inputsReadAtMs: nowMs,
    computedAtMs: nowMs,
    reason: `child ${i}`,
    inputsFingerprint: String(i),
    capacityKwh: 10,
    plan: {
      slots: slots as never,
      summary: { netCost: 1, idleCost: 2, saving: 1, modeChanges: 0, finalSocKwh: 5 },
    },
  });
  if (i === 1) process.stdout.write(`ready ${result.committed ? result.plan.planVersion : 0}\n`);
}
