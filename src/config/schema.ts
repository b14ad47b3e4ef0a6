// The add-on's options: the single source of the Config type. addon/config.yaml mirrors this
// schema (a test keeps them in step). Names are snake_case because HA add-on options are.
// Each section is owned by the part that reads it; keep a section's fields next to each other.
import { z } from "zod";

const entityId = z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/, "must be an entity id like sensor.battery_soc");
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM");

// --- battery (runtime, planner) -----------------------------------------------------------------
export const batteryOptions = z.object({
  soc_entity: entityId,
  /** Optional battery power sensor (W or kW), + charging. */
  power_entity: entityId.optional(),
  capacity_kwh: z.number().positive().max(1000),
  reserve_pct: z.number().min(0).max(100).default(10),
  max_charge_kw: z.number().positive().max(100),
  max_discharge_kw: z.number().positive().max(100),
  charge_efficiency: z.number().gt(0).max(1).default(0.95),
  discharge_efficiency: z.number().gt(0).max(1).default(0.95),
  cycle_cost_per_kwh: z.number().min(0).default(0.02),
});

export const gridOptions = z.object({
  max_import_kw: z.number().positive().default(20),
  max_export_kw: z.number().min(0).default(5),
});

// --- tariffs (ha/readers) ------------------------------------------------------------------------
export const tariffSources = ["octopus", "nordpool", "nordpool_core", "tibber", "amber", "fixed"] as const;

export const tariffBand = z.object({
  start: localTime,
  end: localTime,
  price: z.number(),
});

export const tariffOptions = z.object({
  source: z.enum(tariffSources),
  /** Rate entities: Octopus current/next-day rate events, Nord Pool sensor, Amber forecast sensor. */
  entities: z.array(entityId).default([]),
  /** Config entry id for service-based sources (nordpool_core, amber via service). */
  config_entry: z.string().optional(),
  /** Nord Pool core integration area, e.g. SE3. */
  area: z.string().optional(),
  /** Fixed time-of-use bands in local time (source: fixed); the first band also covers gaps. */
  bands: z.array(tariffBand).default([]),
  /** Flat price for anything no band covers (source: fixed). */
  default_price: z.number().optional(),
});

// --- solar forecast (ha/readers) ---------------------------------------------------------------
export const solarSources = ["solcast", "forecast_solar", "energy", "none"] as const;
export const solarOptions = z.object({
  source: z.enum(solarSources).default("none"),
  /** Forecast sensors; several arrays are summed. */
  entities: z.array(entityId).default([]),
  /** Config entry id of the forecast integration for HA's energy/solar_forecast. */
  config_entry: z.string().optional(),
});

// --- load forecast (ha/readers/load) -----------------------------------------------------------
export const loadOptions = z.object({
  /** Cumulative household consumption energy sensor (kWh) with long-term statistics. */
  consumption_entity: entityId.optional(),
  /** EV charger energy sensor to subtract so car charging does not inflate the load. */
  ev_entity: entityId.optional(),
  history_days: z.number().int().min(1).max(90).default(28),
  /** Used where no history exists yet. */
  fallback_kw: z.number().min(0).default(0.4),
});

// --- control (control/) ------------------------------------------------------------------------
export const controlMethods = ["ha_services", "modbus", "dry_run"] as const;
export const modbusOptions = z.object({
  host: z.string().optional(),
  port: z.number().int().min(1).max(65535).default(502),
  /** Serial device for Modbus RTU, e.g. /dev/ttyUSB0; used instead of host when set. */
  serial_port: z.string().optional(),
  baud_rate: z.number().int().positive().default(9600),
  unit_id: z.number().int().min(0).max(255).default(1),
  profile: z.string().default("sunspec"),
  timeout_ms: z.number().int().min(100).max(60_000).default(3000),
  gap_ms: z.number().int().min(0).max(10_000).default(50),
});

export const controlOptions = z.object({
  method: z.enum(controlMethods).default("dry_run"),
  /** Master switch: off means plan and publish, never write to the inverter. */
  enabled: z.boolean().default(true),
  /** HA service profile name (givtcp, solax_modbus, huawei_solar, sungrow, victron, foxess, generic). */
  profile: z.string().default("generic"),
  /** Entity ids of the chosen profile's role names, e.g. { mode_select: select.givtcp_mode }. */
  entities: z.record(z.string(), z.string()).default({}),
  /** Fills {prefix} in the profile's default entity ids, e.g. givtcp_ce1234g567 for GivTCP. */
  entity_prefix: z.string().optional(),
  /** Values a profile writes or passes on, e.g. { device_id: … } for Huawei, or the generic
   * profile's select options { charge_option: "Force Charge" }. */
  values: z.record(z.string(), z.string()).default({}),
  modbus: modbusOptions.default(modbusOptions.parse({})),
});

// --- planner (core) ----------------------------------------------------------------------------
export const plannerOptions = z.object({
  slot_minutes: z.union([z.literal(5), z.literal(15), z.literal(30), z.literal(60)]).default(30),
  horizon_hours: z.number().int().min(6).max(72).default(48),
  /** Money a mode change of the current or next slot must gain before the plan flips it. */
  stability_threshold: z.number().min(0).default(0.02),
  /** 0: plan on the median PV forecast; 1: keep reserve against the p10 forecast. */
  pv_risk_aversion: z.number().min(0).max(1).default(0),
  /** Value of stored energy at the end of the horizon; unset: the horizon's median import price. */
  terminal_value_per_kwh: z.number().optional(),
});

// --- scheduler (runtime/scheduler) -------------------------------------------------------------
export const scheduleOptions = z.object({
  /** Replan at least this often even when nothing changed. */
  replan_minutes: z.number().int().min(1).max(1440).default(30),
  /** Local time by which tomorrow's rates must have arrived. */
  rates_deadline: localTime.default("18:00"),
  /** Replan when the measured SOC is this far off the plan. */
  soc_tolerance_pct: z.number().min(0).max(100).default(5),
  /** Wait this long after an entity change before replanning (changes come in bursts). */
  debounce_seconds: z.number().min(0).max(600).default(10),
  /** Local time at which the load forecast is refreshed. */
  load_refresh_time: localTime.default("03:15"),
});

// --- publishing (ha/publish) -------------------------------------------------------------------
export const mqttOptions = z.object({
  /** auto: use the Supervisor's MQTT service when there is one. */
  mode: z.enum(["auto", "always", "never"]).default("auto"),
  host: z.string().optional(),
  port: z.number().int().min(1).max(65535).default(1883),
  username: z.string().optional(),
  password: z.string().optional(),
  discovery_prefix: z.string().default("homeassistant"),
});

export const configSchema = z.object({
  log_level: z.enum(["trace", "debug", "info", "notice", "warning", "error", "fatal"]).default("info"),
  /** IANA zone of the home; unset: Home Assistant's configured zone. */
  timezone: z.string().optional(),
  battery: batteryOptions,
  grid: gridOptions.default(gridOptions.parse({})),
  import_tariff: tariffOptions,
  /** Unset: nothing is paid for export. */
  export_tariff: tariffOptions.optional(),
  solar: solarOptions.default(solarOptions.parse({})),
  load: loadOptions.default(loadOptions.parse({})),
  control: controlOptions.default(controlOptions.parse({})),
  planner: plannerOptions.default(plannerOptions.parse({})),
  schedule: scheduleOptions.default(scheduleOptions.parse({})),
  mqtt: mqttOptions.default(mqttOptions.parse({})),
  /** notify service for warnings, e.g. notify.mobile_app_phone; empty: persistent notification. */
  notify_service: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type TariffOptions = z.infer<typeof tariffOptions>;
export type SolarOptions = z.infer<typeof solarOptions>;
export type ControlOptions = z.infer<typeof controlOptions>;
export type ModbusOptions = z.infer<typeof modbusOptions>;
