// The built add-on as the image runs it (node with the Dockerfile's flags, dist/main.js), against
// the footprint bench's simulated home. Builds dist first when it is missing or older than the
// sources, once for all fault files (a lock directory keeps two forks from compiling at once).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AddonProcess,
  HA_CONTROL,
  type Home,
  type HomeOptions,
  rssKb,
  spawnAddon,
  startHome,
} from "../../bench/footprint.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function stale(): boolean {
  const main = join(ROOT, "dist", "main.js");
  return !existsSync(main) || statSync(main).mtimeMs < newestMtimeMs(join(ROOT, "src"));
}

export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, ".faults", "build.lock");
  for (;;) {
    if (!stale()) return;
    try {
      mkdirSync(join(ROOT, ".faults"), { recursive: true });
      mkdirSync(lock);
    } catch {
      // Another fork is building: wait for it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (stale()) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface RunningAddon {
  home: Home;
  addon: AddonProcess;
  /** RSS samples of the add-on every 250 ms, in kB. */
  rssSamplesKb: number[];
  alive(): boolean;
  /** SIGTERM, then the simulators down; the add-on's exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startAddonInHome(options: HomeOptions): Promise<RunningAddon> {
  await ensureBuilt();
  const home = await startHome(options);
  const addon = spawnAddon(home);
  const rssSamplesKb: number[] = [];
  const sampler = setInterval(() => {
    void rssKb(addon.child.pid!).then((kb) => {
      if (kb !== undefined) rssSamplesKb.push(kb);
    });
  }, 250);
  const alive = () => addon.child.exitCode === null && addon.child.signalCode === null;
  return {
    home,
    addon,
    rssSamplesKb,
    alive,
    async stop() {
      clearInterval(sampler);
      if (alive()) addon.child.kill("SIGTERM");
      const exit = await addon.exited;
      await home.close();
      return exit;
    },
  };
}

export const MODE_SELECT = HA_CONTROL.entities.mode_select;
