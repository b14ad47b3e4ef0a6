// Shared set-up for runtime tests: a temporary data directory, options, inputs that a test can
// change between calls, a publisher that records what it was given.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { BatterySpec } from "../../src/core/types.js";
import type {
  DayScoreRecord,
  EnergyPoint,
  InputsPort,
  InputsSnapshot,
  JobRun,
  MeasuredEnergy,
  OverrideEvent,
  PlanPublisher,
  RatePoint,
  RuntimeStatus,
  StoredPlan,
} from "../../src/runtime/ports.js";

export const T0 = Date.parse("2025-01-14T00:00:00Z");
export const HALF_HOUR = 30 * 60_000;

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "bp-runtime-"));
}

export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return parseConfig({
    timezone: "Europe/London",
    battery: {
      soc_entity: "sensor.soc",
      capacity_kwh: 10,
      reserve_pct: 10,
      max_charge_kw: 3,
      max_discharge_kw: 3,
    },
    import_tariff: { source: "octopus", entities: ["event.octopus_current_day_rates"] },
    control: { method: "modbus", enabled: true, modbus: { host: "127.0.0.1" } },
    planner: { horizon_hours: 24, slot_minutes: 30 },
    ...overrides,
  });
}

export function simBattery(config: Config): BatterySpec {
  const b = config.battery;
  return {
    capacityKwh: b.capacity_kwh,
    minSocKwh: (b.reserve_pct / 100) * b.capacity_kwh,
    maxChargeKw: b.max_charge_kw,
    maxDischargeKw: b.max_discharge_kw,
    chargeEfficiency: b.charge_efficiency,
    dischargeEfficiency: b.discharge_efficiency,
    cycleCostPerKwh: b.cycle_cost_per_kwh,
  };
}

/** Night cheap (slots 2..9 of the day), evening peak (slots 34..39), flat otherwise. */
export function agileLikeRates(fromMs: number, slots: number, price?: (i: number) => number): RatePoint[] {
  return Array.from({ length: slots }, (_, i) => {
    const local = i % 48;
    const p = price ? price(i) : local >= 2 && local < 10 ? 0.08 : local >= 34 && local < 40 ? 0.4 : 0.22;
    return { startMs: fromMs + i * HALF_HOUR, endMs: fromMs + (i + 1) * HALF_HOUR, pricePerKwh: p };
  });
}

export function flatLoad(fromMs: number, slots: number, kwh = 0.3): EnergyPoint[] {
  return Array.from({ length: slots }, (_, i) => ({
    startMs: fromMs + i * HALF_HOUR,
    endMs: fromMs + (i + 1) * HALF_HOUR,
    energyKwh: kwh,
  }));
}

export class FakeInputs implements InputsPort {
  importRates: RatePoint[] = agileLikeRates(T0, 96);
  exportRates: RatePoint[] = [];
  solar: EnergyPoint[] = [];
  load: EnergyPoint[] = flatLoad(T0, 96);
  socPct: number | undefined = 50;
  reads = 0;
  fail: Error | undefined;
  /** Resolve reads only when the test says so (to race plans). */
  gate: Promise<void> | undefined;
  refreshes = 0;

  async readInputs(nowMs: number): Promise<InputsSnapshot> {
    this.reads++;
    const socPct = this.socPct;
    const snapshot = {
      readAtMs: nowMs,
      importRates: this.importRates,
      exportRates: this.exportRates,
      solar: this.solar,
      load: this.load,
      battery: { socPct: socPct as number, readAtMs: nowMs },
      warnings: [],
    };
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    return snapshot;
  }

  async refreshLoadForecast(): Promise<void> {
    this.refreshes++;
  }

  /** What the meters say about finished slots; default: the house used 0.3 kWh a half hour, no PV. */
  measured: ((slots: readonly { startMs: number; endMs: number }[]) => Promise<MeasuredEnergy>) | undefined;
  measuredReads = 0;

  async readMeasuredEnergy(slots: readonly { startMs: number; endMs: number }[]): Promise<MeasuredEnergy> {
    this.measuredReads++;
    if (this.measured) return this.measured(slots);
    return {
      loadKwh: slots.map((s) => (0.3 * (s.endMs - s.startMs)) / HALF_HOUR),
      pvKwh: slots.map(() => 0),
      notes: [],
    };
  }
}

export class RecordingPublisher implements PlanPublisher {
  plans: StoredPlan[] = [];
  statuses: RuntimeStatus[] = [];
  changes = 0;
  jobRuns: JobRun[] = [];
  notifications: { title: string; message: string }[] = [];
  overrideEvents: OverrideEvent[] = [];
  ratesLateEvents: { deadline: string; coveredUntilMs: number }[] = [];
  dayScores: DayScoreRecord[] = [];

  async publishDayScore(record: DayScoreRecord): Promise<void> {
    this.dayScores.push(record);
  }

  async publishPlan(plan: StoredPlan, status: RuntimeStatus): Promise<void> {
    this.plans.push(plan);
    this.statuses.push(status);
  }
  async publishStatus(status: RuntimeStatus): Promise<void> {
    this.statuses.push(status);
  }
  async planChanged(): Promise<void> {
    this.changes++;
  }
  async publishJobRun(run: JobRun): Promise<void> {
    this.jobRuns.push(run);
  }
  async publishOverrideEvent(event: OverrideEvent): Promise<void> {
    this.overrideEvents.push(event);
  }
  async notify(title: string, message: string): Promise<void> {
    this.notifications.push({ title, message });
  }
  async ratesLate(late: { deadline: string; coveredUntilMs: number }): Promise<void> {
    this.ratesLateEvents.push(late);
  }
  lastStatus(): RuntimeStatus | undefined {
    return this.statuses.at(-1);
  }
}
