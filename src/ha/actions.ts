// What automations can do without MQTT: fire `battery_planner_replan` or
// `battery_planner_override` on HA's event bus (an automation's `event` action), and listen for
// `battery_planner_plan_changed`, fired when the plan's modes change — not on every recompute.
import { z } from "zod";
import { modesChanged as planModesChanged } from "../core/plan-change.js";
import { errorMessage } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { OverrideEvent, OverrideRequest, RuntimeCommands, StoredPlan } from "../runtime/ports.js";
import { isSaneInstant, MAX_OVERRIDE_MINUTES, saneInstantMessage } from "../runtime/time-bounds.js";
import type { HaClient, HaEvent, HaUnsubscribe } from "./client.js";
import { strictDecimal } from "./quantities.js";

export const REPLAN_EVENT = "battery_planner_replan";
export const OVERRIDE_EVENT = "battery_planner_override";
export const PLAN_CHANGED_EVENT = "battery_planner_plan_changed";
export const RATES_LATE_EVENT = "battery_planner_rates_late";
/** The answer to an override event that could not be carried out, with the reason. */
export const OVERRIDE_REJECTED_EVENT = "battery_planner_override_rejected";

const modeSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.trim().toLowerCase().replace(/[_ ]/g, "-") : value),
  z.enum(["self-use", "charge", "hold", "export"]),
);

/**
 * An instant as an ISO string (with zone) or epoch milliseconds, between 2000 and 2100: a date
 * luxon cannot represent (8640000000000000) once turned a daily override into an endless loop.
 */
const instantSchema = z.union([z.number(), z.string().max(64)]).transform((value, ctx) => {
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (!isSaneInstant(ms)) {
    ctx.addIssue({ code: "custom", message: `must be an ISO date-time or epoch ms ${saneInstantMessage()}` });
    return z.NEVER;
  }
  return ms;
});

const replanDataSchema = z.object({ reason: z.string().max(200).optional() }).loose();

const overrideDataSchema = z
  .object({
    mode: modeSchema.optional(),
    // Strict numbers: z.coerce read a blank or null target_soc as 0 % and "0x32" as 50 %.
    duration_minutes: strictDecimal.pipe(z.number().int().min(1).max(MAX_OVERRIDE_MINUTES)).default(60),
    target_soc: strictDecimal.pipe(z.number().min(0).max(100)).optional(),
    power_w: strictDecimal.pipe(z.number().min(0).max(100_000)).optional(),
    start: instantSchema.optional(),
    recurrence: z.enum(["none", "daily"]).optional(),
    cancel: z.boolean().default(false),
    /** The override to cancel; all when missing. */
    id: z.string().max(100).optional(),
  })
  .loose()
  .refine((d) => d.cancel || d.mode !== undefined, { message: "mode is required unless cancel is true" });

export type OverrideEventData = z.infer<typeof overrideDataSchema>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; ");
}

export function toOverrideRequest(data: OverrideEventData): OverrideRequest {
  const request: OverrideRequest = { mode: data.mode!, durationMinutes: data.duration_minutes };
  if (data.start !== undefined) request.startMs = data.start;
  if (data.target_soc !== undefined) request.targetSocPct = data.target_soc;
  if (data.power_w !== undefined) request.powerW = data.power_w;
  if (data.recurrence !== undefined) request.recurrence = data.recurrence;
  return request;
}

export interface ActionsHandle {
  close(): Promise<void>;
}

/** Subscribes to the two events; garbage is logged and ignored, never thrown at HA. */
export async function subscribeActions(
  ha: Pick<HaClient, "subscribeEvents" | "fireEvent">,
  commands: RuntimeCommands,
  log: Logger = createLogger("ha:actions"),
): Promise<ActionsHandle> {
  const unsubscribers: HaUnsubscribe[] = [];
  unsubscribers.push(
    await ha.subscribeEvents(REPLAN_EVENT, (event: HaEvent) => {
      const parsed = replanDataSchema.safeParse(event.data ?? {});
      const reason = parsed.success && parsed.data.reason ? parsed.data.reason : "automation";
      log.info(`replan asked by event ${REPLAN_EVENT} (${reason})`);
      commands.requestReplan(reason);
    }),
  );
  unsubscribers.push(
    await ha.subscribeEvents(OVERRIDE_EVENT, (event: HaEvent) => {
      const reject = (reason: string) => {
        log.warn(`ignored ${OVERRIDE_EVENT}: ${reason}`);
        ha.fireEvent(OVERRIDE_REJECTED_EVENT, { reason }).catch((error: unknown) => {
          log.warn(`could not fire ${OVERRIDE_REJECTED_EVENT}: ${errorMessage(error)}`);
        });
      };
      const parsed = overrideDataSchema.safeParse(event.data ?? {});
      if (!parsed.success) {
        reject(`bad data (${describeIssues(parsed.error)})`);
        return;
      }
      const data = parsed.data;
      const work = data.cancel
        ? commands
            .cancelOverride(data.id)
            .then(() => log.info(`override ${data.id ?? "(all)"} cancelled by event`))
        : commands.createOverride(toOverrideRequest(data)).then((id) => {
            log.info(`override ${id} (${data.mode} for ${data.duration_minutes} min) created by event`);
          });
      work.catch((error) => reject(errorMessage(error)));
    }),
  );
  return {
    close: async () => {
      await Promise.all(unsubscribers.map((u) => u().catch(() => undefined)));
    },
  };
}

/** The one rule of core/plan-change, on stored plans. */
export function modesChanged(previous: StoredPlan | undefined, next: StoredPlan): boolean {
  return planModesChanged(previous?.plan.slots, next.plan.slots);
}

/** Mode windows (runs of equal mode) for the event payload; capped so the event stays small. */
export function modeWindows(plan: StoredPlan, limit = 24): { start: string; end: string; mode: string }[] {
  const windows: { start: string; end: string; mode: string }[] = [];
  for (const slot of plan.plan.slots) {
    const last = windows[windows.length - 1];
    if (last && last.mode === slot.mode && Date.parse(last.end) === slot.startMs) {
      last.end = new Date(slot.endMs).toISOString();
    } else {
      if (windows.length >= limit) break;
      windows.push({
        start: new Date(slot.startMs).toISOString(),
        end: new Date(slot.endMs).toISOString(),
        mode: slot.mode,
      });
    }
  }
  return windows;
}

/** Fires `battery_planner_plan_changed` when the modes changed; returns whether it fired. */
export async function firePlanChanged(
  ha: Pick<HaClient, "fireEvent">,
  previous: StoredPlan | undefined,
  next: StoredPlan,
  log: Logger = createLogger("ha:actions"),
): Promise<boolean> {
  if (!modesChanged(previous, next)) return false;
  const windows = modeWindows(next);
  try {
    await ha.fireEvent(PLAN_CHANGED_EVENT, {
      plan_version: next.planVersion,
      previous_plan_version: previous?.planVersion ?? null,
      reason: next.reason,
      computed_at: new Date(next.computedAtMs).toISOString(),
      current_mode: windows[0]?.mode ?? null,
      next_mode: windows[1]?.mode ?? null,
      next_mode_start: windows[1]?.start ?? null,
      windows,
    });
    return true;
  } catch (error) {
    log.warn(`could not fire ${PLAN_CHANGED_EVENT}: ${errorMessage(error)}`);
    return false;
  }
}

/** Tells automations about an override's lifecycle: `battery_planner_override_<kind>` (created,
 * updated, deleted, started, ended), with the override's id, mode and window. */
export async function fireOverrideEvent(
  ha: Pick<HaClient, "fireEvent">,
  event: OverrideEvent,
  log: Logger = createLogger("ha:actions"),
): Promise<void> {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  try {
    await ha.fireEvent(`${OVERRIDE_EVENT}_${event.kind}`, {
      id: event.overrideId,
      mode: event.mode,
      at: iso(event.atMs),
      window_start: iso(event.windowStartMs),
      window_end: iso(event.windowEndMs),
    });
  } catch (error) {
    log.warn(`could not fire ${OVERRIDE_EVENT}_${event.kind}: ${errorMessage(error)}`);
  }
}

/** Tells automations (the notify blueprint) that tomorrow's rates are late. */
export async function fireRatesLate(
  ha: Pick<HaClient, "fireEvent">,
  late: { deadline: string; coveredUntilMs: number },
  log: Logger = createLogger("ha:actions"),
): Promise<void> {
  try {
    await ha.fireEvent(RATES_LATE_EVENT, {
      deadline: late.deadline,
      message: `Tomorrow's rates had not arrived by ${late.deadline}; the plan covers only the hours it knows.`,
      rates_until: late.coveredUntilMs > 0 ? new Date(late.coveredUntilMs).toISOString() : null,
    });
  } catch (error) {
    log.warn(`could not fire ${RATES_LATE_EVENT}: ${errorMessage(error)}`);
  }
}
