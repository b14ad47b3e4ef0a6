// kill -9 in a loop during plan writes: a child process commits large plans as fast as it can and
// is killed at a random instant, again and again, on the same data directory. Every restart must
// read a whole plan whose version is never lower than one seen before, and never a damaged file.
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { setLogSink } from "../../src/log.js";
import { openPlanStore } from "../../src/runtime/plan-store.js";
import { recordFault } from "./record.js";
import { removeDir, tempDataDir } from "./time-rig.js";

const CHILD = join(import.meta.dirname, "..", "runtime", "children", "write-plans.ts");
const ITERATIONS = 10;

function runAndKill(dir: string, afterReadyMs: number): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise<number>((resolve, reject) => {
    let ready = false;
    child.stdout.on("data", (chunk: Buffer) => {
      const match = /ready (\d+)/.exec(chunk.toString());
      if (!match || ready) return;
      ready = true;
      setTimeout(() => child.kill("SIGKILL"), afterReadyMs);
      child.once("exit", (_code, signal) =>
        signal === "SIGKILL" ? resolve(Number(match[1])) : reject(new Error(`child ended by ${signal}`)),
      );
    });
    child.once("exit", (code) => {
      if (!ready) reject(new Error(`child exited with ${code} before it was ready`));
    });
  });
}

describe("kill -9 during plan writes", () => {
  it(`${ITERATIONS} kills at random instants: each restart reads a whole plan, versions never go back`, {
    timeout: 120_000,
  }, async () => {
    const restoreLog = setLogSink(() => undefined);
    const dir = await tempDataDir();
    try {
      let highestSeen = 0;
      let survived = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        // Random instants within the first few writes (each 5,000-slot plan takes tens of ms).
        const firstVersion = await runAndKill(dir, Math.floor(Math.random() * 200));
        expect(firstVersion).toBeGreaterThan(highestSeen);
        const store = await openPlanStore(dir);
        const plan = store.latest();
        expect(plan?.plan.slots).toHaveLength(5000);
        expect(plan!.planVersion).toBeGreaterThanOrEqual(Math.max(highestSeen, firstVersion));
        expect((await readdir(dir)).filter((n) => n.includes(".damaged-"))).toEqual([]);
        highestSeen = plan!.planVersion;
        survived++;
      }
      // The next version is above every one a killed writer may have handed out.
      const store = await openPlanStore(dir);
      const next = await store.commit({
        ...store.latest()!,
        inputsReadAtMs: Date.now(),
        computedAtMs: Date.now(),
      });
      expect(next.committed && next.plan.planVersion).toBeGreaterThan(highestSeen);
      recordFault({ area: "files", fault: "kill -9 during plan writes (loop)", tried: ITERATIONS, survived });
    } finally {
      restoreLog();
      await removeDir(dir);
    }
  });
});
