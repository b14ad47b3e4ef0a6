// The SOC chart's history (`soc-history.json`). It is only for the chart, so a damaged file must
// not cost more than its damaged part: each sample is checked on its own, the sound ones are kept,
// and the original goes aside before they are written back (the pattern of overrides.json).
import { z } from "zod";
import { createLogger } from "../log.js";
import { damagedFileNote, moveAside, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";
import type { SocSample } from "./ports.js";
import { isSaneInstant } from "./time-bounds.js";

const log = createLogger("store");

const sampleSchema = z.object({
  atMs: z.number().refine(isSaneInstant),
  socPct: z.number().finite().min(0).max(100),
});

/** The samples of `path` that are sound, in time order; a file with any bad one is moved aside. */
export async function loadSocHistory(path: string): Promise<SocSample[]> {
  const read = await readJsonFileChecked(path, z.array(z.unknown()));
  if (read.status === "missing") return [];
  if (read.status === "damaged") {
    log.error(`${path} ${read.problem}; ${damagedFileNote(read.movedTo)} (the SOC chart starts again)`);
    return [];
  }
  const samples: SocSample[] = [];
  let lost = 0;
  let firstLost: number | undefined;
  for (const [index, record] of read.value.entries()) {
    const parsed = sampleSchema.safeParse(record);
    if (parsed.success) samples.push({ atMs: parsed.data.atMs, socPct: parsed.data.socPct });
    else {
      lost++;
      firstLost ??= index;
    }
  }
  samples.sort((a, b) => a.atMs - b.atMs);
  if (lost > 0) {
    const movedTo = await moveAside(path);
    log.error(
      `${path}: dropped ${lost} bad SOC sample(s) (the first at #${firstLost}), kept ${samples.length}` +
        (movedTo ? `; the original is kept as ${movedTo}` : ""),
    );
    await writeFileAtomic(path, JSON.stringify(samples)).catch((error: unknown) =>
      log.warn(`could not write back ${path}: ${String(error)}`),
    );
  }
  return samples;
}
