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

/** As the Supervisor reads it: PyYAML is YAML 1.1, where an unquoted 18:00 is the number 1080
 * and `on` is true. */
export function parseYamlAsSupervisor(text: string): unknown {
  return parse(text, { version: "1.1" });
}

export function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

/** DOCS.md's complete example: the first YAML block. */
export function docsCompleteExample(): Record<string, unknown> {
  return parseYamlAsSupervisor(yamlBlocks(readRepoText("addon/DOCS.md"))[0] ?? "") as Record<string, unknown>;
}

export interface AddonConfigFile {
  version: string;
  options: Record<string, unknown>;
  schema: Record<string, unknown>;
  [key: string]: unknown;
}

export function readAddonConfig(): AddonConfigFile {
  return parseYamlAsSupervisor(readRepoText("addon/config.yaml")) as AddonConfigFile;
}
