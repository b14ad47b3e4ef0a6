// Files that survive a crash or kill -9 at any instant: write a temporary file next to the target,
// fsync it, rename it over the target (atomic on POSIX filesystems), then fsync the directory so
// the rename itself is durable. A reader therefore sees the old content or the new, never half.
import { constants } from "node:fs";
import { copyFile, link, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { z } from "zod";
import { createLogger } from "../log.js";

const log = createLogger("store");
let tempCounter = 0;
let durable = true;

/**
 * Skip the fsyncs (the rename stays atomic, only durability across a power cut is lost). For the
 * closed-loop simulation, which writes a plan per simulated slot into a throw-away directory.
 */
export function setDurableWrites(on: boolean): void {
  durable = on;
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${++tempCounter}`);
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(content, "utf8");
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Some filesystems (and Windows) refuse to open or fsync a directory; the rename is still atomic.
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** Far above any file the add-on writes (a 48-hour plan of 5-minute slots is about 0.2 MB). */
export const MAX_DATA_FILE_BYTES = 4_000_000;

export type JsonFileRead<T> =
  | { status: "missing" }
  | { status: "ok"; value: T }
  /** Unreadable, not JSON, or not the expected shape: moved aside to `movedTo` (when possible). */
  | { status: "damaged"; problem: string; movedTo?: string };

/**
 * Reads and validates a JSON file. A damaged file (truncated, garbage, empty, the wrong shape) is
 * moved aside as `<name>.damaged-<time>`, never overwritten, so what it held can still be looked
 * at, and the caller decides what the safe fallback is.
 */
export async function readJsonFileChecked<T>(path: string, schema: z.ZodType<T>): Promise<JsonFileRead<T>> {
  let text: string;
  try {
    const { size } = await stat(path);
    // A file system error can leave gigabytes of zeros; reading them would exhaust the add-on's
    // small heap at every start.
    if (size > MAX_DATA_FILE_BYTES) {
      const problem = `is ${(size / 1e6).toFixed(1)} MB, more than any file the add-on writes`;
      const movedTo = await moveAside(path);
      return movedTo ? { status: "damaged", problem, movedTo } : { status: "damaged", problem };
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "missing" };
    return { status: "damaged", problem: `cannot be read (${String(error)})` };
  }
  let problem: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return { status: "ok", value: parsed.data };
    const issue = parsed.error.issues[0];
    problem = `has the wrong shape (${issue?.path.join(".") || "top level"}: ${issue?.message ?? "schema"})`;
  } catch {
    problem = text.trim() === "" ? "is empty" : "is not valid JSON (truncated or garbage)";
  }
  const movedTo = await moveAside(path);
  return movedTo ? { status: "damaged", problem, movedTo } : { status: "damaged", problem };
}

/**
 * Reads and validates a JSON file. Missing: undefined. Damaged: undefined, the file moved aside
 * and one log line that says what was lost, so a damaged file degrades to "nothing stored".
 */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const read = await readJsonFileChecked(path, schema);
  if (read.status === "ok") return read.value;
  if (read.status === "damaged") log.error(`${path} ${read.problem}; ${damagedFileNote(read.movedTo)}`);
  return undefined;
}

/** "moved to …; starting without it" for the log line about a damaged file. */
export function damagedFileNote(movedTo: string | undefined): string {
  return movedTo ? `kept as ${movedTo}; starting without what it held` : "starting without what it held";
}

/** Moves a damaged file aside under a name that no later write will touch; its new path. */
export async function moveAside(path: string): Promise<string | undefined> {
  const target = await freeDamagedName(path);
  try {
    // link + unlink rather than rename: link never replaces an existing file. Filesystems without
    // hard links get a rename to the name just checked to be free.
    try {
      await link(path, target);
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw error;
      await rename(path, target);
    }
    return target;
  } catch (error) {
    log.warn(`could not move ${path} aside: ${String(error)}`);
    return undefined;
  }
}

/** Copies a partly readable file aside before the readable part is written back over it. */
export async function copyAside(path: string): Promise<string | undefined> {
  const target = await freeDamagedName(path);
  try {
    await copyFile(path, target, constants.COPYFILE_EXCL);
    return target;
  } catch (error) {
    log.warn(`could not copy ${path} aside: ${String(error)}`);
    return undefined;
  }
}

async function freeDamagedName(path: string): Promise<string> {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const base = `${path}.damaged-${stamp}`;
  let names: string[] = [];
  try {
    names = await readdir(dirname(path));
  } catch {
    /* the link below will say */
  }
  const taken = new Set(names.map((n) => join(dirname(path), n)));
  if (!taken.has(base)) return base;
  for (let i = 1; i < 1000; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  return `${base}-${process.pid}-${++tempCounter}`;
}

/** Removes temporary files a crashed writer left behind. */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((n) => /^\..+\.tmp-\d+-\d+$/.test(n))
      .map((n) => unlink(join(dir, n)).catch(() => undefined)),
  );
}
