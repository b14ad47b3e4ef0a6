import { describe, expect, it } from "vitest";
import type { DayScoreRecord } from "../../src/runtime/ports.js";
import { dayScoresView, NO_DAY_SCORED_YET, REPLAYED_NOTE } from "../../src/web/day-score-view.js";
import { NOW_MS, scoredDay } from "./plan-fixture.js";

// NOW_MS is 03:10 UTC on Monday 1 June 2026: yesterday in London (UTC+1) is Sunday 31 May.
const ZONE = "Europe/London";

function latestOf(records: DayScoreRecord[], currency = "GBP", zone = ZONE) {
  const latest = dayScoresView(records, NOW_MS, zone, currency).latest;
  if (!latest) throw new Error("no latest day");
  return latest;
}

describe("dayScoresView: the last scored day", () => {
  it("calls yesterday Yesterday and gives the share, the saving, the possible saving and the three costs", () => {
    const latest = latestOf([scoredDay(1)]);
    expect(latest).toMatchObject({ date: "2026-05-31", label: "Yesterday", replayed: false, sharePct: 80 });
    expect(latest.headline).toBe("80 % of the best possible");
    expect(latest.lines).toEqual([
      { term: "Saved", value: "£1.20" },
      { term: "Possible saving", value: "£1.50" },
      { term: "Cost without the battery", value: "£3.10" },
      { term: "Cost with the battery", value: "£1.90" },
      { term: "Best possible (hindsight)", value: "£1.60" },
    ]);
    expect(latest.note).toBe("Measured from the battery's state of charge and the meters.");
  });

  it("sets the grid meters' bill beside the model's when the Energy dashboard names the meters", () => {
    const latest = latestOf([scoredDay(1, { bill: { modelled: 1.93, metered: 1.95 } })]);
    expect(latest.lines.at(-1)).toEqual({ term: "Bill: grid meters / model", value: "£1.95 / £1.93" });
    expect(latestOf([scoredDay(1, { bill: { modelled: 1.93 } })]).lines).toHaveLength(5);
  });

  it("names an older day by its date", () => {
    expect(latestOf([scoredDay(2)]).label).toBe("Sat 30 May");
    expect(latestOf([scoredDay(400)]).label).toBe("Sun 27 Apr 2025");
  });

  it("judges yesterday in the home's zone, not UTC", () => {
    // At 03:10 UTC it is still Sunday evening in Los Angeles: 31 May is its today, not yesterday.
    expect(latestOf([scoredDay(1)], "GBP", "America/Los_Angeles").label).toBe("Sun 31 May");
    expect(latestOf([scoredDay(1)], "GBP", "Pacific/Auckland").label).toBe("Yesterday");
  });

  it("says a replayed day's figures are what the plans would have saved, the battery not driven", () => {
    const latest = latestOf([scoredDay(1, { replayed: true })]);
    expect(latest.replayed).toBe(true);
    expect(latest.lines[0]).toEqual({ term: "Would have saved", value: "£1.20" });
    expect(latest.lines[3]?.term).toBe("Cost had the plans run");
    expect(latest.note).toBe(REPLAYED_NOTE);
    expect(REPLAYED_NOTE).toMatch(/^Dry run or control off: the battery was not driven\. .*would have saved/);
  });

  it("shows why a day was not scored, with no figures", () => {
    const { score: _, ...unscored } = scoredDay(1, { reason: "no load statistics for the day" });
    const latest = latestOf([unscored]);
    expect(latest.headline).toBe("not scored: no load statistics for the day");
    expect(latest.lines).toEqual([]);
    expect(latest.sharePct).toBeUndefined();
    expect(latest.note).toBeUndefined();
  });

  it("says how much of the day a partly measured day was scored on", () => {
    expect(latestOf([scoredDay(1, { slotsScored: 40 })]).note).toBe(
      "Measured from the battery's state of charge and the meters. Scored on 40 of the day's 48 slots.",
    );
  });

  it("writes a saving that cost money as such, in the home's currency", () => {
    const record = scoredDay(1);
    record.score = { ...record.score!, saving: -0.3, realisedCost: 3.4, share: -0.2 };
    const latest = latestOf([record], "EUR");
    expect(latest.headline).toBe("-20 % of the best possible");
    expect(latest.lines[0]?.value).toBe("−€0.30 (cost more than idle)");
    expect(latestOf([scoredDay(1)], "SEK").lines[2]?.value).toBe("3.10 SEK");
  });

  it("says nothing could be saved on a day with nothing to gain, instead of a 100 % share", () => {
    const record = scoredDay(1);
    record.score = { idleCost: 2, hindsightCost: 2, realisedCost: 2, saving: 0, possibleSaving: 0, share: 1 };
    expect(latestOf([record]).headline).toBe(
      "nothing could be saved: no plan could have beaten leaving the battery idle",
    );
  });
});

describe("dayScoresView: before and after several days", () => {
  it("says when the first score will appear while no day is scored", () => {
    const view = dayScoresView([], NOW_MS, ZONE, "GBP");
    expect(view).toEqual({ recent: [], empty: NO_DAY_SCORED_YET });
    expect(NO_DAY_SCORED_YET).toContain("after the first full day");
  });

  it("lists no days beside the card when only one is scored", () => {
    const view = dayScoresView([scoredDay(1)], NOW_MS, ZONE, "GBP");
    expect(view.recent).toEqual([]);
    expect(view.empty).toBeUndefined();
  });

  it("lists the last seven days newest first with date, share and saving, whatever order they came in", () => {
    const days = [5, 1, 9, 3, 2, 8, 4, 7, 6].map((n) =>
      scoredDay(n, {
        score: {
          idleCost: 3,
          hindsightCost: 1,
          realisedCost: 3 - n / 10,
          saving: n / 10,
          possibleSaving: 2,
          share: n / 20,
        },
        replayed: n === 2,
      }),
    );
    const { score: _, ...unscored } = scoredDay(3, { reason: "HA was down" });
    days[3] = unscored;
    const view = dayScoresView(days, NOW_MS, ZONE, "GBP");
    expect(view.latest?.label).toBe("Yesterday");
    expect(view.recent.map((r) => [r.label, r.share, r.saving, r.replayed])).toEqual([
      ["Yesterday", "5 %", "£0.10", false],
      ["Sat 30 May", "10 %", "£0.20", true],
      ["Fri 29 May", "not scored", "–", false],
      ["Thu 28 May", "20 %", "£0.40", false],
      ["Wed 27 May", "25 %", "£0.50", false],
      ["Tue 26 May", "30 %", "£0.60", false],
      ["Mon 25 May", "35 %", "£0.70", false],
    ]);
  });
});
