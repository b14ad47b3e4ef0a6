// Battery state: the SOC sensor in % (or kWh/Wh, converted with the configured capacity) and an
// optional power sensor in W or kW (+ charging, as the options document). A SOC that is missing,
// unavailable or outside 0–100 % by more than rounding is missing, never 0 %.
import type { BatteryReading } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { attributeString, stateNumber } from "../states.js";

export interface BatteryReadResult {
  reading?: BatteryReading;
  warnings: string[];
}

export function socPercent(state: HaEntityState, capacityKwh: number): number | undefined {
  const value = stateNumber(state);
  if (value === undefined) return undefined;
  const unit = (attributeString(state, "unit_of_measurement") ?? "%").trim();
  const pct =
    unit === "kWh" ? (value / capacityKwh) * 100 : unit === "Wh" ? (value / 1000 / capacityKwh) * 100 : value;
  if (pct < -0.5 || pct > 100.5) return undefined;
  return Math.min(100, Math.max(0, pct));
}

export function powerWatts(state: HaEntityState | undefined): number | undefined {
  const value = stateNumber(state);
  if (value === undefined || !state) return undefined;
  const unit = (attributeString(state, "unit_of_measurement") ?? "W").trim();
  if (unit === "kW") return value * 1000;
  if (unit === "MW") return value * 1_000_000;
  return value;
}

export function readBattery(
  socEntity: string,
  powerEntity: string | undefined,
  states: Record<string, HaEntityState>,
  capacityKwh: number,
  nowMs: number,
): BatteryReadResult {
  const warnings: string[] = [];
  const socState = states[socEntity];
  if (!socState) return { warnings: [`${socEntity}: entity not found`] };
  const socPct = socPercent(socState, capacityKwh);
  if (socPct === undefined)
    return { warnings: [`${socEntity}: SOC is '${socState.state}', not a usable value`] };
  const reading: BatteryReading = { socPct, readAtMs: nowMs };
  if (powerEntity) {
    const powerW = powerWatts(states[powerEntity]);
    if (powerW === undefined) warnings.push(`${powerEntity}: battery power unavailable`);
    else reading.powerW = powerW;
  }
  return { reading, warnings };
}
