// Reads the add-on's files from the repo for the tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function repoPath(relative: string): string {
  return `${REPO_ROOT}${relative}`;
}

export function readRepoText(relative: string): string {
  return readFileSync(repoPath(relative), "utf8");
}

export function readRepoYaml(relative: string): unknown {
  return parse(readRepoText(relative));
}

export interface AddonConfigFile {
  version: string;
  options: Record<string, unknown>;
  schema: Record<string, unknown>;
  [key: string]: unknown;
}

export function readAddonConfig(): AddonConfigFile {
  return readRepoYaml("addon/config.yaml") as AddonConfigFile;
}
