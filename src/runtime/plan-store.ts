// The plan store: the newest plan, persisted atomically under the data directory, with a version
// that only ever increases (also across restarts, also when the plan file is lost) and a
// compare-and-set commit, so a slow plan made from older inputs never replaces a newer one.
//
// The version's high-water mark is kept three ways: in the plan, in plan-version.json, and in the
// name of an empty marker file (plan-version-<N>.mark, moved on by rename). A name has no content
// to truncate or garble, so the version keeps counting up even when both JSON files are damaged.
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { MODES } from "../core/types.js";
import { createLogger } from "../log.js";
import { readJsonFile, removeStaleTemps, writeFileAtomic } from "./atomic-file.js";
import type { StoredPlan } from "./ports.js";
import { createSerialQueue } from "./serial.js";
import { JUMP_TOLERANCE_MS } from "./wall-timer.js";

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
  forced: z.boolean().optional(),
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
export const VERSION_FILE = "plan-version.json";
const MARKER = /^plan-version-(\d+)\.mark$/;
const markerName = (version: number) => `plan-version-${version}.mark`;
/**
 * A stored plan's inputs were read before it was committed, so before any later candidate was
 * computed. One whose inputs were read later than this after the candidate was computed comes
 * from a clock that ran ahead (a wrong boot time NTP later corrected): trusting it would discard
 * every new plan until the wall clock caught up with it.
 */
export const FUTURE_TOLERANCE_MS = JUMP_TOLERANCE_MS;

const log = createLogger("store");

export async function openPlanStore(dataDir: string): Promise<PlanStore> {
  await mkdir(dataDir, { recursive: true });
  await removeStaleTemps(dataDir);
  let current = await readJsonFile(join(dataDir, PLAN_FILE), storedPlanSchema);
  const stored = await readJsonFile(join(dataDir, VERSION_FILE), versionSchema);
  const markers = await readMarkers(dataDir);
  let highest = Math.max(current?.planVersion ?? 0, stored?.highestPlanVersion ?? 0, ...markers);
  let marker = Math.max(0, ...markers);
  // More than one marker: a crash between creating the first and removing the rest. Keep the top.
  await Promise.all(
    markers
      .filter((v) => v !== marker)
      .map((v) => unlink(join(dataDir, markerName(v))).catch(() => undefined)),
  );
  if (!current && highest > 0) log.warn(`no readable plan; the next plan will be version ${highest + 1}`);
  const serial = createSerialQueue();

  const moveMarker = async (version: number) => {
    if (marker > 0) await rename(join(dataDir, markerName(marker)), join(dataDir, markerName(version)));
    else await (await open(join(dataDir, markerName(version)), "w")).close();
    marker = version;
  };

  return {
    latest: () => current,
    commit: (candidate) =>
      serial(async (): Promise<CommitResult> => {
        if (current && candidate.inputsReadAtMs < current.inputsReadAtMs) {
          if (current.inputsReadAtMs <= candidate.computedAtMs + FUTURE_TOLERANCE_MS) {
            return { committed: false, reason: "superseded", current };
          }
          log.warn(
            `the stored plan v${current.planVersion} was made from inputs read at ` +
              `${new Date(current.inputsReadAtMs).toISOString()}, in the future: the clock went back; replacing it`,
          );
        }
        // The version goes first in the file, so even a truncated plan shows which one it was.
        // A candidate that still carries a version (a stored plan, re-committed) does not keep it.
        const { planVersion: _given, ...rest } = candidate as PlanCandidate & { planVersion?: number };
        const plan: StoredPlan = { planVersion: highest + 1, ...rest };
        // The high-water marks go first: if the plan write is lost, the version still never repeats.
        await moveMarker(plan.planVersion);
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

async function readMarkers(dataDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dataDir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const version = Number(MARKER.exec(n)?.[1]);
    return Number.isSafeInteger(version) && version > 0 ? [version] : [];
  });
}
