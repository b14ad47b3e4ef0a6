// The simulator's recorder statistics as HA answers `recorder/statistics_during_period`
// (homeassistant/components/recorder/statistics.py), asked over a real websocket by
// home-assistant-js-websocket, the library HA's frontend uses.
import type { Connection } from "home-assistant-js-websocket";
import { afterEach, describe, expect, it } from "vitest";
import { type HaSim, type StatisticRow, startHaSim } from "../../src/sim/ha/index.js";
import { connectHaJs } from "../fakes/ha-js-connection.js";

const TOKEN = "statistics-token";
const LOAD = "sensor.house_load_energy";
const FIVE_MINUTES_MS = 300_000;
const HOUR_MS = 3_600_000;

let sim: HaSim | undefined;
let conn: Connection | undefined;

afterEach(async () => {
  conn?.close();
  await sim?.close();
  conn = undefined;
  sim = undefined;
});

async function connect(timeZone = "Europe/London"): Promise<{ sim: HaSim; conn: Connection }> {
  sim = await startHaSim({ token: TOKEN, timeZone });
  conn = await connectHaJs(sim.url, TOKEN);
  return { sim, conn };
}

type Row = Record<string, number | null>;

async function statistics(c: Connection, request: Record<string, unknown>): Promise<Record<string, Row[]>> {
  return c.sendMessagePromise({
    type: "recorder/statistics_during_period",
    statistic_ids: [LOAD],
    ...request,
  });
}

/** A meter that gains `kwhPer5Min` (binary-exact, so sums compare exactly) every five minutes from `fromIso` to `toIso` (exclusive). */
function meterRows(fromIso: string, toIso: string, kwhPer5Min: number, startSumKwh = 1000): StatisticRow[] {
  const rows: StatisticRow[] = [];
  let sumKwh = startSumKwh;
  for (let startMs = Date.parse(fromIso); startMs < Date.parse(toIso); startMs += FIVE_MINUTES_MS) {
    sumKwh += kwhPer5Min;
    rows.push({ start: startMs, sum: sumKwh, state: sumKwh });
  }
  return rows;
}

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

describe("recorder/statistics_during_period in the simulator", () => {
  it("answers 5minute from the 5-minute rows in [start_time, end_time), epoch ms", async () => {
    const { sim, conn } = await connect();
    sim.setStatistics(LOAD, meterRows("2024-03-30T10:00:00Z", "2024-03-30T12:00:00Z", 0.25), {
      period: "5minute",
    });
    const result = await statistics(conn, {
      period: "5minute",
      start_time: "2024-03-30T10:30:00Z",
      end_time: "2024-03-30T10:45:00Z",
      types: ["sum", "change"],
    });
    expect(result[LOAD]).toEqual([
      {
        start: Date.parse("2024-03-30T10:30:00Z"),
        end: Date.parse("2024-03-30T10:35:00Z"),
        sum: 1001.75,
        change: 0.25,
      },
      {
        start: Date.parse("2024-03-30T10:35:00Z"),
        end: Date.parse("2024-03-30T10:40:00Z"),
        sum: 1002,
        change: 0.25,
      },
      {
        start: Date.parse("2024-03-30T10:40:00Z"),
        end: Date.parse("2024-03-30T10:45:00Z"),
        sum: 1002.25,
        change: 0.25,
      },
    ]);
  });

  it("compiles hours from 5-minute rows as the recorder does: sum and state of the hour's last row", async () => {
    const { sim, conn } = await connect();
    // 10:00–11:50 recorded: 11:00 has no :55 row yet, so the recorder has not compiled it.
    sim.setStatistics(LOAD, meterRows("2024-03-30T10:00:00Z", "2024-03-30T11:55:00Z", 0.25), {
      period: "5minute",
    });
    const result = await statistics(conn, { period: "hour", start_time: "2024-03-30T00:00:00Z" });
    expect(result[LOAD]?.map((r) => [iso(r.start), iso(r.end), r.sum, r.state])).toEqual([
      ["2024-03-30T10:00:00.000Z", "2024-03-30T11:00:00.000Z", 1003, 1003],
    ]);
  });

  it("compiles an hour's mean as the mean of its 5-minute means, min and max as their extremes", async () => {
    const { sim, conn } = await connect();
    const rows: StatisticRow[] = [];
    for (let i = 0; i < 12; i += 1) {
      rows.push({
        start: Date.parse("2024-03-30T10:00:00Z") + i * FIVE_MINUTES_MS,
        mean: i,
        min: i - 1,
        max: i + 2,
      });
    }
    sim.setStatistics("sensor.house_power", rows, { period: "5minute", unitOfMeasurement: "W" });
    const result = await statistics(conn, {
      statistic_ids: ["sensor.house_power"],
      period: "hour",
      start_time: "2024-03-30T10:00:00Z",
    });
    // A mean statistic has no sum: state, sum and change are not columns of its answer.
    expect(result["sensor.house_power"]).toEqual([
      {
        start: Date.parse("2024-03-30T10:00:00Z"),
        end: Date.parse("2024-03-30T11:00:00Z"),
        mean: 5.5,
        min: -1,
        max: 13,
        last_reset: null,
      },
    ]);
  });

  it("gives the first row's change against the last row before start_time, else its whole sum", async () => {
    const { sim, conn } = await connect();
    sim.setStatistics(LOAD, [
      { start: "2024-03-30T09:00:00Z", sum: 1000 },
      { start: "2024-03-30T10:00:00Z", sum: 1001.5 },
      { start: "2024-03-30T11:00:00Z", sum: 1002 },
    ]);
    const fromTen = await statistics(conn, {
      period: "hour",
      start_time: "2024-03-30T10:00:00Z",
      types: ["change"],
    });
    expect(fromTen[LOAD]?.map((r) => r.change)).toEqual([1.5, 0.5]);
    expect(fromTen[LOAD]?.[0]).not.toHaveProperty("sum");
    const fromNine = await statistics(conn, {
      period: "hour",
      start_time: "2024-03-30T08:00:00Z",
      types: ["change"],
    });
    expect(fromNine[LOAD]?.map((r) => r.change)).toEqual([1000, 1.5, 0.5]);
  });

  it("sums 5-minute rows into local days across the spring DST change (Europe/London 2024-03-31: 23 h)", async () => {
    const { sim, conn } = await connect("Europe/London");
    // 30 March 00:00 GMT to 2 April 00:00 BST, 0.25 kWh every five minutes.
    sim.setStatistics(LOAD, meterRows("2024-03-30T00:00:00Z", "2024-04-01T23:00:00Z", 0.25, 0), {
      period: "5minute",
    });
    const result = await statistics(conn, {
      period: "day",
      start_time: "2024-03-31T00:00:00Z",
      end_time: "2024-03-31T22:00:00Z",
      types: ["change", "sum"],
    });
    const days = (rows: Row[] | undefined) => rows?.map((r) => [iso(r.start), iso(r.end), r.change]);
    // The 31st runs from midnight GMT to midnight BST; its change starts from the 30th's last hour.
    expect(days(result[LOAD])).toEqual([["2024-03-31T00:00:00.000Z", "2024-03-31T23:00:00.000Z", 69]]);

    // start_time moves back to its local midnight; the first day of the history changes by its
    // whole sum (nothing before it).
    const all = await statistics(conn, {
      period: "day",
      start_time: "2024-03-30T12:00:00Z",
      types: ["change"],
    });
    expect(days(all[LOAD])).toEqual([
      ["2024-03-30T00:00:00.000Z", "2024-03-31T00:00:00.000Z", 72],
      ["2024-03-31T00:00:00.000Z", "2024-03-31T23:00:00.000Z", 69],
      ["2024-03-31T23:00:00.000Z", "2024-04-01T23:00:00.000Z", 72],
    ]);
  });

  it("takes in the whole local day an end_time falls in, even one exactly at local midnight", async () => {
    const { sim, conn } = await connect("Europe/London");
    sim.setStatistics(LOAD, meterRows("2024-03-30T00:00:00Z", "2024-04-01T23:00:00Z", 0.25, 0), {
      period: "5minute",
    });
    const result = await statistics(conn, {
      period: "day",
      start_time: "2024-03-31T00:00:00+00:00",
      end_time: "2024-04-01T00:00:00+01:00",
      types: ["change"],
    });
    expect(result[LOAD]?.map((r) => iso(r.start))).toEqual([
      "2024-03-31T00:00:00.000Z",
      "2024-03-31T23:00:00.000Z",
    ]);
  });

  it("folds hours into ISO weeks and months of the HA time zone", async () => {
    const { sim, conn } = await connect("Europe/London");
    const hours: StatisticRow[] = [];
    for (
      let ms = Date.parse("2024-03-25T00:00:00Z");
      ms < Date.parse("2024-04-02T00:00:00Z");
      ms += HOUR_MS
    ) {
      hours.push({ start: ms, sum: hours.length + 1 });
    }
    sim.setStatistics(LOAD, hours);
    const weeks = await statistics(conn, {
      period: "week",
      start_time: "2024-03-27T00:00:00Z",
      types: ["change"],
    });
    // Monday 25 March 00:00 GMT to Monday 1 April 00:00 BST: 167 hours.
    expect(weeks[LOAD]?.map((r) => [iso(r.start), iso(r.end), r.change])).toEqual([
      ["2024-03-25T00:00:00.000Z", "2024-03-31T23:00:00.000Z", 167],
      ["2024-03-31T23:00:00.000Z", "2024-04-07T23:00:00.000Z", 25],
    ]);
    const months = await statistics(conn, {
      period: "month",
      start_time: "2024-03-15T00:00:00Z",
      types: ["sum"],
    });
    expect(months[LOAD]?.map((r) => [iso(r.start), iso(r.end), r.sum])).toEqual([
      ["2024-03-01T00:00:00.000Z", "2024-03-31T23:00:00.000Z", 167],
      ["2024-03-31T23:00:00.000Z", "2024-04-30T23:00:00.000Z", 192],
    ]);
  });

  it("converts a Wh statistic to the kWh asked for, and passes kWh through", async () => {
    const { sim, conn } = await connect();
    sim.setStatistics(LOAD, [{ start: "2024-03-30T10:00:00Z", sum: 1500, state: 1500 }], {
      unitOfMeasurement: "Wh",
    });
    sim.setStatistics("sensor.pv_energy", [{ start: "2024-03-30T10:00:00Z", sum: 2.5 }]);
    const result = await statistics(conn, {
      statistic_ids: [LOAD, "sensor.pv_energy", "sensor.never_recorded"],
      period: "hour",
      start_time: "2024-03-30T10:00:00Z",
      units: { energy: "kWh" },
      types: ["sum", "state", "change"],
    });
    expect(result).toEqual({
      [LOAD]: [
        {
          start: Date.parse("2024-03-30T10:00:00Z"),
          end: Date.parse("2024-03-30T11:00:00Z"),
          sum: 1.5,
          state: 1.5,
          change: 1.5,
        },
      ],
      "sensor.pv_energy": [
        {
          start: Date.parse("2024-03-30T10:00:00Z"),
          end: Date.parse("2024-03-30T11:00:00Z"),
          sum: 2.5,
          state: null,
          change: 2.5,
        },
      ],
    });
  });

  it("refuses a request without a period, as HA's schema does", async () => {
    const { sim, conn } = await connect();
    sim.setStatistics(LOAD, [{ start: "2024-03-30T10:00:00Z", sum: 1 }]);
    await expect(
      conn.sendMessagePromise({
        type: "recorder/statistics_during_period",
        statistic_ids: [LOAD],
        start_time: "2024-03-30T10:00:00Z",
      }),
    ).rejects.toMatchObject({ code: "invalid_format" });
    await expect(statistics(conn, { period: "hour", start_time: "yesterday" })).rejects.toEqual({
      code: "invalid_start_time",
      message: "Invalid start_time",
    });
  });
});
