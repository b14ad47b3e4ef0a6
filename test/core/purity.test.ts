// The core is pure: no I/O, no clock, no imports from the adapters. This keeps that honest as
// files are added (docs/style.md, "dependency direction").
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CORE = new URL("../../src/core/", import.meta.url).pathname;
const files = readdirSync(CORE).filter((f) => f.endsWith(".ts"));

describe("src/core", () => {
  it.each(files)("%s imports nothing but the core's own modules", (file) => {
    const text = readFileSync(join(CORE, file), "utf8");
    const imports = [...text.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
    const outside = imports.filter((spec) => !spec.startsWith("./") && spec !== "../errors.js");
    expect(outside).toEqual([]);
  });

  it.each(files)("%s reads no clock and no environment", (file) => {
    const text = readFileSync(join(CORE, file), "utf8").replace(/\/\/.*$/gm, "");
    expect(text).not.toMatch(
      /Date\.now\(|new Date\(\)|process\.|performance\.now\(|setTimeout\(|Math\.random\(/,
    );
  });
});
