// Reads one tariff (import or export) from whichever source the options name. Entity-based
// sources read cached states; service-based ones (Nord Pool core, Tibber, Amber without
// entities) call the integration's action with return_response. A failing call is a warning,
// not a crash: the caller decides whether missing rates are fatal. Only the planning window of a
// list is parsed; of two different prices for one slot the safe one is kept (import: the higher,
// export: the lower).
import { DateTime } from "luxon";
import type { TariffOptions } from "../../config/schema.js";
import { errorMessage } from "../../errors.js";
import type { RatePoint } from "../../runtime/ports.js";
import type { HaClient, HaEntityState } from "../client.js";
import { readAmberForecasts, readAmberSensor } from "./amber.js";
import { fixedBandRates } from "./fixed-bands.js";
import { readNordpoolCoreResponse, readNordpoolSensor } from "./nordpool.js";
import { type RateReadOptions, readOctopusRates } from "./octopus.js";
import { normaliseRates, planningWindow, type ReadResult } from "./series.js";
import { readTibberResponse } from "./tibber.js";

export interface TariffReadContext {
  client: HaClient;
  states: Record<string, HaEntityState>;
  zone: string;
  nowMs: number;
  horizonEndMs: number;
  role: "import" | "export";
}

function readOptions(ctx: TariffReadContext): RateReadOptions {
  return { window: planningWindow(ctx.nowMs), prefer: ctx.role === "import" ? "higher" : "lower" };
}

function merge(results: ReadResult<RatePoint>[], ctx: TariffReadContext): ReadResult<RatePoint> {
  const merged = normaliseRates(
    results.flatMap((r) => r.points),
    `${ctx.role} rates`,
    readOptions(ctx).prefer,
    ctx.zone,
  );
  return { points: merged.points, warnings: [...results.flatMap((r) => r.warnings), ...merged.warnings] };
}

async function callForResponse(
  ctx: TariffReadContext,
  domain: string,
  service: string,
  data: Record<string, unknown>,
): Promise<{ response?: unknown; warning?: string }> {
  try {
    const result = await ctx.client.callService(domain, service, data, undefined, true);
    return { response: result.response };
  } catch (error) {
    return { warning: `${domain}.${service}: ${errorMessage(error)}` };
  }
}

async function readNordpoolCore(
  options: TariffOptions,
  ctx: TariffReadContext,
): Promise<ReadResult<RatePoint>> {
  if (!options.config_entry) return { points: [], warnings: ["nordpool_core: config_entry is not set"] };
  const today = DateTime.fromMillis(ctx.nowMs, { zone: ctx.zone }).startOf("day");
  const results: ReadResult<RatePoint>[] = [];
  for (const day of [today, today.plus({ days: 1 })]) {
    const data: Record<string, unknown> = { config_entry: options.config_entry, date: day.toISODate() };
    if (options.area) data.areas = options.area;
    const { response, warning } = await callForResponse(ctx, "nordpool", "get_prices_for_date", data);
    results.push(
      warning === undefined
        ? readNordpoolCoreResponse(response, options.area, readOptions(ctx))
        : { points: [], warnings: day.equals(today) ? [warning] : [] },
    );
  }
  return merge(results, ctx);
}

async function readTibber(ctx: TariffReadContext): Promise<ReadResult<RatePoint>> {
  const start = DateTime.fromMillis(ctx.nowMs, { zone: ctx.zone }).startOf("day");
  const end = start.plus({ days: 2 });
  const { response, warning } = await callForResponse(ctx, "tibber", "get_prices", {
    start: start.toISO(),
    end: end.toISO(),
  });
  return warning === undefined
    ? readTibberResponse(response, undefined, readOptions(ctx))
    : { points: [], warnings: [warning] };
}

async function readAmber(options: TariffOptions, ctx: TariffReadContext): Promise<ReadResult<RatePoint>> {
  if (options.entities.length > 0)
    return merge(
      options.entities.map((id) => readAmberSensor(id, ctx.states[id], readOptions(ctx))),
      ctx,
    );
  if (!options.config_entry) return { points: [], warnings: ["amber: set entities or config_entry"] };
  const { response, warning } = await callForResponse(ctx, "amberelectric", "get_forecasts", {
    config_entry_id: options.config_entry,
    channel_type: ctx.role === "import" ? "general" : "feed_in",
  });
  if (warning !== undefined) return { points: [], warnings: [warning] };
  return readAmberForecasts(
    "amberelectric.get_forecasts",
    (response as { forecasts?: unknown })?.forecasts,
    readOptions(ctx),
  );
}

export async function readTariff(
  options: TariffOptions,
  ctx: TariffReadContext,
): Promise<ReadResult<RatePoint>> {
  switch (options.source) {
    case "octopus":
      return readOctopusRates(options.entities, ctx.states, readOptions(ctx));
    case "nordpool":
      return merge(
        options.entities.map((id) => readNordpoolSensor(id, ctx.states[id], readOptions(ctx))),
        ctx,
      );
    case "nordpool_core":
      return readNordpoolCore(options, ctx);
    case "tibber":
      return readTibber(ctx);
    case "amber":
      return readAmber(options, ctx);
    case "fixed": {
      // From the start of the local day, so the slot under way has its whole rate.
      const fromMs = DateTime.fromMillis(ctx.nowMs, { zone: ctx.zone }).startOf("day").toMillis();
      return fixedBandRates(options.bands, options.default_price, ctx.zone, fromMs, ctx.horizonEndMs);
    }
  }
}
