import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, setLogSink } from "../../src/log.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { openSettingsStore, SETTINGS_FILE } from "../../src/runtime/settings-store.js";
import { FakeClock } from "../fakes/clock.js";
import { FakeInputs, RecordingPublisher, T0, tempDir, testConfig } from "./helpers.js";

const DEFAULTS = { controlEnabled: true, reservePct: 10 };
let lines: string[] = [];
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

async function openWith(content: string | undefined) {
  const dir = await tempDir();
  if (content !== undefined) await writeFile(join(dir, SETTINGS_FILE), content);
  lines = [];
  restore = setLogSink((line) => lines.push(line));
  const store = await openSettingsStore(dir, DEFAULTS, createLogger("test"));
  const names = await readdir(dir);
  const aside = names.filter((n) => n.startsWith(`${SETTINGS_FILE}.damaged-`));
  return { dir, store, aside };
}

describe("runtime settings file", () => {
  it("without a file the options apply", async () => {
    const { store, aside } = await openWith(undefined);
    expect(store.initial).toEqual(DEFAULTS);
    expect(store.problem).toBeUndefined();
    expect(aside).toEqual([]);
  });

  it("what the user set is kept", async () => {
    const { store } = await openWith(JSON.stringify({ controlEnabled: false, reservePct: 35 }));
    expect(store.initial).toEqual({ controlEnabled: false, reservePct: 35 });
    expect(store.problem).toBeUndefined();
  });

  for (const [what, content] of [
    ["truncated", '{"controlEnabled":tr'],
    ["garbage", "\u0000\u0001PK\u0003"],
    ["empty", ""],
    ["the wrong shape", '{"foo":1}'],
    ["an array", "[true, 20]"],
  ] as const) {
    it(`a ${what} file turns control off, is moved aside and logged, and stays off after a restart`, async () => {
      const { dir, store, aside } = await openWith(content);
      expect(store.initial).toEqual({ controlEnabled: false, reservePct: 10 });
      expect(store.problem).toMatch(/^runtime-settings\.json .*control is off until you switch it on again/);
      expect(aside).toHaveLength(1);
      expect(await readFile(join(dir, aside[0]!), "utf8")).toBe(content);
      expect(lines.filter((l) => l.includes("ERROR") && l.includes(SETTINGS_FILE))).toHaveLength(1);
      const again = await openSettingsStore(dir, DEFAULTS, createLogger("test"));
      expect(again.initial).toEqual({ controlEnabled: false, reservePct: 10 });
    });
  }

  it("keeps the field still readable: a switch that is on stays on, a lost reserve takes the option", async () => {
    const { store, aside } = await openWith(JSON.stringify({ controlEnabled: true, reservePct: "40" }));
    expect(store.initial).toEqual({ controlEnabled: true, reservePct: 10 });
    expect(store.problem).toBe(
      "runtime-settings.json has lost the reserve; the reserve is the option's 10 %",
    );
    expect(aside).toHaveLength(1);
  });

  it("the runtime starts with control off and says why, until the user switches it on", async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, SETTINGS_FILE), '{"foo":1}');
    restore = setLogSink(() => undefined);
    const runtime = await createRuntime({
      inputs: new FakeInputs(),
      publisher: new RecordingPublisher(),
      dataDir,
      clock: new FakeClock(T0),
      config: testConfig(),
    });
    await runtime.cycle("startup");
    expect(runtime.status()).toMatchObject({ controlEnabled: false });
    expect(runtime.status().reason).toContain(`${SETTINGS_FILE} has the wrong shape`);
    expect(runtime.status().reason).toContain("control is off until you switch it on again");
    await runtime.setControlEnabled(true);
    expect(runtime.status().controlEnabled).toBe(true);
    expect(runtime.status().reason).not.toContain(SETTINGS_FILE);
  });
});
