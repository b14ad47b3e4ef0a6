// A known plan for the page tests: 48 half-hour slots from 00:00 UTC on 1 June 2026 that charge
// 02:00–04:00, hold 09:00–10:00, export 17:00–19:00 and run self-use otherwise; "now" is 03:10,
// inside the charge window.
import type { Mode, PlanSlot } from "../../src/core/types.js";
import type { DayScoreRecord, JobRun, RuntimeStatus, StoredPlan } from "../../src/runtime/ports.js";
import type { SocSample, WebState } from "../../src/web/state.js";

export const DAY_START_MS = Date.UTC(2026, 5, 1, 0, 0);
const HALF_HOUR_MS = 30 * 60_000;
export const CAPACITY_KWH = 10;

function modeAt(hour: number): Mode {
  if (hour >= 2 && hour < 4) return "charge";
  if (hour >= 9 && hour < 10) return "hold";
  if (hour >= 17 && hour < 19) return "export";
  return "self-use";
}

function buildSlots(): PlanSlot[] {
  const slots: PlanSlot[] = [];
  let socKwh = 3;
  for (let i = 0; i < 48; i++) {
    const startMs = DAY_START_MS + i * HALF_HOUR_MS;
    const hour = i / 2;
    const mode = modeAt(hour);
    const importPricePerKwh = hour >= 16 && hour < 19 ? 0.35 : hour >= 2 && hour < 5 ? 0.08 : 0.22;
    const exportPricePerKwh = hour >= 16 && hour < 19 ? 0.25 : 0.1;
    let chargeKwh = 0;
    let dischargeKwh = 0;
    if (mode === "charge") chargeKwh = 1.5;
    if (mode === "export") dischargeKwh = 1.25;
    if (mode === "self-use" && socKwh > 1) dischargeKwh = 0.2;
    socKwh = Math.min(CAPACITY_KWH, Math.max(1, socKwh + chargeKwh - dischargeKwh));
    const powerW = mode === "charge" ? 3000 : mode === "export" ? -2500 : 0;
    slots.push({
      startMs,
      endMs: startMs + HALF_HOUR_MS,
      mode,
      targetSocKwh: mode === "charge" ? 9 : mode === "export" ? 2 : socKwh,
      powerW,
      chargeKwh,
      dischargeKwh,
      importKwh: chargeKwh + 0.2,
      exportKwh: mode === "export" ? 1 : 0,
      curtailedKwh: 0,
      socKwh,
      cost: 0.2 * importPricePerKwh,
      importPricePerKwh,
      exportPricePerKwh,
      loadKwh: 0.2,
      pvKwh: 0,
    });
  }
  return slots;
}

export function knownPlan(): StoredPlan {
  return {
    planVersion: 7,
    inputsReadAtMs: DAY_START_MS + 3 * 3_600_000,
    computedAtMs: DAY_START_MS + 3 * 3_600_000 + 1_200,
    reason: "rates changed",
    inputsFingerprint: "abc",
    capacityKwh: CAPACITY_KWH,
    plan: {
      slots: buildSlots(),
      summary: { netCost: 1.84, idleCost: 3.1, saving: 1.26, modeChanges: 6, finalSocKwh: 2.4 },
    },
  };
}

/** 03:10 UTC: inside the charge window. */
export const NOW_MS = DAY_START_MS + 3 * 3_600_000 + 10 * 60_000;

export const knownStatus: RuntimeStatus = {
  state: "ok",
  reason: "charging while import is cheap",
  controlEnabled: true,
  currentCommand: { mode: "charge", targetSocPct: 90, powerW: 3000 },
  battery: { socPct: 61.6, powerW: 2950, readAtMs: NOW_MS - 120_000 },
  updatedAtMs: NOW_MS - 60_000,
};

export const knownJobRuns: JobRun[] = [
  {
    job: "replan",
    plannedAtMs: NOW_MS - 600_000,
    startedAtMs: NOW_MS - 600_000,
    finishedAtMs: NOW_MS - 598_800,
    outcome: "ok",
    attempt: 1,
  },
  {
    job: "load-refresh",
    plannedAtMs: NOW_MS - 3_600_000,
    startedAtMs: NOW_MS - 3_600_000,
    finishedAtMs: NOW_MS - 3_570_000,
    outcome: "failed",
    attempt: 2,
    message: "recorder unavailable",
  },
];

export const knownSocHistory: SocSample[] = [
  { atMs: DAY_START_MS, socPct: 30 },
  { atMs: DAY_START_MS + 60 * 60_000, socPct: 27 },
  { atMs: DAY_START_MS + 2 * 3_600_000 + 15 * 60_000, socPct: 33 },
  { atMs: DAY_START_MS + 3 * 3_600_000, socPct: 55 },
];

const DAY_MS = 24 * 3_600_000;

/** A scored day of the fixture's home (UTC), `daysBefore` days before the plan's day. */
export function scoredDay(daysBefore: number, overrides: Partial<DayScoreRecord> = {}): DayScoreRecord {
  const startMs = DAY_START_MS - daysBefore * DAY_MS;
  return {
    date: new Date(startMs).toISOString().slice(0, 10),
    startMs,
    endMs: startMs + DAY_MS,
    scoredAtMs: startMs + DAY_MS + 20 * 60_000,
    replayed: false,
    score: {
      idleCost: 3.1,
      hindsightCost: 1.6,
      realisedCost: 1.9,
      saving: 1.2,
      possibleSaving: 1.5,
      share: 0.8,
    },
    slotsScored: 48,
    slotsInDay: 48,
    ...overrides,
  };
}

/** Two days, newest last: 30 May measured, 31 May (yesterday at NOW_MS) measured too. */
export const knownDayScores: DayScoreRecord[] = [
  scoredDay(2, {
    score: {
      idleCost: 2.5,
      hindsightCost: 1.5,
      realisedCost: 1.75,
      saving: 0.75,
      possibleSaving: 1,
      share: 0.75,
    },
  }),
  scoredDay(1),
];

export function knownState(overrides: Partial<WebState> = {}): WebState {
  return {
    getPlan: () => knownPlan(),
    getStatus: () => knownStatus,
    getJobRuns: () => knownJobRuns,
    getSocHistory: () => knownSocHistory,
    getDayScores: () => knownDayScores,
    ...overrides,
  };
}
