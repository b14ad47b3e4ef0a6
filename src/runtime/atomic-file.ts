// Files that survive a crash or kill -9 at any instant: write a temporary file next to the target,
// fsync it, rename it over the target (atomic on POSIX filesystems), then fsync the directory so
// the rename itself is durable. A reader therefore sees the old content or the new, never half.
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
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

/**
 * Reads and validates a JSON file. Missing: undefined. Unreadable or invalid: undefined with a
 * log line, so a damaged file degrades to "nothing stored" instead of stopping the add-on.
 */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") log.warn(`cannot read ${path}: ${String(error)}`);
    return undefined;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    log.warn(`${path} is not valid (${parsed.error.issues[0]?.message ?? "schema"}); ignoring it`);
  } catch {
    log.warn(`${path} is not valid JSON; ignoring it`);
  }
  return undefined;
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
