// From an inputs snapshot to the planner's problem: the slot grid from now, rates and forecasts
// resampled onto it, the battery from the options, overrides as forced slots, and the plan being
// executed as the stability hint. Also the fingerprints that tell whether a replan could change
// anything. Missing essentials are a typed failure, never an exception.
import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import {
  buildSlotGrid,
  type GridSlot,
  resampleEnergy,
  resampleRates,
  SlotGridError,
} from "../core/slot-grid.js";
import type { BatterySpec, ForcedSlot, Mode, PlanProblem, SlotInput } from "../core/types.js";
import type { OverrideWindow } from "./overrides.js";
import type { InputsSnapshot, StoredPlan } from "./ports.js";

export type PlanFailureReason = "no-rates" | "no-battery-state" | "inputs-invalid";

export interface BuiltProblem {
  problem: PlanProblem;
  warnings: string[];
  fingerprint: string;
  ratesFingerprint: string;
  forecastFingerprint: string;
}

export interface ProblemFailure {
  failure: PlanFailureReason;
  message: string;
}

export function batteryFromConfig(config: Config, reservePct: number): BatterySpec {
  const b = config.battery;
  return {
    capacityKwh: b.capacity_kwh,
    minSocKwh: (reservePct / 100) * b.capacity_kwh,
    maxChargeKw: b.max_charge_kw,
    maxDischargeKw: b.max_discharge_kw,
    chargeEfficiency: b.charge_efficiency,
    dischargeEfficiency: b.discharge_efficiency,
    cycleCostPerKwh: b.cycle_cost_per_kwh,
  };
}

export function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** What StoredPlan.ratesFingerprint holds; adapters pass it with a "rates" replan trigger. */
export function ratesFingerprint(snapshot: Pick<InputsSnapshot, "importRates" | "exportRates">): string {
  return hash([snapshot.importRates, snapshot.exportRates]);
}

/** What StoredPlan.forecastFingerprint holds; adapters pass it with a "forecast" replan trigger. */
export function forecastFingerprint(snapshot: Pick<InputsSnapshot, "solar" | "load">): string {
  return hash([snapshot.solar, snapshot.load]);
}

export function buildProblem(args: {
  snapshot: InputsSnapshot;
  config: Config;
  reservePct: number;
  nowMs: number;
  overrides: readonly OverrideWindow[];
  previous: StoredPlan | undefined;
}): BuiltProblem | ProblemFailure {
  const { snapshot, config, nowMs } = args;
  const battery = batteryFromConfig(config, args.reservePct);
  const socPct = snapshot.battery?.socPct;
  if (typeof socPct !== "number" || !Number.isFinite(socPct) || socPct < 0 || socPct > 100) {
    return { failure: "no-battery-state", message: "no valid battery state of charge" };
  }
  if (snapshot.importRates.length === 0) return { failure: "no-rates", message: "no import rates" };
  const warnings = [...snapshot.warnings];
  let fullGrid: GridSlot[];
  try {
    fullGrid = buildSlotGrid({
      nowMs,
      slotMinutes: config.planner.slot_minutes,
      horizonHours: config.planner.horizon_hours,
    });
  } catch (error) {
    if (error instanceof SlotGridError) return { failure: "inputs-invalid", message: error.message };
    throw error;
  }
  const imports = resampleRates(snapshot.importRates, fullGrid);
  // The horizon ends where the import prices end: tomorrow's rates often arrive in the afternoon.
  let count = imports.values.indexOf(undefined);
  if (count < 0) count = fullGrid.length;
  if (count === 0) return { failure: "no-rates", message: "no import rate covers now" };
  const grid = fullGrid.slice(0, count);
  const exports = resampleRates(snapshot.exportRates, grid);
  const solar = resampleEnergy(snapshot.solar, grid, (p) => p.energyKwh);
  const solarP10 = resampleEnergy(snapshot.solar, grid, (p) => p.p10Kwh ?? p.energyKwh);
  const solarP90 = resampleEnergy(snapshot.solar, grid, (p) => p.p90Kwh ?? p.energyKwh);
  const hasPercentiles = snapshot.solar.some((p) => p.p10Kwh !== undefined);
  const load = resampleEnergy(snapshot.load, grid, (p) => p.energyKwh);
  if (snapshot.exportRates.length > 0 && exports.gaps.length > 0) {
    warnings.push(`export rates missing for ${exports.gaps.length} slots (valued at 0)`);
  }
  if (snapshot.load.length > 0 && load.gaps.length > 0) {
    warnings.push(
      `load forecast missing for ${load.gaps.length} slots (using ${config.load.fallback_kw} kW)`,
    );
  }
  const slots = grid.map((g, i): SlotInput => {
    const hours = (g.endMs - g.startMs) / 3_600_000;
    const slot: SlotInput = {
      startMs: g.startMs,
      endMs: g.endMs,
      importPricePerKwh: imports.values[i]!,
      exportPricePerKwh: exports.values[i] ?? 0,
      loadKwh: Math.max(0, load.values[i] ?? config.load.fallback_kw * hours),
      pvKwh: Math.max(0, solar.values[i] ?? 0),
    };
    if (hasPercentiles) {
      slot.pvP10Kwh = Math.max(0, solarP10.values[i] ?? 0);
      slot.pvP90Kwh = Math.max(0, solarP90.values[i] ?? 0);
    }
    return slot;
  });
  const prices = slots.map((s) => s.importPricePerKwh).sort((a, b) => a - b);
  const problem: PlanProblem = {
    slots,
    battery,
    grid: { maxImportKw: config.grid.max_import_kw, maxExportKw: config.grid.max_export_kw },
    initialSocKwh: Math.min(battery.capacityKwh, (socPct / 100) * battery.capacityKwh),
    terminalValuePerKwh: config.planner.terminal_value_per_kwh ?? prices[Math.floor(prices.length / 2)]!,
    options: {
      stabilityThreshold: config.planner.stability_threshold,
      pvRiskAversion: config.planner.pv_risk_aversion,
    },
  };
  const forced = forcedSlots(slots, args.overrides, battery.capacityKwh);
  if (forced.length > 0) problem.forced = forced;
  if (args.previous) problem.previous = { modesByStartMs: previousModes(args.previous, nowMs) };
  const rates = ratesFingerprint(snapshot);
  const forecast = forecastFingerprint(snapshot);
  const settings = [config.battery, config.grid, config.planner, args.reservePct];
  const overrideKey = args.overrides.map((w) => [w.override.id, w.override.updatedAtMs, w.startMs]);
  return {
    problem,
    warnings,
    ratesFingerprint: rates,
    forecastFingerprint: forecast,
    fingerprint: hash([rates, forecast, settings, overrideKey]),
  };
}

/** A slot is forced when an override covers at least half of it. */
function forcedSlots(
  slots: readonly SlotInput[],
  windows: readonly OverrideWindow[],
  capacityKwh: number,
): ForcedSlot[] {
  const forced: ForcedSlot[] = [];
  slots.forEach((slot, slotIndex) => {
    const covering = windows
      .filter(
        (w) =>
          Math.min(w.endMs, slot.endMs) - Math.max(w.startMs, slot.startMs) >=
          (slot.endMs - slot.startMs) / 2,
      )
      .sort((a, b) => b.override.updatedAtMs - a.override.updatedAtMs)[0];
    if (!covering) return;
    const f: ForcedSlot = { slotIndex, mode: covering.override.mode };
    if (covering.override.targetSocPct !== undefined)
      f.targetSocKwh = (covering.override.targetSocPct / 100) * capacityKwh;
    if (covering.override.powerW !== undefined) f.powerW = Math.abs(covering.override.powerW);
    forced.push(f);
  });
  return forced;
}

/** The executed plan's modes by slot start; the slot running now is keyed by now (the grid's first start). */
function previousModes(previous: StoredPlan, nowMs: number): Map<number, Mode> {
  const modes = new Map<number, Mode>(previous.plan.slots.map((s) => [s.startMs, s.mode]));
  const current = previous.plan.slots.find((s) => s.startMs <= nowMs && nowMs < s.endMs);
  if (current) modes.set(nowMs, current.mode);
  return modes;
}
