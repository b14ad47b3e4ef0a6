import { describe, expect, it } from "vitest";
import { readAmberForecasts, readAmberSensor } from "../../../src/ha/readers/amber.js";
import { readTibberResponse } from "../../../src/ha/readers/tibber.js";
import { fixtureResponse, fixtureStates, HOUR_MS, utc } from "./helpers.js";

describe("Tibber get_prices", () => {
  it("turns start times into hourly points in the home's currency per kWh", () => {
    const { points, warnings } = readTibberResponse(fixtureResponse("tibber-get-prices"));
    expect(warnings).toEqual([]);
    expect(points).toHaveLength(48);
    expect(points[0]).toEqual({
      startMs: utc("2025-06-17T22:00:00Z"),
      endMs: utc("2025-06-17T23:00:00Z"),
      pricePerKwh: 0.1506,
    });
    expect(points.at(-1)!.endMs - points.at(-1)!.startMs).toBe(HOUR_MS);
  });

  it("skips malformed entries and survives a wrong shape", () => {
    const response = {
      prices: {
        Home: [
          { start_time: "2025-06-18T00:00:00.000+02:00", price: 0.2 },
          { start_time: "2025-06-18T01:00:00.000+02:00", price: "unknown" },
          { start_time: "2025-06-18T02:00:00.000+02:00", price: 0.3 },
        ],
      },
    };
    const { points, warnings } = readTibberResponse(response);
    expect(points.map((p) => p.pricePerKwh)).toEqual([0.2, 0.3]);
    // The first price does not stretch over the missing hour beyond its own hour.
    expect(points[0]!.endMs - points[0]!.startMs).toBe(HOUR_MS);
    expect(warnings.join()).toContain("ignored 1");
    expect(readTibberResponse("nonsense").warnings[0]).toContain("unexpected");
  });
});

describe("Amber", () => {
  const haeo = fixtureStates("haeo-scenario1");

  it("reads the forecast sensor's intervals in $/kWh, floored to the minute", () => {
    const { points, warnings } = readAmberSensor(
      "sensor.home_general_forecast",
      haeo["sensor.home_general_forecast"],
    );
    expect(warnings).toEqual([]);
    expect(points[0]).toEqual({
      startMs: utc("2025-10-05T11:00:00Z"),
      endMs: utc("2025-10-05T11:05:00Z"),
      pricePerKwh: 0.13,
    });
    const thirty = points.find((p) => p.startMs === utc("2025-10-05T12:00:00Z"));
    expect(thirty?.endMs).toBe(utc("2025-10-05T12:30:00Z"));
    for (let i = 1; i < points.length; i += 1) expect(points[i]?.startMs).toBe(points[i - 1]?.endMs);
  });

  it("reads the get_forecasts response the same way", () => {
    const fromService = readAmberForecasts(
      "svc",
      (fixtureResponse("amber-get-forecasts-general") as { forecasts: unknown }).forecasts,
    );
    const fromSensor = readAmberSensor("s", haeo["sensor.home_general_forecast"]);
    expect(fromService.points).toEqual(fromSensor.points);
  });

  it("keeps feed-in prices as HA gives them (positive: paid to you)", () => {
    const haeo2 = fixtureStates("haeo-scenario2");
    const { points } = readAmberSensor("sensor.home_feed_in_forecast", haeo2["sensor.home_feed_in_forecast"]);
    const raw = haeo2["sensor.home_feed_in_forecast"]!.attributes.forecasts as { per_kwh: number }[];
    expect(points.map((p) => p.pricePerKwh)).toEqual(raw.map((f) => f.per_kwh));
  });

  it("reads Amber Express forecast lists, each value holding until the next", () => {
    const haeo6 = fixtureStates("haeo-scenario6");
    const id = "sensor.amber_express_home_general_price";
    const { points } = readAmberSensor(id, haeo6[id]);
    expect(points.length).toBeGreaterThan(60);
    expect(points[0]).toEqual({
      startMs: utc("2026-04-19T11:55:00Z"),
      endMs: utc("2026-04-19T12:00:00Z"),
      pricePerKwh: 0.179,
    });
  });
});
