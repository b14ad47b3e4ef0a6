import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/types.js";
import { MAX_DATA_FILE_BYTES } from "../../src/runtime/atomic-file.js";
import {
  FUTURE_TOLERANCE_MS,
  openPlanStore,
  PLAN_FILE,
  type PlanCandidate,
  VERSION_FILE,
} from "../../src/runtime/plan-store.js";
import { tempDir } from "./helpers.js";

const emptyPlan: Plan = {
  slots: [],
  summary: { netCost: 0, idleCost: 0, saving: 0, modeChanges: 0, finalSocKwh: 5 },
};

function candidate(inputsReadAtMs: number, reason = "test"): PlanCandidate {
  return {
    inputsReadAtMs,
    computedAtMs: inputsReadAtMs,
    reason,
    inputsFingerprint: "f",
    capacityKwh: 10,
    plan: emptyPlan,
  };
}

describe("plan store", () => {
  it("gives every committed plan the next version", async () => {
    const store = await openPlanStore(await tempDir());
    const a = await store.commit(candidate(1));
    const b = await store.commit(candidate(2));
    expect(a.committed && a.plan.planVersion).toBe(1);
    expect(b.committed && b.plan.planVersion).toBe(2);
  });

  it("restores the plan and never reuses a version across restarts", async () => {
    const dir = await tempDir();
    const first = await openPlanStore(dir);
    await first.commit(candidate(1));
    await first.commit(candidate(2));
    const second = await openPlanStore(dir);
    expect(second.latest()?.planVersion).toBe(2);
    const next = await second.commit(candidate(3));
    expect(next.committed && next.plan.planVersion).toBe(3);
  });

  it("keeps counting up even when the plan file is lost", async () => {
    const dir = await tempDir();
    const first = await openPlanStore(dir);
    await first.commit(candidate(1));
    await first.commit(candidate(2));
    await writeFile(join(dir, PLAN_FILE), "{ broken");
    const second = await openPlanStore(dir);
    expect(second.latest()).toBeUndefined();
    const next = await second.commit(candidate(3));
    expect(next.committed && next.plan.planVersion).toBe(3);
  });

  it("keeps counting up when both the plan and the version file are damaged", async () => {
    const dir = await tempDir();
    const first = await openPlanStore(dir);
    for (let i = 1; i <= 7; i++) await first.commit(candidate(i));
    await writeFile(join(dir, PLAN_FILE), "\u0000\u0000garbage");
    await writeFile(join(dir, VERSION_FILE), "");
    const second = await openPlanStore(dir);
    expect(second.latest()).toBeUndefined();
    const next = await second.commit(candidate(8));
    expect(next.committed && next.plan.planVersion).toBe(8);
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith(`${PLAN_FILE}.damaged-`))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith(`${VERSION_FILE}.damaged-`))).toHaveLength(1);
  });

  it("a plan file far larger than any plan is moved aside unread", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, PLAN_FILE), Buffer.alloc(MAX_DATA_FILE_BYTES + 1));
    const store = await openPlanStore(dir);
    expect(store.latest()).toBeUndefined();
    expect((await readdir(dir)).filter((n) => n.startsWith(`${PLAN_FILE}.damaged-`))).toHaveLength(1);
  });

  it("a damaged plan file is moved aside, not overwritten by the next plan", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, PLAN_FILE), '{"planVersion": 41, "trunc');
    const store = await openPlanStore(dir);
    await store.commit(candidate(1));
    const aside = (await readdir(dir)).find((n) => n.startsWith(`${PLAN_FILE}.damaged-`));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), "utf8")).toBe('{"planVersion": 41, "trunc');
  });

  it("a stored plan from inputs read in the future (the clock went back) is replaced", async () => {
    const store = await openPlanStore(await tempDir());
    const now = Date.parse("2025-01-14T12:00:00Z");
    await store.commit(candidate(now + 3 * 3_600_000, "made while the clock was 3 h ahead"));
    const after = await store.commit(candidate(now, "after NTP fixed the clock"));
    expect(after).toMatchObject({ committed: true, plan: { planVersion: 2 } });
    expect(store.latest()?.reason).toBe("after NTP fixed the clock");
  });

  it("a stored plan only slightly ahead still wins (a plan from older inputs is stale)", async () => {
    const store = await openPlanStore(await tempDir());
    const now = Date.parse("2025-01-14T12:00:00Z");
    await store.commit(candidate(now + FUTURE_TOLERANCE_MS, "newer"));
    const late = await store.commit(candidate(now, "older"));
    expect(late).toMatchObject({ committed: false, reason: "superseded" });
  });

  it("a re-committed stored plan gets the next version, not the one it carries", async () => {
    const store = await openPlanStore(await tempDir());
    const first = await store.commit(candidate(1));
    const again = await store.commit({
      ...(first.committed ? first.plan : {}),
      ...candidate(2),
    } as PlanCandidate);
    expect(again.committed && again.plan.planVersion).toBe(2);
  });

  it("a slow plan from older inputs never replaces a newer one", async () => {
    const store = await openPlanStore(await tempDir());
    let finishSlow!: () => void;
    const slowInputsReadAt = 1_000;
    const slow = new Promise<void>((resolve) => {
      finishSlow = resolve;
    }).then(() => store.commit(candidate(slowInputsReadAt, "slow")));
    const fast = await store.commit(candidate(2_000, "fast"));
    finishSlow();
    const late = await slow;
    expect(fast.committed).toBe(true);
    expect(late).toMatchObject({ committed: false, reason: "superseded" });
    expect(store.latest()?.reason).toBe("fast");
  });

  it("ignores a truncated temporary file left by a crash and cleans it up", async () => {
    const dir = await tempDir();
    const store = await openPlanStore(dir);
    await store.commit(candidate(1, "good"));
    const good = await readFile(join(dir, PLAN_FILE), "utf8");
    await writeFile(join(dir, `.${PLAN_FILE}.tmp-999-1`), good.slice(0, good.length / 2));
    const reopened = await openPlanStore(dir);
    expect(reopened.latest()?.reason).toBe("good");
    expect((await readdir(dir)).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  it("a writer killed with SIGKILL mid-write leaves the previous plan readable", async () => {
    const dir = await tempDir();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "children/write-plans.ts"), dir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
      child.on("exit", () => reject(new Error("child exited early")));
    });
    // Let it get into later writes (each is large), then kill it without warning.
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const store = await openPlanStore(dir);
    const plan = store.latest();
    expect(plan?.plan.slots).toHaveLength(5000);
    expect(plan?.reason).toBe(`child ${plan?.planVersion}`);
    const next = await store.commit(candidate(Number.MAX_SAFE_INTEGER));
    expect(next.committed && next.plan.planVersion).toBeGreaterThan(plan!.planVersion);
  });
});
