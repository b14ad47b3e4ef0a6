// Fuzzed Home Assistant states and attributes through the real readers and through the
// HA-services controller's readState over the HA simulator (issue 9, items 1, 3 and 12): nothing
// throws, nothing yields a non-finite or out-of-range value, the planner and the controller agree
// on every SOC, and an untrusted SOC never keeps a forced mode.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHaServicesController } from "../../src/control/ha-services/controller.js";
import { HA_SERVICE_PROFILES } from "../../src/control/ha-services/profiles/index.js";
import type { ProfileBinding } from "../../src/control/ha-services/resolve.js";
import { decide } from "../../src/core/decide.js";
import type { PlanSlot } from "../../src/core/types.js";
import { ControlError } from "../../src/errors.js";
import type { HaEntityState } from "../../src/ha/client.js";
import { meteredPoints, solarStatisticIds } from "../../src/ha/measured-energy.js";
import { readAmberForecasts } from "../../src/ha/readers/amber.js";
import { readBattery } from "../../src/ha/readers/battery.js";
import { hourlyEnergy } from "../../src/ha/readers/load.js";
import { readNordpoolCoreResponse, readNordpoolSensor } from "../../src/ha/readers/nordpool.js";
import { readOctopusRates } from "../../src/ha/readers/octopus.js";
import { MAX_PV_KW, maxPricePerKwh } from "../../src/ha/readers/plausibility.js";
import { planningWindow } from "../../src/ha/readers/series.js";
import { readEnergySolarForecast, readForecastSolar, readSolcast } from "../../src/ha/readers/solar.js";
import { readTibberResponse } from "../../src/ha/readers/tibber.js";
import { setLogSink } from "../../src/log.js";
import type { EnergyPoint, RatePoint } from "../../src/runtime/ports.js";
import { LIMITS, type Rig, SOC_ENTITY, startRig } from "../control/ha-services/sim-setup.js";
import { recordFault } from "./record.js";

const NOW_MS = Date.parse("2026-01-15T12:00:00Z");
const HOUR_MS = 3_600_000;
const CAPACITY_KWH = 9.5;

function entity(entityId: string, state: string, attributes: Record<string, unknown>): HaEntityState {
  return {
    entity_id: entityId,
    state,
    attributes,
    last_changed: "",
    last_updated: "",
    context: { id: "", parent_id: null, user_id: null },
  };
}

/** Runs a property, records the ledger row, then fails the test if any run failed. */
function checked<T>(
  fault: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  numRuns: number,
): void {
  const details = fc.check(
    fc.property(arbitrary, (value) => {
      predicate(value);
    }),
    { numRuns, seed: 20261201 },
  );
  recordFault({
    area: "inputs",
    fault,
    tried: details.numRuns,
    survived: details.failed ? details.numRuns - 1 : details.numRuns,
  });
  expect(details.failed, fc.defaultReportMessage(details) ?? "").toBe(false);
}

// What HA and integrations really put in states, and what a broken one might.
const numberText = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.double({ min: -200, max: 200, noNaN: true }).map((n) => n.toFixed(3)),
);
const junkText = fc.constantFrom(
  "-5",
  "150",
  "100.6",
  "0x32",
  "  ",
  "",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "unavailable",
  "unknown",
  "None",
  "50 %",
  "٥٠",
  "5,5",
  "0b101",
  "1_000",
);
const stateText = fc.oneof(numberText, junkText, fc.string({ maxLength: 12 }));
const anyValue = fc.oneof(stateText, fc.double(), fc.constant(null), fc.boolean(), fc.anything());
const unit = fc.constantFrom<string | undefined>(
  "%",
  "Wh",
  "kWh",
  "MWh",
  "W",
  "kW",
  "V",
  "",
  " % ",
  undefined,
);
const isoNear = fc
  .integer({ min: -3 * 24, max: 5 * 24 })
  .map((h) => new Date(NOW_MS + h * (HOUR_MS / 2)).toISOString());
const instant = fc.oneof(isoNear, fc.string({ maxLength: 30 }), fc.constant("2026-13-45T99:00:00Z"));

function expectRates(points: RatePoint[], maxAbs = 10_000): void {
  let previousStart = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    expect(Number.isFinite(p.pricePerKwh) && Math.abs(p.pricePerKwh) <= maxAbs).toBe(true);
    expect(Number.isFinite(p.startMs) && p.endMs > p.startMs).toBe(true);
    expect(p.startMs).toBeGreaterThan(previousStart);
    previousStart = p.startMs;
  }
}

function expectPv(points: EnergyPoint[]): void {
  for (const p of points) {
    const hours = (p.endMs - p.startMs) / HOUR_MS;
    for (const kwh of [p.energyKwh, p.p10Kwh ?? 0, p.p90Kwh ?? 0]) {
      expect(Number.isFinite(kwh) && kwh >= 0 && kwh / hours <= MAX_PV_KW).toBe(true);
    }
  }
}

let restoreLog: () => void;
beforeAll(() => {
  restoreLog = setLogSink(() => undefined);
});
afterAll(() => restoreLog());

describe("fuzzed battery states through the planner's reader", () => {
  it("gives a SOC in 0–100 % or none, and a finite power or none", () => {
    checked(
      "fuzzed SOC and power states (reader)",
      fc.record({ soc: stateText, socUnit: unit, power: stateText, powerUnit: unit }),
      ({ soc, socUnit, power, powerUnit }) => {
        const states = {
          "sensor.soc": entity(
            "sensor.soc",
            soc,
            socUnit === undefined ? {} : { unit_of_measurement: socUnit },
          ),
          "sensor.power": entity(
            "sensor.power",
            power,
            powerUnit === undefined ? {} : { unit_of_measurement: powerUnit },
          ),
        };
        const { reading } = readBattery("sensor.soc", "sensor.power", states, CAPACITY_KWH, NOW_MS);
        if (reading) {
          expect(Number.isFinite(reading.socPct) && reading.socPct >= 0 && reading.socPct <= 100).toBe(true);
          if (reading.powerW !== undefined) expect(Math.abs(reading.powerW) <= 10_000_000).toBe(true);
        }
      },
      2_000,
    );
  });
});

describe("fuzzed tariff and forecast attributes through the readers", () => {
  const rate = fc.record({ start: instant, end: instant, value_inc_vat: anyValue }, { requiredKeys: [] });

  it("Octopus rates: finite, ordered, within the GBP bound, huge lists clipped", () => {
    const rates = fc.oneof(
      { weight: 4, arbitrary: fc.array(fc.oneof(rate, anyValue), { maxLength: 60 }) },
      {
        weight: 1,
        // A long list of plausible rates, or the same with one slipped value in it.
        arbitrary: fc
          .record({
            length: fc.integer({ min: 2_000, max: 20_000 }),
            slip: fc.option(fc.double(), { nil: undefined }),
          })
          .map(({ length, slip }) =>
            Array.from({ length }, (_, i) => {
              const startMs = NOW_MS - 200 * 24 * HOUR_MS + i * (HOUR_MS / 2);
              return {
                start: new Date(startMs).toISOString(),
                end: new Date(startMs + HOUR_MS / 2).toISOString(),
                value_inc_vat: i === length - 100 && slip !== undefined ? slip : 0.1 + (i % 7) / 100,
              };
            }),
          ),
      },
    );
    checked(
      "fuzzed Octopus rate attributes (incl. 20k-entry lists)",
      fc.record({ current: rates, next: rates }),
      ({ current, next }) => {
        const states = {
          "event.a": entity("event.a", "x", { rates: current }),
          "event.b": entity("event.b", "x", { rates: next }),
        };
        const { points } = readOctopusRates(["event.a", "event.b"], states, {
          window: planningWindow(NOW_MS),
        });
        expectRates(points, maxPricePerKwh("GBP"));
        for (const p of points) expect(p.startMs).toBeGreaterThan(NOW_MS - 2 * 24 * HOUR_MS);
      },
      300,
    );
  });

  it("a year of Octopus rates (a 2.9 MB attribute) is clipped to the window with one warning", () => {
    const year = Array.from({ length: 17_520 }, (_, i) => {
      const startMs = NOW_MS - 180 * 24 * HOUR_MS + i * (HOUR_MS / 2);
      return {
        start: new Date(startMs).toISOString().replace(".000Z", "+00:00"),
        end: new Date(startMs + HOUR_MS / 2).toISOString().replace(".000Z", "+00:00"),
        value_inc_vat: 0.2412345 + (i % 48) / 1000,
        is_capped: false,
        is_intelligent_adjusted: false,
      };
    });
    const bytes = JSON.stringify(year).length;
    const { points, warnings } = readOctopusRates(
      ["event.year"],
      { "event.year": entity("event.year", "x", { rates: year }) },
      { window: planningWindow(NOW_MS) },
    );
    const ok = points.length > 0 && points.length <= 4 * 48 + 56 && warnings.length === 1;
    recordFault({
      area: "inputs",
      fault: `year of Octopus rates (${(bytes / 1e6).toFixed(1)} MB attribute)`,
      tried: 1,
      survived: ok ? 1 : 0,
    });
    expect(bytes).toBeGreaterThan(2_500_000);
    expect(points.length).toBeLessThanOrEqual(4 * 48 + 56);
    expect(warnings).toEqual([expect.stringContaining("17520 entries, read only the")]);
  });

  it("Nord Pool, Tibber and Amber: finite and ordered whatever the shape", () => {
    const nordItem = fc.record({ start: instant, end: instant, value: anyValue }, { requiredKeys: [] });
    checked(
      "fuzzed Nord Pool / Tibber / Amber responses",
      fc.record({
        uom: fc.constantFrom("EUR/kWh", "öre/kWh", "SEK/MWh", "c/kWh", "kWh", "", "EUR"),
        today: fc.array(fc.oneof(nordItem, anyValue), { maxLength: 40 }),
        core: fc.oneof(
          fc.anything(),
          fc.record({ SE3: fc.array(fc.record({ start: instant, end: instant, price: anyValue })) }),
        ),
        tibber: fc.oneof(
          fc.anything(),
          fc.record({
            prices: fc.dictionary(fc.string(), fc.array(fc.record({ start_time: instant, price: anyValue }))),
          }),
        ),
        amber: fc.oneof(
          fc.anything(),
          fc.array(fc.record({ start_time: instant, end_time: instant, per_kwh: anyValue })),
        ),
      }),
      ({ uom, today, core, tibber, amber }) => {
        const window = planningWindow(NOW_MS);
        const sensor = entity("sensor.np", "1", {
          unit_of_measurement: uom,
          raw_today: today,
          currency: "EUR",
        });
        expectRates(readNordpoolSensor("sensor.np", sensor, { window }).points);
        expectRates(readNordpoolCoreResponse(core, "SE3", { window }).points);
        expectRates(readTibberResponse(tibber, undefined, { window }).points);
        expectRates(readAmberForecasts("amber", amber, { window }).points, maxPricePerKwh("AUD"));
      },
      500,
    );
  });

  it("Solcast, Forecast.Solar and HA's solar forecast: finite PV within the bound", () => {
    const period = fc.record(
      { period_start: instant, pv_estimate: anyValue, pv_estimate10: anyValue, pv_estimate90: anyValue },
      { requiredKeys: ["period_start"] },
    );
    checked(
      "fuzzed Solcast / Forecast.Solar / energy forecasts",
      fc.record({
        detailed: fc.array(fc.oneof(period, anyValue), { maxLength: 60 }),
        whPeriod: fc.dictionary(instant, anyValue, { maxKeys: 30 }),
        energy: fc.oneof(
          fc.anything(),
          fc.dictionary(fc.string(), fc.record({ wh_hours: fc.dictionary(instant, anyValue) })),
        ),
      }),
      ({ detailed, whPeriod, energy }) => {
        const window = planningWindow(NOW_MS);
        expectPv(
          readSolcast("sensor.s", entity("sensor.s", "1", { detailedForecast: detailed }), window).points,
        );
        expectPv(
          readForecastSolar("sensor.f", entity("sensor.f", "1", { wh_period: whPeriod }), window).points,
        );
        expectPv(readEnergySolarForecast(energy, undefined, window).points);
      },
      500,
    );
  });

  it("recorder statistics: hourly energy finite and within 0–100 kWh", () => {
    checked(
      "fuzzed recorder statistics rows",
      fc.oneof(
        fc.anything(),
        fc.array(fc.record({ start: fc.oneof(instant, fc.double()), change: anyValue, sum: anyValue })),
      ),
      (rows) => {
        for (const kwh of hourlyEnergy(rows).values())
          expect(Number.isFinite(kwh) && kwh >= 0 && kwh <= 100).toBe(true);
      },
      500,
    );
  });
});

describe("fuzzed inputs of the day score", () => {
  it("meter statistics rows: energy finite, never negative, within a house's meter", () => {
    checked(
      "fuzzed meter statistics rows (day score)",
      fc.tuple(
        fc.constantFrom<"5minute" | "hour">("5minute", "hour"),
        fc.oneof(
          fc.anything(),
          fc.array(fc.record({ start: fc.oneof(instant, fc.double()), change: anyValue, sum: anyValue })),
        ),
      ),
      ([period, rows]) => {
        for (const p of meteredPoints(rows, period)) {
          expect(Number.isFinite(p.energyKwh) && p.energyKwh >= 0).toBe(true);
          expect(Number.isFinite(p.startMs) && p.endMs > p.startMs).toBe(true);
          expect(p.energyKwh).toBeLessThanOrEqual((100 * (p.endMs - p.startMs)) / HOUR_MS + 1e-9);
        }
      },
      500,
    );
  });

  it("Energy dashboard preferences: only strings come out as PV meters", () => {
    const source = fc.record({
      type: fc.oneof(fc.constantFrom("solar", "grid", "battery", "wind"), fc.string()),
      stat_energy_from: anyValue,
    });
    checked(
      "fuzzed Energy dashboard preferences (day score)",
      fc.oneof(fc.anything(), fc.record({ energy_sources: fc.oneof(fc.array(source), fc.anything()) })),
      (prefs) => {
        for (const id of solarStatisticIds(prefs)) expect(typeof id === "string" && id.length > 0).toBe(true);
      },
      300,
    );
  });
});

describe("fuzzed SOC through the HA-services controller (HA simulator)", () => {
  const binding: ProfileBinding = {
    profile: HA_SERVICE_PROFILES.givtcp!,
    entities: {},
    values: {},
    prefix: "givtcp_ce1234g567",
  };
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(binding);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("agrees with the planner's reader on every SOC, and an untrusted one never keeps a forced mode", async () => {
    const controller = createHaServicesController({
      ha: rig.ha,
      entities: rig.entities,
      binding,
      limits: LIMITS,
      socEntity: SOC_ENTITY,
      capacityKwh: CAPACITY_KWH,
      sleep: async () => undefined,
    });
    // The previous plan's slot for now is a forced charge.
    const charge = {
      startMs: NOW_MS - HOUR_MS,
      endMs: NOW_MS + HOUR_MS,
      mode: "charge",
      targetSocKwh: 9,
      powerW: 3000,
    } as PlanSlot;
    let runs = 0;
    let agreed = 0;
    await fc
      .assert(
        fc.asyncProperty(fc.record({ soc: stateText, socUnit: unit }), async ({ soc, socUnit }) => {
          runs += 1;
          const attributes = socUnit === undefined ? {} : { unit_of_measurement: socUnit };
          rig.sim.setState(SOC_ENTITY, soc, attributes);
          const planner = readBattery(
            SOC_ENTITY,
            undefined,
            { [SOC_ENTITY]: entity(SOC_ENTITY, soc, attributes) },
            CAPACITY_KWH,
            NOW_MS,
          ).reading;
          const inverter = await controller.readState().catch((error: unknown) => {
            expect(error).toBeInstanceOf(ControlError);
            return undefined;
          });
          expect(inverter?.socPct).toBe(planner?.socPct);
          const decision = decide({
            nowMs: NOW_MS,
            plan: { planVersion: 1, computedAtMs: NOW_MS, capacityKwh: CAPACITY_KWH, slots: [charge] },
            maxPlanAgeMs: HOUR_MS,
            inverter,
            battery: {
              capacityKwh: CAPACITY_KWH,
              maxChargeKw: 3,
              maxDischargeKw: 3,
              chargeEfficiency: 0.95,
              dischargeEfficiency: 0.95,
            },
          });
          if (!planner) expect(decision.command.mode).toBe("self-use");
          agreed += 1;
        }),
        { numRuns: 150, seed: 20261201 },
      )
      .finally(() => {
        recordFault({
          area: "inputs",
          fault: "fuzzed SOC via HA-services readState (HA sim)",
          tried: runs,
          survived: agreed,
        });
      });
  });
});
