// Battery state: the SOC sensor in % (or kWh/Wh, converted with the configured capacity) and an
// optional power sensor in W or kW (+ charging, as the options document). Both go through the
// quantity parsers the HA-services controller uses too. A SOC that is missing, unavailable, in an
// unknown unit or outside 0–100 % by more than rounding is missing, never 0 %.
import type { BatteryReading } from "../../runtime/ports.js";
import type { HaEntityState } from "../client.js";
import { powerWFromState, socPctFromState } from "../quantities.js";

export interface BatteryReadResult {
  reading?: BatteryReading;
  warnings: string[];
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
  const soc = socPctFromState(socState, capacityKwh);
  if (!soc.ok) return { warnings: [`${socEntity}: SOC not usable: ${soc.reason}`] };
  const reading: BatteryReading = { socPct: soc.value, readAtMs: nowMs };
  if (powerEntity) {
    const power = powerWFromState(states[powerEntity]);
    if (!power.ok) warnings.push(`${powerEntity}: battery power not usable: ${power.reason}`);
    else reading.powerW = power.value;
  }
  return { reading, warnings };
}
