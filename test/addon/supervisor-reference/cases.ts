// The cases whose Supervisor answers are recorded in ../supervisor-answers.json: each carries its
// own schema, so the recording stays a check of the port however config.yaml changes later.
// `npx tsx test/addon/supervisor-reference/cases.ts > cases.json` (see README.md).
import { pathToFileURL } from "node:url";
import { docsCompleteExample, readAddonConfig } from "../load-addon-files.js";

export interface SupervisorCase {
  name: string;
  schema: Record<string, unknown>;
  options: unknown;
  secrets?: Record<string, unknown>;
}

const one = (name: string, type: unknown, value: unknown): SupervisorCase => ({
  name,
  schema: { x: type },
  options: value === undefined ? {} : { x: value },
});

function scalarCases(): SupervisorCase[] {
  const values: [string, unknown[]][] = [
    ["int", [42, "42", " 7 ", "007", "1_000", 7.9, -7.9, "7.9", true, "x", [], {}]],
    ["int(1,5)", [1, 5, 0, 6, "6", 5.9]],
    ["int(-3,)", [-3, -4]],
    ["float", [1.5, "1e3", " 2.5 ", "1_0.5", "abc", 3, false]],
    ["float(0.1,1000)", [0.1, 0, 1000, 1000.5, "0.05"]],
    ["float(0,)", [0, -0.5]],
    ["float(0.5,1)", [0.95, 0, 1.01]],
    ["str", ["a", "", 5, true, 1.5, ["a"]]],
    ["str(2,4)", ["ab", "a", "abcde", "ééé"]],
    ["str(1,)", ["", "x"]],
    ["password", ["hunter2", 12]],
    ["bool", [true, false, "on", "OFF", "yes", "enable", "maybe", 0, 2, "1"]],
    ["port", [502, 0, 65536, "8080", "x"]],
    ["list(5|15|30|60)", [30, "30", 20, "20", 30.5, "5"]],
    ["list(auto|always|never)", ["auto", "Auto", 1]],
    ["match(^[a-z_]+\\.[a-z0-9_]+$)", ["sensor.battery_soc", "Sensor.X", "sensor.battery_soc extra", 5]],
    ["match(^([01]\\d|2[0-3]):[0-5]\\d$)", ["18:00", "24:00", 1080]],
    ["match(^\\d+$)", [5, "5a"]],
    ["string", ["a"]],
    ["float(-1,1)", [0, -2]],
  ];
  return values.flatMap(([type, list]) =>
    list.flatMap((value) => [
      one(`${type} ← ${JSON.stringify(value)}`, type, value),
      one(`${type}? ← ${JSON.stringify(value)}`, `${type}?`, value),
    ]),
  );
}

function structureCases(): SupervisorCase[] {
  return [
    one("required scalar null", "str", null),
    one("optional scalar null", "str?", null),
    one("required scalar absent", "str", undefined),
    one("optional scalar absent", "str?", undefined),
    one("list absent", ["str"], undefined),
    one("optional-element list absent", ["str?"], undefined),
    one("list of a scalar", ["int"], 5),
    one("list of ints", ["int(1,3)"], [1, "2", 3]),
    one("list with a bad element", ["int(1,3)"], [1, 4]),
    one("list of dicts", [{ start: "str", price: "float" }], [{ start: "a", price: "1.5" }]),
    one("list of dicts missing a key", [{ start: "str", price: "float" }], [{ start: "a" }]),
    one("empty list schema", [], []),
    one("dict absent", { a: "str?" }, undefined),
    one("dict of a scalar", { a: "str?" }, "x"),
    one("dict with unknown key", { a: "str?" }, { a: "x", b: "y" }),
    one("dict missing a required key", { a: "str", b: "int?" }, { b: 1 }),
    one("nested dict missing a key", { a: { b: "str" } }, { a: {} }),
    one("dict with null required", { a: "float(0.1,)" }, { a: null }),
    { name: "not a dict", schema: { x: "str" }, options: ["x"] },
    { name: "unknown top-level key dropped", schema: { x: "str?" }, options: { x: "a", y: 1 } },
    {
      name: "secret",
      schema: { x: "password" },
      options: { x: "!secret mqtt" },
      secrets: { mqtt: "s3cret" },
    },
    { name: "unknown secret", schema: { x: "password" }, options: { x: "!secret nope" } },
    {
      name: "secret of the wrong type",
      schema: { x: "int" },
      options: { x: "!secret n" },
      secrets: { n: "x" },
    },
  ];
}

/** The add-on's own schema with the options a person would send, right and wrong. */
function addonCases(): SupervisorCase[] {
  const { schema, options } = readAddonConfig();
  const filled = structuredClone(options) as Record<string, Record<string, unknown>>;
  Object.assign(filled.battery!, {
    soc_entity: "sensor.givtcp_ce1234g567_soc",
    capacity_kwh: 9.5,
    max_charge_kw: 3.6,
    max_discharge_kw: 3.6,
  });
  Object.assign(filled.import_tariff!, { source: "octopus", entities: ["event.octopus_current_day_rates"] });
  const withBattery = (patch: Record<string, unknown>) => ({
    ...filled,
    battery: { ...filled.battery, ...patch },
  });
  const withoutSoc = structuredClone(filled);
  delete withoutSoc.battery!.soc_entity;
  const withoutCapacity = structuredClone(filled);
  delete withoutCapacity.battery!.capacity_kwh;
  return [
    { name: "add-on defaults", schema, options },
    { name: "add-on defaults, required filled in", schema, options: filled },
    { name: "DOCS.md complete example", schema, options: docsCompleteExample() },
    {
      name: "slot_minutes 20",
      schema,
      options: { ...filled, planner: { ...filled.planner, slot_minutes: 20 } },
    },
    {
      name: "slot_minutes 15 as a number",
      schema,
      options: { ...filled, planner: { ...filled.planner, slot_minutes: 15 } },
    },
    { name: "capacity 0", schema, options: withBattery({ capacity_kwh: 0 }) },
    { name: "charge efficiency 0", schema, options: withBattery({ charge_efficiency: 0 }) },
    { name: "soc entity missing", schema, options: withoutSoc },
    { name: "capacity missing", schema, options: withoutCapacity },
    { name: "capacity null", schema, options: withBattery({ capacity_kwh: null }) },
    { name: "soc entity not an entity id", schema, options: withBattery({ soc_entity: "battery soc" }) },
    {
      name: "unknown profile",
      schema,
      options: { ...filled, control: { ...filled.control, profile: "givtpc" } },
    },
  ];
}

export function supervisorCases(): SupervisorCase[] {
  return [...scalarCases(), ...structureCases(), ...addonCases()];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(supervisorCases())}\n`);
}
