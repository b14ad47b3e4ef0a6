// InputsPort over Home Assistant: combines the readers the options select into one snapshot.
// Entity states come from the shared entity cache (entity-cache.ts: one `subscribe_entities`
// subscription limited to the configured ids); rates from a service (Nord Pool core, Tibber,
// Amber) are fetched when a replan needs them and kept for a while; recorder statistics once a
// day. Only missing import rates or a missing SOC are fatal (InputError); every other gap is a
// warning in the snapshot. The replan triggers read the parts (rates, forecasts, SOC) on their own.
import { DateTime } from "luxon";
import type { Config } from "../config/schema.js";
import { errorMessage, InputError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { InputsPort, InputsSnapshot, RatePoint } from "../runtime/ports.js";
import type { HaClient, HaStateMap } from "./client.js";
import { createEntityCache, type EntityCache, type EntityStates } from "./entity-cache.js";
import { readBattery } from "./readers/battery.js";
import { buildLoadForecast, hourlyEnergy } from "./readers/load.js";
import type { ReadResult } from "./readers/series.js";
import { describeGaps, planningWindow, within } from "./readers/series.js";
import {
  readEnergySolarForecast,
  readForecastSolar,
  readSolarSensors,
  readSolcast,
} from "./readers/solar.js";
import { readTariff } from "./readers/tariff.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface HaInputsDeps {
  logger?: Logger;
  /** The home's zone when the options do not set one; otherwise HA's configured zone is asked. */
  timeZone?: string;
  /** How long to wait for the first entity states. */
  statesTimeoutMs?: number;
  /** The shared entity cache; without one the inputs keep their own. */
  entities?: EntityStates;
  /** How long rates fetched from a service are reused before a replan fetches them again. */
  serviceRatesMaxAgeMs?: number;
}

export interface MissingEntity {
  entityId: string;
  /** The option that names it, e.g. battery.soc_entity. */
  option: string;
}

/** The parts of a snapshot the replan triggers fingerprint, read without the rest. */
export interface InputParts {
  readRates(nowMs: number): Promise<Pick<InputsSnapshot, "importRates" | "exportRates">>;
  readForecasts(nowMs: number): Promise<Pick<InputsSnapshot, "solar" | "load">>;
  /** The SOC as the planner reads it; undefined when missing or not usable. */
  readSocPct(nowMs: number): number | undefined;
}

export interface HaInputs extends InputsPort, InputParts {
  /** Entities the options name that HA does not have. */
  missingEntities(): Promise<MissingEntity[]>;
  /** Forget the cached load history so the next read fetches it again (daily refresh job). */
  refreshLoadHistory(): void;
  /** Forget rates fetched from a service so the next read asks again. */
  refreshServiceRates(): void;
  close(): Promise<void>;
}

/** Tariff sources read by calling the integration's action rather than from entity states. */
function serviceBased(tariff: Config["import_tariff"]): boolean {
  return (
    tariff.source === "nordpool_core" ||
    tariff.source === "tibber" ||
    (tariff.source === "amber" && tariff.entities.length === 0)
  );
}

/** One line per missing entity for the log and the status, e.g. for a typo in the options. */
export function missingEntityMessage(missing: readonly MissingEntity[]): string {
  return missing
    .map((m) => `entity ${m.entityId} (option ${m.option}) does not exist in Home Assistant`)
    .join("; ");
}

/** Every entity option with its dotted option path. */
export function configuredEntities(config: Config): MissingEntity[] {
  const out: MissingEntity[] = [{ entityId: config.battery.soc_entity, option: "battery.soc_entity" }];
  if (config.battery.power_entity)
    out.push({ entityId: config.battery.power_entity, option: "battery.power_entity" });
  const tariffs = [
    ["import_tariff", config.import_tariff] as const,
    ["export_tariff", config.export_tariff] as const,
  ];
  for (const [name, tariff] of tariffs) {
    tariff?.entities.forEach((entityId, i) => {
      out.push({ entityId, option: `${name}.entities[${i}]` });
    });
  }
  config.solar.entities.forEach((entityId, i) => {
    out.push({ entityId, option: `solar.entities[${i}]` });
  });
  if (config.load.consumption_entity) {
    out.push({ entityId: config.load.consumption_entity, option: "load.consumption_entity" });
  }
  if (config.load.ev_entity) out.push({ entityId: config.load.ev_entity, option: "load.ev_entity" });
  return out;
}

/** Entities whose change may warrant a replan: rates, forecasts, SOC. Not the power sensor (it
 * changes every few seconds) and not the energy meters (history is read on a schedule). */
export function watchedEntityIds(config: Config): string[] {
  const ids = [
    config.battery.soc_entity,
    ...config.import_tariff.entities,
    ...(config.export_tariff?.entities ?? []),
    ...(config.solar.source === "solcast" || config.solar.source === "forecast_solar"
      ? config.solar.entities
      : []),
  ];
  return [...new Set(ids)];
}

/** Every entity the inputs read or check: what they put in the entity cache. */
export function inputEntityIds(config: Config): string[] {
  return [...new Set(configuredEntities(config).map((e) => e.entityId))];
}

export function createHaInputs(client: HaClient, config: Config, deps: HaInputsDeps = {}): HaInputs {
  const log = deps.logger ?? createLogger("ha:inputs");
  const timeoutMs = deps.statesTimeoutMs ?? 15_000;
  const owned: EntityCache | undefined = deps.entities
    ? undefined
    : createEntityCache(client, { log, readyTimeoutMs: timeoutMs });
  const entities: EntityStates = deps.entities ?? owned!;
  const ids = inputEntityIds(config);
  const serviceRatesMaxAgeMs = deps.serviceRatesMaxAgeMs ?? 15 * 60_000;
  let zone: string | undefined = config.timezone ?? deps.timeZone;
  let loadHistory:
    | { consumption: Map<number, number>; ev?: Map<number, number>; fetchedAtMs: number }
    | undefined;
  const serviceRates = new Map<string, { key: string; fetchedAtMs: number; result: ReadResult<RatePoint> }>();

  const currentStates = async (): Promise<HaStateMap> => {
    try {
      await entities.watch(ids, timeoutMs);
    } catch (error) {
      throw new InputError("home assistant", `no entity states: ${errorMessage(error)}`, {
        cause: error,
        retryable: true,
      });
    }
    return entities.snapshot();
  };

  const homeZone = async (): Promise<string> => {
    if (zone) return zone;
    try {
      zone = (await client.getConfig()).time_zone;
    } catch (error) {
      log.warn(`cannot read HA's time zone (${errorMessage(error)}); using UTC`);
      return "UTC";
    }
    return zone;
  };

  const loadForecast = async (nowMs: number, horizonEndMs: number, tz: string) => {
    const {
      consumption_entity: consumptionId,
      ev_entity: evId,
      history_days: days,
      fallback_kw,
    } = config.load;
    const warnings: string[] = [];
    if (consumptionId && (!loadHistory || nowMs - loadHistory.fetchedAtMs > DAY_MS)) {
      try {
        const statisticIds = evId ? [consumptionId, evId] : [consumptionId];
        const result = await client.sendMessage<Record<string, unknown>>({
          type: "recorder/statistics_during_period",
          start_time: new Date(nowMs - days * DAY_MS).toISOString(),
          end_time: new Date(nowMs).toISOString(),
          statistic_ids: statisticIds,
          period: "hour",
          types: ["change", "sum"],
          units: { energy: "kWh" },
        });
        loadHistory = {
          consumption: hourlyEnergy(result[consumptionId]),
          ...(evId ? { ev: hourlyEnergy(result[evId]) } : {}),
          fetchedAtMs: nowMs,
        };
      } catch (error) {
        warnings.push(`load: cannot read statistics of ${consumptionId}: ${errorMessage(error)}`);
      }
    }
    const forecast = buildLoadForecast(loadHistory?.consumption ?? new Map(), loadHistory?.ev, {
      nowMs,
      horizonMs: horizonEndMs - nowMs,
      zone: tz,
      fallbackKw: fallback_kw,
    });
    return { points: forecast.points, warnings: [...warnings, ...forecast.warnings] };
  };

  const solarForecast = async (stateMap: HaStateMap, nowMs: number) => {
    const window = planningWindow(nowMs);
    switch (config.solar.source) {
      case "solcast":
        return readSolarSensors(config.solar.entities, stateMap, readSolcast, window);
      case "forecast_solar":
        return readSolarSensors(config.solar.entities, stateMap, readForecastSolar, window);
      case "energy":
        try {
          const result = await client.sendMessage({ type: "energy/solar_forecast" });
          return readEnergySolarForecast(result, config.solar.config_entry, window);
        } catch (error) {
          return { points: [], warnings: [`energy/solar_forecast: ${errorMessage(error)}`] };
        }
      case "none":
        return { points: [], warnings: [] };
    }
  };

  interface Context {
    states: HaStateMap;
    tz: string;
    nowMs: number;
    horizonEndMs: number;
  }

  const context = async (nowMs: number): Promise<Context> => {
    const [states, tz] = await Promise.all([currentStates(), homeZone()]);
    return { states, tz, nowMs, horizonEndMs: nowMs + config.planner.horizon_hours * HOUR_MS };
  };

  /** A service-based tariff is asked again only when its answer is old or for another local day
   * (the request names the day); entity-based ones read the cache every time. */
  const tariff = async (role: "import" | "export", options: Config["import_tariff"], ctx: Context) => {
    const read = () =>
      readTariff(options, {
        client,
        states: ctx.states,
        zone: ctx.tz,
        nowMs: ctx.nowMs,
        horizonEndMs: ctx.horizonEndMs,
        role,
      });
    if (!serviceBased(options)) return read();
    const key = DateTime.fromMillis(ctx.nowMs, { zone: ctx.tz }).toISODate() ?? "";
    const kept = serviceRates.get(role);
    const ageMs = kept ? ctx.nowMs - kept.fetchedAtMs : Number.POSITIVE_INFINITY;
    if (kept && kept.key === key && ageMs >= 0 && ageMs < serviceRatesMaxAgeMs) return kept.result;
    const result = await read();
    // A failed or empty answer is not kept: the next replan asks again.
    if (result.points.length > 0) serviceRates.set(role, { key, fetchedAtMs: ctx.nowMs, result });
    else serviceRates.delete(role);
    return result;
  };

  const rates = async (ctx: Context) => {
    const [importRates, exportRates] = await Promise.all([
      tariff("import", config.import_tariff, ctx),
      config.export_tariff
        ? tariff("export", config.export_tariff, ctx)
        : Promise.resolve({ points: [] as RatePoint[], warnings: [] }),
    ]);
    return {
      importRates,
      exportRates,
      importPoints: within(importRates.points, ctx.nowMs, ctx.horizonEndMs),
      exportPoints: within(exportRates.points, ctx.nowMs, ctx.horizonEndMs),
    };
  };

  const forecasts = async (ctx: Context) => {
    const [solar, load] = await Promise.all([
      solarForecast(ctx.states, ctx.nowMs),
      loadForecast(ctx.nowMs, ctx.horizonEndMs, ctx.tz),
    ]);
    return { solar, load, solarPoints: within(solar.points, ctx.nowMs, ctx.horizonEndMs) };
  };

  const battery = (states: HaStateMap, nowMs: number) =>
    readBattery(
      config.battery.soc_entity,
      config.battery.power_entity,
      states,
      config.battery.capacity_kwh,
      nowMs,
    );

  return {
    async readInputs(nowMs: number): Promise<InputsSnapshot> {
      const ctx = await context(nowMs);
      const [r, f] = await Promise.all([rates(ctx), forecasts(ctx)]);
      const batteryRead = battery(ctx.states, nowMs);
      if (r.importPoints.length === 0) {
        throw new InputError(
          "import_tariff",
          `no import rates from ${config.import_tariff.source} for now or later` +
            (r.importRates.warnings.length > 0 ? ` (${r.importRates.warnings.join("; ")})` : ""),
          { retryable: true },
        );
      }
      if (!batteryRead.reading) {
        throw new InputError("battery.soc_entity", batteryRead.warnings.join("; "), { retryable: true });
      }
      const { tz, horizonEndMs } = ctx;
      const warnings = [
        ...(client.connected ? [] : ["Home Assistant is disconnected: using the last states it sent"]),
        ...r.importRates.warnings.map((w) => `import: ${w}`),
        ...describeGaps(r.importPoints, nowMs, horizonEndMs, "import rates", tz),
        ...r.exportRates.warnings.map((w) => `export: ${w}`),
        ...(config.export_tariff
          ? describeGaps(r.exportPoints, nowMs, horizonEndMs, "export rates", tz)
          : []),
        ...f.solar.warnings.map((w) => `solar: ${w}`),
        ...f.load.warnings,
        ...batteryRead.warnings,
      ];
      return {
        readAtMs: nowMs,
        importRates: r.importPoints,
        exportRates: r.exportPoints,
        solar: f.solarPoints,
        load: f.load.points,
        battery: batteryRead.reading,
        warnings,
      };
    },

    async readRates(nowMs) {
      const r = await rates(await context(nowMs));
      return { importRates: r.importPoints, exportRates: r.exportPoints };
    },

    async readForecasts(nowMs) {
      const f = await forecasts(await context(nowMs));
      return { solar: f.solarPoints, load: f.load.points };
    },

    readSocPct(nowMs) {
      return battery(entities.snapshot(), nowMs).reading?.socPct;
    },

    async missingEntities(): Promise<MissingEntity[]> {
      await currentStates();
      // The subscription names every configured entity, so what it did not deliver HA lacks.
      return configuredEntities(config).filter((e) => entities.get(e.entityId) === undefined);
    },

    refreshLoadHistory(): void {
      loadHistory = undefined;
    },

    refreshServiceRates(): void {
      serviceRates.clear();
    },

    async close(): Promise<void> {
      await owned?.close();
    },
  };
}
