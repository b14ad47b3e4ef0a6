// The instants the add-on accepts from the outside (HA events, MQTT, the page, its own files).
// JavaScript dates reach ±8.64e15 ms, luxon gives up earlier and returns NaN, and NaN compares
// false with everything: a start of 8640000000000000 once spun a daily-override loop for ever.
// Anything outside this window is a typo or an attack, not a battery schedule.

/** 2000-01-01T00:00:00Z. */
export const EARLIEST_INSTANT_MS = Date.UTC(2000, 0, 1);
/** 2100-01-01T00:00:00Z. */
export const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1);
/** An override may start at most this far from now (either way). */
export const MAX_OVERRIDE_START_DISTANCE_MS = 366 * 86_400_000;
/** The longest override (a week). */
export const MAX_OVERRIDE_MINUTES = 7 * 24 * 60;

export function isSaneInstant(ms: unknown): ms is number {
  return typeof ms === "number" && Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms < LATEST_INSTANT_MS;
}

export function saneInstantMessage(): string {
  return "must be a date between 2000 and 2100";
}
