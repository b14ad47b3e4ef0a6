// Overrides ("dispatches"): a user or automation forces a mode for a window, once or daily at the
// same local time. They are persisted, survive restarts, are handed to the planner as forced
// slots, and have a lifecycle (created, updated, deleted, started, ended) the runtime publishes.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { DateTime } from "luxon";
import { z } from "zod";
import type { ActiveOverride } from "../core/decide.js";
import { MODES, type Mode } from "../core/types.js";
import { InputError } from "../errors.js";
import { createLogger } from "../log.js";
import { damagedFileNote, moveAside, readJsonFileChecked, writeFileAtomic } from "./atomic-file.js";
import type { OverrideEvent, OverrideRequest } from "./ports.js";
import { createSerialQueue } from "./serial.js";
import {
  isSaneInstant,
  MAX_OVERRIDE_MINUTES,
  MAX_OVERRIDE_START_DISTANCE_MS,
  saneInstantMessage,
} from "./time-bounds.js";

const log = createLogger("overrides");
const DAY_MS = 86_400_000;

export interface Override {
  id: string;
  mode: Mode;
  startMs: number;
  durationMinutes: number;
  targetSocPct?: number;
  powerW?: number;
  recurrence: "none" | "daily";
  createdAtMs: number;
  updatedAtMs: number;
}

const modeSchema = z.enum(MODES as [Mode, ...Mode[]]);
/** Every instant an override holds is bounded: luxon turns dates past its range into NaN. */
const instantMs = z.number().refine(isSaneInstant, saneInstantMessage());
const durationMinutes = z.number().positive().max(MAX_OVERRIDE_MINUTES);

/** What HA actions, MQTT and the web page may send; validated before it reaches the store. */
export const overrideRequestSchema = z.object({
  mode: modeSchema,
  startMs: z.union([instantMs, z.string().transform((s, ctx) => parseInstant(s, ctx))]).optional(),
  durationMinutes,
  targetSocPct: z.number().min(0).max(100).optional(),
  powerW: z.number().finite().min(0).max(100_000).optional(),
  recurrence: z.enum(["none", "daily"]).optional(),
});

function parseInstant(text: string, ctx: z.RefinementCtx): number {
  const ms = Date.parse(text);
  if (!isSaneInstant(ms))
    ctx.addIssue({ code: "custom", message: `must be an ISO instant; ${saneInstantMessage()}` });
  return ms;
}

const overrideSchema = z.object({
  id: z.string().min(1).max(100),
  mode: modeSchema,
  startMs: instantMs,
  durationMinutes,
  targetSocPct: z.number().min(0).max(100).optional(),
  powerW: z.number().finite().min(0).max(100_000).optional(),
  recurrence: z.enum(["none", "daily"]),
  createdAtMs: z.number().finite(),
  updatedAtMs: z.number().finite(),
}) as unknown as z.ZodType<Override>;

/** The file's outline; each record is checked on its own, so one bad record loses only itself. */
const fileSchema = z.object({
  overrides: z.array(z.unknown()),
  /** Occurrence start of each override that has started and not yet ended. */
  active: z.record(z.string(), z.unknown()).optional(),
});

export interface OverrideWindow {
  override: Override;
  startMs: number;
  endMs: number;
}

/**
 * The occurrences of an override that overlap [fromMs, toMs). Bounded whatever it is given: a
 * daily override yields at most one window per day of the span (plus the one running into it),
 * and instants outside the sane range (time-bounds.ts) yield nothing.
 */
export function overrideWindows(o: Override, fromMs: number, toMs: number, zone: string): OverrideWindow[] {
  const durationMs = o.durationMinutes * 60_000;
  if (!isSaneInstant(o.startMs) || !(durationMs > 0) || !Number.isFinite(durationMs)) return [];
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return [];
  if (o.recurrence === "none") {
    return o.startMs < toMs && o.startMs + durationMs > fromMs
      ? [{ override: o, startMs: o.startMs, endMs: o.startMs + durationMs }]
      : [];
  }
  // Daily at the same local wall-clock time: a DST change moves the UTC instant, not the local time.
  const first = DateTime.fromMillis(o.startMs, { zone });
  if (!first.isValid) return [];
  const daysBefore = Math.floor((fromMs - durationMs - o.startMs) / DAY_MS) - 1;
  // Days of the span, the days an occurrence can reach back (≤ 7), and the two DST-slack days.
  const maxDays = Math.ceil((toMs - fromMs) / DAY_MS) + Math.ceil(durationMs / DAY_MS) + 3;
  const windows: OverrideWindow[] = [];
  for (let day = Math.max(0, daysBefore), n = 0; n < maxDays; day++, n++) {
    const startMs = first.plus({ days: day }).toMillis();
    if (!Number.isFinite(startMs) || startMs >= toMs) break;
    if (startMs + durationMs > fromMs) windows.push({ override: o, startMs, endMs: startMs + durationMs });
  }
  return windows;
}

/** Reads overrides.json keeping every record that is still sound; moves the file aside if any was not. */
async function loadOverrides(path: string): Promise<{ overrides: Override[]; active: Map<string, number> }> {
  const read = await readJsonFileChecked(path, fileSchema);
  if (read.status === "missing") return { overrides: [], active: new Map() };
  if (read.status === "damaged") {
    log.error(`${path} ${read.problem}; ${damagedFileNote(read.movedTo)} (every override is lost)`);
    return { overrides: [], active: new Map() };
  }
  const overrides: Override[] = [];
  const lost: string[] = [];
  for (const [index, record] of read.value.overrides.entries()) {
    const parsed = overrideSchema.safeParse(record);
    if (parsed.success && !overrides.some((o) => o.id === parsed.data.id)) overrides.push(parsed.data);
    else {
      const id = (record as { id?: unknown } | null)?.id;
      const issue = parsed.success ? "duplicate id" : describe(parsed.error);
      lost.push(`#${index}${typeof id === "string" ? ` (${id.slice(0, 20)})` : ""}: ${issue}`);
    }
  }
  const active = new Map<string, number>();
  for (const [id, startMs] of Object.entries(read.value.active ?? {})) {
    if (isSaneInstant(startMs) && overrides.some((o) => o.id === id)) active.set(id, startMs);
  }
  if (lost.length > 0) {
    // The sound records are written back at the next change; the original stays for a person.
    const movedTo = await moveAside(path);
    log.error(
      `${path}: dropped ${lost.length} bad override record(s) (${lost.join("; ")}), kept ${overrides.length}` +
        (movedTo ? `; the original is kept as ${movedTo}` : ""),
    );
    await writeFileAtomic(path, JSON.stringify({ overrides, active: Object.fromEntries(active) }));
  }
  return { overrides, active };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "record"}: ${issue?.message ?? "invalid"}`;
}

/** A one-off override is deleted only this long after its end… */
export const ENDED_OVERRIDE_GRACE_MS = 3_600_000;
/** …and only once the clock has been seen moving forward steadily for this long. */
export const CLOCK_TRUST_MS = 3_600_000;
/** Ticks come at least once a slot (≤ 60 min); a longer step forward counts as a jump. */
export const MAX_TICK_STEP_MS = 2 * 3_600_000;
/** A tick this much earlier than the previous one means the clock was set back. */
const BACK_STEP_TOLERANCE_MS = 30_000;

/**
 * Whether the wall clock may be trusted to delete what has ended: it has been seen moving forward,
 * in steps of at most MAX_TICK_STEP_MS, for CLOCK_TRUST_MS. A boot clock days ahead (before NTP
 * corrects it) would otherwise delete every one-off override for good; a jump either way starts
 * the count again, so after a jump back the kept overrides are in force again where they cover now.
 */
function createClockTrust(): { observe(nowMs: number): boolean } {
  let steadySinceMs: number | undefined;
  let lastMs: number | undefined;
  return {
    observe(nowMs) {
      if (!Number.isFinite(nowMs)) return false;
      const jumped =
        lastMs === undefined || nowMs < lastMs - BACK_STEP_TOLERANCE_MS || nowMs > lastMs + MAX_TICK_STEP_MS;
      if (jumped) steadySinceMs = nowMs;
      lastMs = nowMs;
      return steadySinceMs !== undefined && nowMs - steadySinceMs >= CLOCK_TRUST_MS;
    },
  };
}

export interface OverrideBook {
  list(): readonly Override[];
  create(request: OverrideRequest, nowMs: number): Promise<string>;
  update(id: string, patch: Partial<OverrideRequest>, nowMs: number): Promise<boolean>;
  /** Cancels one override, or all of them without an id; returns the ids deleted. */
  cancel(id: string | undefined, nowMs: number): Promise<string[]>;
  /** The override in force at nowMs (the most recently changed one when several overlap). */
  activeAt(nowMs: number): ActiveOverride | undefined;
  windowsBetween(fromMs: number, toMs: number): OverrideWindow[];
  /**
   * Started/ended transitions since the last tick. A one-off override is dropped ENDED_OVERRIDE_GRACE_MS
   * after its end, once the clock is trusted (createClockTrust).
   */
  tick(nowMs: number): Promise<OverrideEvent[]>;
}

export async function openOverrideBook(options: {
  dataDir: string;
  zone: string;
  onEvent?: (event: OverrideEvent) => void;
}): Promise<OverrideBook> {
  const path = join(options.dataDir, "overrides.json");
  const loaded = await loadOverrides(path);
  let overrides: Override[] = loaded.overrides;
  const active = loaded.active;
  const serial = createSerialQueue();
  const clockTrust = createClockTrust();
  const save = () => writeFileAtomic(path, JSON.stringify({ overrides, active: Object.fromEntries(active) }));
  const emit = (
    kind: OverrideEvent["kind"],
    o: Override,
    atMs: number,
    window?: { startMs: number; endMs: number },
  ) => {
    const event: OverrideEvent = { kind, overrideId: o.id, atMs, mode: o.mode };
    if (window) {
      event.windowStartMs = window.startMs;
      event.windowEndMs = window.endMs;
    }
    options.onEvent?.(event);
    return event;
  };

  const windowsAt = (nowMs: number) =>
    overrides.flatMap((o) => overrideWindows(o, nowMs, nowMs + 1, options.zone));

  const book: OverrideBook = {
    list: () => overrides,
    create: (request, nowMs) =>
      serial(async () => {
        const parsed = parseRequest(request, nowMs);
        if (parsed.startMs === undefined && !isSaneInstant(nowMs)) {
          // A Pi without a clock battery boots in 1970 until NTP answers.
          throw new InputError("override", `the clock reads ${new Date(nowMs).toISOString()}; give a start`);
        }
        const o: Override = {
          id: randomUUID().slice(0, 8),
          mode: parsed.mode,
          startMs: parsed.startMs ?? nowMs,
          durationMinutes: parsed.durationMinutes,
          recurrence: parsed.recurrence ?? "none",
          createdAtMs: nowMs,
          updatedAtMs: nowMs,
        };
        if (parsed.targetSocPct !== undefined) o.targetSocPct = parsed.targetSocPct;
        if (parsed.powerW !== undefined) o.powerW = parsed.powerW;
        overrides = [...overrides, o];
        await save();
        emit("created", o, nowMs);
        return o.id;
      }),
    update: (id, patch, nowMs) =>
      serial(async () => {
        const existing = overrides.find((o) => o.id === id);
        if (!existing) return false;
        // A daily override may have been created long ago: only a new start must be near now.
        const merged = parseRequest(
          { ...existing, ...patch },
          patch.startMs === undefined ? undefined : nowMs,
        );
        const o: Override = {
          ...existing,
          mode: merged.mode,
          startMs: merged.startMs ?? existing.startMs,
          durationMinutes: merged.durationMinutes,
          recurrence: merged.recurrence ?? existing.recurrence,
          updatedAtMs: nowMs,
        };
        if (merged.targetSocPct !== undefined) o.targetSocPct = merged.targetSocPct;
        if (merged.powerW !== undefined) o.powerW = merged.powerW;
        overrides = overrides.map((x) => (x.id === id ? o : x));
        await save();
        emit("updated", o, nowMs);
        return true;
      }),
    cancel: (id, nowMs) =>
      serial(async () => {
        const gone = overrides.filter((o) => id === undefined || o.id === id);
        overrides = overrides.filter((o) => !gone.includes(o));
        for (const o of gone) {
          const startMs = active.get(o.id);
          active.delete(o.id);
          if (startMs !== undefined) emit("ended", o, nowMs, { startMs, endMs: nowMs });
        }
        await save();
        for (const o of gone) emit("deleted", o, nowMs);
        return gone.map((o) => o.id);
      }),
    activeAt: (nowMs) => {
      const now = windowsAt(nowMs).sort((a, b) => b.override.updatedAtMs - a.override.updatedAtMs)[0];
      if (!now) return undefined;
      const result: ActiveOverride = {
        id: now.override.id,
        mode: now.override.mode,
        startMs: now.startMs,
        endMs: now.endMs,
      };
      if (now.override.targetSocPct !== undefined) result.targetSocPct = now.override.targetSocPct;
      if (now.override.powerW !== undefined) result.powerW = now.override.powerW;
      return result;
    },
    windowsBetween: (fromMs, toMs) =>
      overrides.flatMap((o) => overrideWindows(o, fromMs, toMs, options.zone)),
    tick: (nowMs) =>
      serial(async () => {
        const events: OverrideEvent[] = [];
        const current = new Map(windowsAt(nowMs).map((w) => [w.override.id, w]));
        for (const [id, startMs] of [...active]) {
          const window = current.get(id);
          if (window && window.startMs === startMs) continue;
          active.delete(id);
          const o = overrides.find((x) => x.id === id);
          if (o)
            events.push(emit("ended", o, nowMs, { startMs, endMs: startMs + o.durationMinutes * 60_000 }));
        }
        for (const window of current.values()) {
          if (active.has(window.override.id)) continue;
          active.set(window.override.id, window.startMs);
          events.push(emit("started", window.override, nowMs, window));
        }
        const before = overrides.length;
        const trustClock = clockTrust.observe(nowMs);
        overrides = overrides.filter(
          (o) =>
            o.recurrence !== "none" ||
            !trustClock ||
            o.startMs + o.durationMinutes * 60_000 > nowMs - ENDED_OVERRIDE_GRACE_MS,
        );
        if (events.length > 0 || overrides.length !== before) await save();
        return events;
      }),
  };
  return book;
}

function parseRequest(request: unknown, nowMs: number | undefined): z.infer<typeof overrideRequestSchema> {
  const parsed = overrideRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError("override", `${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid"}`);
  }
  const { startMs } = parsed.data;
  if (
    startMs !== undefined &&
    nowMs !== undefined &&
    Math.abs(startMs - nowMs) > MAX_OVERRIDE_START_DISTANCE_MS
  ) {
    throw new InputError("override", "startMs: must be within a year of now");
  }
  return parsed.data;
}
