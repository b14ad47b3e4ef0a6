import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/types.js";
import { openPlanStore, PLAN_FILE, type PlanCandidate } from "../../src/runtime/plan-store.js";
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
