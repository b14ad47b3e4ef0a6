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
import { readJsonFile, writeFileAtomic } from "./atomic-file.js";
import type { OverrideEvent, OverrideRequest } from "./ports.js";
import { createSerialQueue } from "./serial.js";

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

/** What HA actions, MQTT and the web page may send; validated before it reaches the store. */
export const overrideRequestSchema = z.object({
  mode: modeSchema,
  startMs: z.union([z.number(), z.string().transform((s, ctx) => parseInstant(s, ctx))]).optional(),
  durationMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60),
  targetSocPct: z.number().min(0).max(100).optional(),
  powerW: z.number().finite().optional(),
  recurrence: z.enum(["none", "daily"]).optional(),
});

function parseInstant(text: string, ctx: z.RefinementCtx): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) ctx.addIssue({ code: "custom", message: "must be an ISO instant" });
  return ms;
}

const overrideSchema = z.object({
  id: z.string(),
  mode: modeSchema,
  startMs: z.number(),
  durationMinutes: z.number().positive(),
  targetSocPct: z.number().optional(),
  powerW: z.number().optional(),
  recurrence: z.enum(["none", "daily"]),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
});

const fileSchema = z.object({
  overrides: z.array(overrideSchema),
  /** Occurrence start of each override that has started and not yet ended. */
  active: z.record(z.string(), z.number()),
}) as unknown as z.ZodType<{ overrides: Override[]; active: Record<string, number> }>;

export interface OverrideWindow {
  override: Override;
  startMs: number;
  endMs: number;
}

/** The occurrences of an override that overlap [fromMs, toMs). */
export function overrideWindows(o: Override, fromMs: number, toMs: number, zone: string): OverrideWindow[] {
  const durationMs = o.durationMinutes * 60_000;
  if (o.recurrence === "none") {
    return o.startMs < toMs && o.startMs + durationMs > fromMs
      ? [{ override: o, startMs: o.startMs, endMs: o.startMs + durationMs }]
      : [];
  }
  // Daily at the same local wall-clock time: a DST change moves the UTC instant, not the local time.
  const first = DateTime.fromMillis(o.startMs, { zone });
  const daysBefore = Math.floor((fromMs - durationMs - o.startMs) / 86_400_000) - 1;
  const windows: OverrideWindow[] = [];
  for (let day = Math.max(0, daysBefore); ; day++) {
    const startMs = first.plus({ days: day }).toMillis();
    if (startMs >= toMs) break;
    if (startMs + durationMs > fromMs) windows.push({ override: o, startMs, endMs: startMs + durationMs });
  }
  return windows;
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
  /** Started/ended transitions since the last tick; finished one-off overrides are dropped. */
  tick(nowMs: number): Promise<OverrideEvent[]>;
}

export async function openOverrideBook(options: {
  dataDir: string;
  zone: string;
  onEvent?: (event: OverrideEvent) => void;
}): Promise<OverrideBook> {
  const path = join(options.dataDir, "overrides.json");
  const loaded = await readJsonFile(path, fileSchema);
  let overrides: Override[] = loaded?.overrides ?? [];
  const active = new Map<string, number>(Object.entries(loaded?.active ?? {}));
  const serial = createSerialQueue();
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
        const parsed = parseRequest(request);
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
        const merged = parseRequest({ ...existing, ...patch });
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
        overrides = overrides.filter(
          (o) => o.recurrence !== "none" || o.startMs + o.durationMinutes * 60_000 > nowMs,
        );
        if (events.length > 0 || overrides.length !== before) await save();
        return events;
      }),
  };
  return book;
}

function parseRequest(request: unknown): z.infer<typeof overrideRequestSchema> {
  const parsed = overrideRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError("override", `${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
