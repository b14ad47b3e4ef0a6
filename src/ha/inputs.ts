// InputsPort over Home Assistant: combines the readers the options select into one snapshot.
// Entity states come from one `subscribe_entities` subscription limited to the configured ids
// (kept current by HA, survives reconnects); service-based tariffs and recorder statistics are
// fetched on demand. Only missing import rates or a missing SOC are fatal (InputError); every
// other gap is a warning in the snapshot.
import type { Config } from "../config/schema.js";
import { errorMessage, InputError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import type { InputsPort, InputsSnapshot, RatePoint } from "../runtime/ports.js";
import type { HaClient, HaStateMap, HaUnsubscribe } from "./client.js";
import { readBattery } from "./readers/battery.js";
import { buildLoadForecast, hourlyEnergy } from "./readers/load.js";
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
}

export interface MissingEntity {
  entityId: string;
  /** The option that names it, e.g. battery.soc_entity. */
  option: string;
}

export interface HaInputs extends InputsPort {
  /** Entities the options name that HA does not have. */
  missingEntities(): Promise<MissingEntity[]>;
  /** Forget the cached load history so the next read fetches it again (daily refresh job). */
  refreshLoadHistory(): void;
  close(): Promise<void>;
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

/** Entities whose state the readers use. */
function readEntityIds(config: Config): string[] {
  const ids = [...watchedEntityIds(config)];
  if (config.battery.power_entity) ids.push(config.battery.power_entity);
  return [...new Set(ids)];
}

export function createHaInputs(client: HaClient, config: Config, deps: HaInputsDeps = {}): HaInputs {
  const log = deps.logger ?? createLogger("ha:inputs");
  let states: HaStateMap | undefined;
  let firstStates: Promise<HaStateMap> | undefined;
  let unsubscribe: HaUnsubscribe | undefined;
  let zone: string | undefined = config.timezone ?? deps.timeZone;
  let loadHistory:
    | { consumption: Map<number, number>; ev?: Map<number, number>; fetchedAtMs: number }
    | undefined;

  const currentStates = (): Promise<HaStateMap> => {
    if (states) return Promise.resolve(states);
    firstStates ??= new Promise<HaStateMap>((resolve, reject) => {
      const timeoutMs = deps.statesTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        firstStates = undefined;
        reject(
          new InputError("home assistant", `no entity states within ${timeoutMs} ms`, { retryable: true }),
        );
      }, timeoutMs);
      client
        .subscribeEntities(readEntityIds(config), (next) => {
          states = next;
          clearTimeout(timer);
          resolve(next);
        })
        .then((unsub) => {
          unsubscribe = unsub;
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          firstStates = undefined;
          reject(
            new InputError("home assistant", `cannot subscribe to entities: ${errorMessage(error)}`, {
              cause: error,
              retryable: true,
            }),
          );
        });
    });
    return firstStates;
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
        const ids = evId ? [consumptionId, evId] : [consumptionId];
        const result = await client.sendMessage<Record<string, unknown>>({
          type: "recorder/statistics_during_period",
          start_time: new Date(nowMs - days * DAY_MS).toISOString(),
          end_time: new Date(nowMs).toISOString(),
          statistic_ids: ids,
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

  return {
    async readInputs(nowMs: number): Promise<InputsSnapshot> {
      const [stateMap, tz] = await Promise.all([currentStates(), homeZone()]);
      const horizonEndMs = nowMs + config.planner.horizon_hours * HOUR_MS;
      const ctx = { client, states: stateMap, zone: tz, nowMs, horizonEndMs };
      const [importRates, exportRates, solar, load] = await Promise.all([
        readTariff(config.import_tariff, { ...ctx, role: "import" }),
        config.export_tariff
          ? readTariff(config.export_tariff, { ...ctx, role: "export" })
          : Promise.resolve({ points: [] as RatePoint[], warnings: [] }),
        solarForecast(stateMap, nowMs),
        loadForecast(nowMs, horizonEndMs, tz),
      ]);
      const battery = readBattery(
        config.battery.soc_entity,
        config.battery.power_entity,
        stateMap,
        config.battery.capacity_kwh,
        nowMs,
      );
      const importPoints = within(importRates.points, nowMs, horizonEndMs);
      if (importPoints.length === 0) {
        throw new InputError(
          "import_tariff",
          `no import rates from ${config.import_tariff.source} for now or later` +
            (importRates.warnings.length > 0 ? ` (${importRates.warnings.join("; ")})` : ""),
          { retryable: true },
        );
      }
      if (!battery.reading) {
        throw new InputError("battery.soc_entity", battery.warnings.join("; "), { retryable: true });
      }
      const exportPoints = within(exportRates.points, nowMs, horizonEndMs);
      const warnings = [
        ...(client.connected ? [] : ["Home Assistant is disconnected: using the last states it sent"]),
        ...importRates.warnings.map((w) => `import: ${w}`),
        ...describeGaps(importPoints, nowMs, horizonEndMs, "import rates", tz),
        ...exportRates.warnings.map((w) => `export: ${w}`),
        ...(config.export_tariff ? describeGaps(exportPoints, nowMs, horizonEndMs, "export rates", tz) : []),
        ...solar.warnings.map((w) => `solar: ${w}`),
        ...load.warnings,
        ...battery.warnings,
      ];
      return {
        readAtMs: nowMs,
        importRates: importPoints,
        exportRates: exportPoints,
        solar: within(solar.points, nowMs, horizonEndMs),
        load: load.points,
        battery: battery.reading,
        warnings,
      };
    },

    async missingEntities(): Promise<MissingEntity[]> {
      const all = configuredEntities(config);
      const stateMap = await currentStates();
      // Energy meters are outside the subscription: check them against the full state list once.
      const outside = all.filter((e) => !(e.entityId in stateMap));
      if (outside.length === 0) return [];
      const known = new Set((await client.getStates()).map((s) => s.entity_id));
      return outside.filter((e) => !known.has(e.entityId));
    },

    refreshLoadHistory(): void {
      loadHistory = undefined;
    },

    async close(): Promise<void> {
      await unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
