// One strict parser per quantity that comes in from Home Assistant (states, attributes, service
// responses). Every reader and controller goes through these, so a value means the same everywhere:
// a Wh SOC sensor is not 50 % to the planner and 5000 % to the HA-services controller.
// Strict means: a decimal number (no hex, no blanks, no NaN/Infinity), a unit the parser knows,
// and a range the quantity can physically have. A rejection carries the reason in words.
import { z } from "zod";
import type { HaEntityState } from "./client.js";

/** A rejection says why; `implausible` marks a well-formed number out of the quantity's range
 * (a unit slip), which condemns the whole series it came in, not just the one value. */
export type Parsed = { ok: true; value: number } | { ok: false; reason: string; implausible?: true };

const ok = (value: number): Parsed => ({ ok: true, value });
const no = (reason: string): Parsed => ({ ok: false, reason });
const implausible = (reason: string): Parsed => ({ ok: false, reason, implausible: true });

// What HA and integrations put in a state or attribute when there is no value.
const NO_VALUE = new Set(["unavailable", "unknown", "none", "null"]);
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?$/;
/** No quantity we read comes near this; anything beyond is a unit slip or garbage. */
const MAGNITUDE_LIMIT = 1e12;

function shown(raw: unknown): string {
  const text = typeof raw === "string" ? raw : String(raw);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** A finite decimal number from a JSON number or a numeric string. */
export function strictNumber(raw: unknown): Parsed {
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return no(`${raw} is not a finite number`);
    return Math.abs(raw) > MAGNITUDE_LIMIT ? implausible(`${raw} is out of any plausible range`) : ok(raw);
  }
  if (typeof raw !== "string") return no(`${raw === null ? "null" : typeof raw} is not a number`);
  const text = raw.trim();
  if (text === "") return no("the value is blank");
  if (NO_VALUE.has(text.toLowerCase())) return no(`the value is ${text.toLowerCase()}`);
  if (!DECIMAL.test(text)) return no(`${shown(raw)} is not a decimal number`);
  return strictNumber(Number(text));
}

/** strictNumber as a zod schema for event and MQTT payloads (z.coerce would read "" and null as
 * 0, true as 1 and "0x32" as 50). */
export const strictDecimal = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const parsed = strictNumber(raw);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: parsed.reason });
  return z.NEVER;
});

/** The entity's unit_of_measurement, trimmed; undefined when it has none. */
export function unitOf(state: HaEntityState): string | undefined {
  const unit = state.attributes.unit_of_measurement;
  return typeof unit === "string" && unit.trim() !== "" ? unit.trim() : undefined;
}

/** The slack a sensor may overshoot 0–100 % by from rounding before it is clamped, not trusted. */
export const SOC_ROUNDING_PCT = 0.5;

/** State of charge in %, from a % sensor or an energy sensor (Wh, kWh) with the capacity. */
export function socPct(raw: unknown, unit: string | undefined, capacityKwh?: number): Parsed {
  const n = strictNumber(raw);
  if (!n.ok) return n;
  let pct: number;
  const u = unit ?? "%";
  if (u === "%") pct = n.value;
  else if (u === "kWh" || u === "Wh") {
    if (!(capacityKwh !== undefined && capacityKwh > 0))
      return no(`a SOC in ${u} needs the battery capacity to become %`);
    pct = ((u === "Wh" ? n.value / 1000 : n.value) / capacityKwh) * 100;
  } else return no(`SOC unit '${u}' is not %, kWh or Wh`);
  if (pct < -SOC_ROUNDING_PCT || pct > 100 + SOC_ROUNDING_PCT) {
    const rounded = Number(pct.toFixed(2));
    return implausible(`SOC ${rounded} % is outside 0–100 %${u === "%" ? "" : ` (${n.value} ${u})`}`);
  }
  return ok(Math.min(100, Math.max(0, pct)));
}

export function socPctFromState(state: HaEntityState | undefined, capacityKwh?: number): Parsed {
  if (!state) return no("the entity does not exist");
  return socPct(state.state, unitOf(state), capacityKwh);
}

const POWER_FACTOR: Record<string, number> = { W: 1, kW: 1_000, MW: 1_000_000 };
/** Far above any home battery or PV array; a bigger figure is a unit slip. */
export const MAX_POWER_W = 10_000_000;

/** Power in W from W, kW or MW (no unit: W). The sign is kept as the source gives it. */
export function powerW(raw: unknown, unit: string | undefined): Parsed {
  const factor = POWER_FACTOR[unit ?? "W"];
  if (factor === undefined) return no(`power unit '${unit}' is not W, kW or MW`);
  const n = strictNumber(raw);
  if (!n.ok) return n;
  const watts = n.value * factor;
  return Math.abs(watts) > MAX_POWER_W
    ? implausible(`${n.value} ${unit ?? "W"} is not a plausible power`)
    : ok(watts);
}

/** Battery power in W as battery.power_entity documents it: + while charging. */
export function powerWFromState(state: HaEntityState | undefined): Parsed {
  if (!state) return no("the entity does not exist");
  return powerW(state.state, unitOf(state));
}

const ENERGY_FACTOR: Record<string, number> = { Wh: 0.001, kWh: 1, MWh: 1_000 };
/** A year of a large home's consumption; per reading, anything above is garbage. */
export const MAX_ENERGY_KWH = 1_000_000;

/** Energy in kWh from Wh, kWh or MWh. */
export function energyKwh(raw: unknown, unit: string): Parsed {
  const factor = ENERGY_FACTOR[unit];
  if (factor === undefined) return no(`energy unit '${unit}' is not Wh, kWh or MWh`);
  const n = strictNumber(raw);
  if (!n.ok) return n;
  const kwh = n.value * factor;
  return Math.abs(kwh) > MAX_ENERGY_KWH
    ? implausible(`${n.value} ${unit} is not a plausible energy`)
    : ok(kwh);
}

// Currency subunits (pence, cents, öre…): a price in them is a hundredth of the main unit.
const SUBUNITS = new Set(["p", "pence", "c", "ct", "cent", "cents", "öre", "ore", "øre", "snt"]);
const PER_ENERGY: Record<string, number> = { wh: 1000, kwh: 1, mwh: 0.001 };

/** Factor from a price unit ("GBP/kWh", "p/kWh", "c/kWh", "EUR/MWh", "öre/kWh"…) to the main
 * currency unit per kWh; undefined when the unit says no energy or an unknown one. */
export function priceUnitFactor(unit: string): number | undefined {
  const [money = "", energy = "", ...rest] = unit.split("/").map((part) => part.trim().toLowerCase());
  if (rest.length > 0 || money === "") return undefined;
  const perKwh = PER_ENERGY[energy];
  if (perKwh === undefined) return undefined;
  return perKwh * (SUBUNITS.has(money) ? 0.01 : 1);
}

/** No retail tariff comes near this per kWh in any currency the readers see (a guard against
 * garbage; plausibility per source is tighter, see readers/plausibility.ts). */
export const MAX_PRICE_PER_KWH = 10_000;

/** Price in the main currency unit per kWh, from a value in `unit` (e.g. "GBP/kWh", "EUR/MWh"). */
export function pricePerKwh(raw: unknown, unit: string): Parsed {
  const factor = priceUnitFactor(unit);
  if (factor === undefined) return no(`price unit '${unit}' is not money per Wh, kWh or MWh`);
  const n = strictNumber(raw);
  if (!n.ok) return n;
  const price = n.value * factor;
  return Math.abs(price) > MAX_PRICE_PER_KWH
    ? implausible(`${n.value} ${unit} is not a plausible price`)
    : ok(price);
}

/** The value, or undefined when rejected (for readers that count rejections rather than name them). */
export function parsedValue(parsed: Parsed): number | undefined {
  return parsed.ok ? parsed.value : undefined;
}
