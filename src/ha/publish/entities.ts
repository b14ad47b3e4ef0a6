// What the add-on shows in Home Assistant: one list of entities, used by MQTT discovery (real
// entities with unique ids) and by the REST fallback (plain states). Device and state classes are
// the ones HA's dashboards and statistics understand.

export type SensorKey =
  | "status"
  | "current_mode"
  | "next_mode"
  | "next_mode_start"
  | "target_soc"
  | "planned_soc"
  | "cost_today"
  | "cost_tomorrow"
  | "saving"
  | "saving_accrued"
  | "day_score"
  | "day_saving"
  | "import_price"
  | "export_price"
  | "plan_version"
  | "plan_age"
  | "plan"
  | "jobs";

export interface SensorDef {
  key: SensorKey;
  name: string;
  icon: string;
  deviceClass?: "timestamp" | "battery" | "monetary" | "duration" | "enum";
  /** HA's sensor rules: a monetary sensor takes `total` (never `measurement`); `total` with a
   * `lastReset` starts a new statistics cycle whenever that instant changes. */
  stateClass?: "measurement" | "total";
  /** "currency": the home's currency (GBP, EUR…), known only at run time; "currency/kWh" a price. */
  unit?: "%" | "min" | "currency" | "currency/kWh";
  /** The state carries a `last_reset` instant (see SensorValue.lastReset). */
  lastReset?: boolean;
  entityCategory?: "diagnostic";
  /** Has a JSON attributes payload. */
  attributes?: boolean;
  options?: readonly string[];
}

export const MODE_OPTIONS = ["self-use", "charge", "hold", "export"] as const;
export const STATUS_OPTIONS = ["starting", "ok", "degraded", "fallback", "error"] as const;

export const SENSORS: readonly SensorDef[] = [
  {
    key: "status",
    name: "Status",
    icon: "mdi:battery-sync",
    deviceClass: "enum",
    options: STATUS_OPTIONS,
    attributes: true,
  },
  {
    key: "current_mode",
    name: "Current mode",
    icon: "mdi:battery-charging",
    deviceClass: "enum",
    options: MODE_OPTIONS,
    attributes: true,
  },
  {
    key: "next_mode",
    name: "Next mode",
    icon: "mdi:battery-clock",
    deviceClass: "enum",
    options: MODE_OPTIONS,
  },
  { key: "next_mode_start", name: "Next mode start", icon: "mdi:clock-start", deviceClass: "timestamp" },
  { key: "target_soc", name: "Target SOC", icon: "mdi:battery-arrow-up", deviceClass: "battery", unit: "%" },
  {
    key: "planned_soc",
    name: "Planned SOC now",
    icon: "mdi:battery-50",
    deviceClass: "battery",
    stateClass: "measurement",
    unit: "%",
  },
  {
    key: "cost_today",
    name: "Predicted cost today",
    icon: "mdi:cash",
    deviceClass: "monetary",
    stateClass: "total",
    unit: "currency",
  },
  {
    key: "cost_tomorrow",
    name: "Predicted cost tomorrow",
    icon: "mdi:cash-clock",
    deviceClass: "monetary",
    stateClass: "total",
    unit: "currency",
  },
  {
    key: "saving",
    name: "Predicted saving",
    icon: "mdi:piggy-bank",
    deviceClass: "monetary",
    stateClass: "total",
    unit: "currency",
  },
  {
    // A counter for HA's energy-style statistics: what the plans in force saved over the time that
    // has passed (as planned, not metered). It restarts at 0 when the add-on does, with a new
    // last_reset, so HA's long-term sum carries on instead of seeing a drop.
    key: "saving_accrued",
    name: "Accrued saving",
    icon: "mdi:piggy-bank-outline",
    deviceClass: "monetary",
    stateClass: "total",
    unit: "currency",
    lastReset: true,
  },
  {
    // Yesterday's score (src/runtime/day-scoring.ts): the share of the hindsight optimum's saving
    // the day reached; unknown when the day could not be scored (the attributes say why).
    key: "day_score",
    name: "Day score",
    icon: "mdi:scoreboard-outline",
    stateClass: "measurement",
    unit: "%",
    attributes: true,
  },
  {
    // What the last scored day saved against an idle battery (in dry_run: would have saved). Each
    // day is a new cycle (last_reset at its start), so HA's long-term sum adds the days up.
    key: "day_saving",
    name: "Day saving",
    icon: "mdi:cash-check",
    deviceClass: "monetary",
    stateClass: "total",
    unit: "currency",
    lastReset: true,
    attributes: true,
  },
  {
    key: "import_price",
    name: "Import price",
    icon: "mdi:transmission-tower-import",
    stateClass: "measurement",
    unit: "currency/kWh",
  },
  {
    key: "export_price",
    name: "Export price",
    icon: "mdi:transmission-tower-export",
    stateClass: "measurement",
    unit: "currency/kWh",
  },
  { key: "plan_version", name: "Plan version", icon: "mdi:counter", entityCategory: "diagnostic" },
  {
    key: "plan_age",
    name: "Plan age",
    icon: "mdi:timer-sand",
    deviceClass: "duration",
    unit: "min",
    entityCategory: "diagnostic",
  },
  { key: "plan", name: "Plan", icon: "mdi:chart-timeline", deviceClass: "timestamp", attributes: true },
  {
    key: "jobs",
    name: "Scheduled jobs",
    icon: "mdi:calendar-check",
    entityCategory: "diagnostic",
    attributes: true,
  },
];

/** Controls exist only with MQTT (the REST states API cannot take commands). */
export const OVERRIDE_AUTO = "auto";
export const OVERRIDE_OPTIONS = [OVERRIDE_AUTO, ...MODE_OPTIONS] as const;

export const CONTROLS = {
  replan: { component: "button", name: "Replan", icon: "mdi:refresh" },
  override_mode: { component: "select", name: "Manual override", icon: "mdi:hand-back-right" },
  reserve_soc: { component: "number", name: "Reserve SOC", icon: "mdi:battery-lock" },
  override_duration: { component: "number", name: "Override duration", icon: "mdi:timer-outline" },
  control_enabled: { component: "switch", name: "Control enabled", icon: "mdi:power" },
} as const;

export type ControlKey = keyof typeof CONTROLS;

/** Entity ids as DOCS.md lists them: `<domain>.<prefix>_<key>`, on every HA version (see
 * mqtt-discovery.ts for how each version is told). */
export const ENTITY_PREFIX = "battery_planner";

export function sensorEntityId(key: SensorKey, prefix = ENTITY_PREFIX): string {
  return `sensor.${prefix}_${key}`;
}

export function controlEntityId(key: ControlKey, prefix = ENTITY_PREFIX): string {
  return `${CONTROLS[key].component}.${prefix}_${key}`;
}

/** The unit HA shows, with the home's currency filled in. */
export function unitOf(def: SensorDef, currency: string): string | undefined {
  if (def.unit === "currency") return currency;
  if (def.unit === "currency/kWh") return `${currency}/kWh`;
  return def.unit;
}
