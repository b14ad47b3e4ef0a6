// buildah, as the rehearsal drives it: vfs storage in a directory of its own (no daemon, no
// overlay mounts), and what an image's config says to run.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { z } from "zod";

const exec = promisify(execFile);

export interface Store {
  root: string;
  runroot: string;
}

export function storeArgs(store: Store): string[] {
  return ["--storage-driver", "vfs", "--root", store.root, "--runroot", store.runroot];
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function buildah(store: Store, args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await exec("buildah", [...storeArgs(store), ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

// Docker's image config, which keeps HEALTHCHECK (OCI's has no field for it).
const dockerConfig = z.object({
  Docker: z.object({
    config: z.object({
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().nullish(),
      Env: z.array(z.string()).nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      Healthcheck: z.object({ Test: z.array(z.string()) }).nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    }),
  }),
});

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  env: string[];
  labels: Record<string, string>;
  /** The HEALTHCHECK command as argv, if the image has one in exec form. */
  healthcheck?: string[];
  exposedPorts: string[];
}

export async function imageConfig(store: Store, image: string): Promise<ImageConfig> {
  const result = await buildah(store, ["inspect", "--type", "image", image]);
  if (result.code !== 0) throw new Error(`buildah inspect ${image}: ${result.stderr.trim()}`);
  const { config } = dockerConfig.parse(JSON.parse(result.stdout)).Docker;
  const test = config.Healthcheck?.Test;
  return {
    entrypoint: config.Entrypoint ?? [],
    cmd: config.Cmd ?? [],
    workingDir: config.WorkingDir ?? "/",
    env: config.Env ?? [],
    labels: config.Labels ?? {},
    ...(test?.[0] === "CMD" ? { healthcheck: test.slice(1) } : {}),
    exposedPorts: Object.keys(config.ExposedPorts ?? {}),
  };
}
