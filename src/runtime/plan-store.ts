// The plan store: the newest plan, persisted atomically under the data directory, with a version
// that only ever increases (also across restarts, also when the plan file is lost) and a
// compare-and-set commit, so a slow plan made from older inputs never replaces a newer one.
import { join } from "node:path";
import { z } from "zod";
import { MODES } from "../core/types.js";
import { readJsonFile, removeStaleTemps, writeFileAtomic } from "./atomic-file.js";
import type { StoredPlan } from "./ports.js";
import { createSerialQueue } from "./serial.js";

const finite = z.number().refine(Number.isFinite, "must be a finite number");

const planSlotSchema = z.object({
  startMs: finite,
  endMs: finite,
  mode: z.enum(MODES as [string, ...string[]]),
  targetSocKwh: finite,
  powerW: finite,
  chargeKwh: finite,
  dischargeKwh: finite,
  importKwh: finite,
  exportKwh: finite,
  curtailedKwh: finite,
  socKwh: finite,
  cost: finite,
  importPricePerKwh: finite,
  exportPricePerKwh: finite,
  loadKwh: finite,
  pvKwh: finite,
});

export const storedPlanSchema = z.object({
  planVersion: z.number().int().positive(),
  inputsReadAtMs: finite,
  computedAtMs: finite,
  reason: z.string(),
  inputsFingerprint: z.string(),
  capacityKwh: finite,
  plan: z.object({
    slots: z.array(planSlotSchema),
    summary: z.object({
      netCost: finite,
      idleCost: finite,
      saving: finite,
      modeChanges: finite,
      finalSocKwh: finite,
    }),
  }),
  initialSocKwh: finite.optional(),
  ratesFingerprint: z.string().optional(),
  forecastFingerprint: z.string().optional(),
}) as unknown as z.ZodType<StoredPlan>;

const versionSchema = z.object({ highestPlanVersion: z.number().int().min(0) });

export type PlanCandidate = Omit<StoredPlan, "planVersion">;

export type CommitResult =
  | { committed: true; plan: StoredPlan; previous: StoredPlan | undefined }
  | { committed: false; reason: "superseded"; current: StoredPlan };

export interface PlanStore {
  latest(): StoredPlan | undefined;
  /** Stores the candidate as the next version unless the stored plan's inputs are newer. */
  commit(candidate: PlanCandidate): Promise<CommitResult>;
}

export const PLAN_FILE = "plan.json";
const VERSION_FILE = "plan-version.json";

export async function openPlanStore(dataDir: string): Promise<PlanStore> {
  await removeStaleTemps(dataDir);
  let current = await readJsonFile(join(dataDir, PLAN_FILE), storedPlanSchema);
  const stored = await readJsonFile(join(dataDir, VERSION_FILE), versionSchema);
  let highest = Math.max(current?.planVersion ?? 0, stored?.highestPlanVersion ?? 0);
  const serial = createSerialQueue();

  return {
    latest: () => current,
    commit: (candidate) =>
      serial(async (): Promise<CommitResult> => {
        if (current && candidate.inputsReadAtMs < current.inputsReadAtMs) {
          return { committed: false, reason: "superseded", current };
        }
        const plan: StoredPlan = { ...candidate, planVersion: highest + 1 };
        // The high-water mark goes first: if the plan write is lost, the version still never repeats.
        await writeFileAtomic(
          join(dataDir, VERSION_FILE),
          JSON.stringify({ highestPlanVersion: plan.planVersion }),
        );
        highest = plan.planVersion;
        await writeFileAtomic(join(dataDir, PLAN_FILE), JSON.stringify(plan));
        const previous = current;
        current = plan;
        return { committed: true, plan, previous };
      }),
  };
}
