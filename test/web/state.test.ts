import { describe, expect, it } from "vitest";
import { webStateOf } from "../../src/web/state.js";
import { knownDayScores, knownJobRuns, knownPlan, knownSocHistory, knownStatus } from "./plan-fixture.js";

describe("webStateOf", () => {
  it("reads the runtime's newest plan, status, job runs, SOC samples and scored days at each call", () => {
    let plan = knownPlan();
    const state = webStateOf({
      latestPlan: () => plan,
      status: () => knownStatus,
      recentJobRuns: () => knownJobRuns,
      socHistory: () => knownSocHistory,
      dayScores: () => knownDayScores,
    });
    expect(state.getPlan()?.planVersion).toBe(7);
    plan = { ...plan, planVersion: 8 };
    expect(state.getPlan()?.planVersion).toBe(8);
    expect(state.getStatus()).toBe(knownStatus);
    expect(state.getJobRuns()).toBe(knownJobRuns);
    expect(state.getSocHistory()).toBe(knownSocHistory);
    expect(state.getDayScores?.()).toBe(knownDayScores);
  });
});
