// The four blueprints, loaded as HA loads them (ha-blueprint.ts: components/blueprint/schemas.py)
// and run as HA runs the automations they make (ha-automation.ts: HA's state trigger semantics,
// real Jinja2 templates), against the entities and events Battery Planner publishes.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Automation, type Performed } from "./ha-automation.js";
import {
  automationBlueprint,
  declaredInputs,
  InputRef,
  MissingInputError,
  parseBlueprint,
  substituteInputs,
} from "./ha-blueprint.js";
import { parseStateTrigger } from "./ha-state-trigger.js";

const DIR = fileURLToPath(new URL("../../blueprints/automation/battery_planner/", import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
const load = (file: string) => parseBlueprint(readFileSync(`${DIR}${file}`, "utf8"));

function inputRefs(value: unknown, found: string[] = []): string[] {
  if (value instanceof InputRef) found.push(value.name);
  else if (Array.isArray(value)) for (const item of value) inputRefs(item, found);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) inputRefs(item, found);
  return found;
}

/** The automation a user gets from the blueprint with these inputs (the rest at their defaults). */
function instance(
  file: string,
  inputs: Record<string, unknown>,
  states: ConstructorParameters<typeof Automation>[1] = {},
) {
  return new Automation(substituteInputs(load(file), inputs), states);
}

const performed = (automation: Automation): Performed[] => automation.runs.flatMap((r) => r.performed);
const errors = (automation: Automation) =>
  automation.runs.filter((r) => r.outcome === "error").map((r) => r.error);

/** Inputs that make every blueprint loadable (those without a default). */
const REQUIRED: Record<string, Record<string, unknown>> = {
  "replan_on_change.yaml": {
    watched_entities: ["event.octopus_energy_rates", "sensor.solcast_forecast_today"],
  },
  "force_mode.yaml": { when: [{ trigger: "state", entity_id: "binary_sensor.storm_warning", to: "on" }] },
  "notify_plan_changes.yaml": {},
  "apply_mode_with_actions.yaml": {},
};

describe("the blueprints, as HA loads them", () => {
  it("are the four Battery Planner automations", async () => {
    expect(files.sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  describe.each(files)("%s", (file) => {
    const doc = load(file);

    it("passes HA's blueprint schema, with a min_version", async () => {
      const result = automationBlueprint.safeParse(doc);
      expect(
        result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
      ).toEqual([]);
      expect(result.data?.blueprint.homeassistant?.min_version).toBeDefined();
    });

    it("uses every input it declares and declares every input it uses", async () => {
      const { blueprint, ...automation } = doc as { blueprint: { input?: Record<string, unknown> } };
      expect([...new Set(inputRefs(automation))].sort()).toEqual(
        [...declaredInputs(blueprint).keys()].sort(),
      );
    });

    it("makes state triggers HA's schema accepts, from the defaults and the required inputs", async () => {
      const automation = substituteInputs(doc, REQUIRED[file]);
      const triggers = automation.triggers as Record<string, unknown>[];
      for (const trigger of triggers.filter((t) => t.trigger === "state"))
        expect(() => parseStateTrigger(trigger), JSON.stringify(trigger)).not.toThrow();
    });
  });

  it("refuses an instance that leaves a required input out", async () => {
    expect(() => substituteInputs(load("replan_on_change.yaml"), {})).toThrow(MissingInputError);
  });

  it("rejects a malformed blueprint as HA's schema does", async () => {
    const bad = parseBlueprint(`
blueprint:
  name: x
  domain: automation
  homeassistant: { min_version: "2024.10" }
  input:
    a: { selector: { colour_wheel: {} } }
    section: { input: { a: { name: again } } }
triggers: [{ trigger: state, entity_id: !input a }]
actions: []
`);
    const result = automationBlueprint.safeParse(bad);
    const messages = result.success ? "" : result.error.issues.map((i) => i.message).join("\n");
    expect(messages).toMatch(/major\}\.\{minor\}\.\{patch/);
    expect(messages).toMatch(/unknown selector colour_wheel/);
    expect(messages).toMatch(/Duplicate use of input key a/);
  });
});

describe("replan_on_change", () => {
  const RATES = "event.octopus_energy_rates";
  const start = { [RATES]: { state: "2025-06-01T00:00:00+00:00", attributes: { rates: [0.1] } } };
  const replans = (automation: Automation) => performed(automation).filter((p) => p.kind === "event");

  it("replans when only the rates in a rate entity's attributes change", async () => {
    const automation = instance("replan_on_change.yaml", REQUIRED["replan_on_change.yaml"]!, start);
    await automation.setState(RATES, "2025-06-01T00:00:00+00:00", { rates: [0.1, 0.2] });
    expect(replans(automation)).toEqual([
      {
        kind: "event",
        eventType: "battery_planner_replan",
        data: { reason: "octopus energy rates changed", entity_id: RATES },
      },
    ]);
  });

  it("replans on state changes only when attribute changes are turned off", async () => {
    const automation = instance(
      "replan_on_change.yaml",
      { ...REQUIRED["replan_on_change.yaml"], include_attribute_changes: false },
      start,
    );
    await automation.setState(RATES, "2025-06-01T00:00:00+00:00", { rates: [0.1, 0.2] });
    expect(replans(automation)).toHaveLength(0);
    await automation.setState(RATES, "2025-06-02T00:00:00+00:00", { rates: [0.1, 0.2] });
    expect(replans(automation)).toHaveLength(1);
  });

  it("does not replan when an entity goes unavailable or is removed, and does when it comes back", async () => {
    const automation = instance("replan_on_change.yaml", REQUIRED["replan_on_change.yaml"]!, start);
    await automation.setState(RATES, "unavailable");
    await automation.setState(RATES, undefined);
    expect(replans(automation)).toHaveLength(0);
    expect(errors(automation)).toEqual([]);
    await automation.setState(RATES, "2025-06-01T00:00:00+00:00", { rates: [0.3] });
    expect(replans(automation)).toHaveLength(1);
  });
});

describe("apply_mode_with_actions", () => {
  const MODE = "sensor.battery_planner_current_mode";
  const TARGET = "sensor.battery_planner_target_soc";
  const inputs = {
    charge_actions: [
      { action: "givtcp.set_charge", data: { target: "{{ target_soc }}", power: "{{ power_w }}" } },
    ],
    export_actions: [{ action: "givtcp.set_export", data: { power: "{{ power_w }}" } }],
    self_use_actions: [{ action: "givtcp.set_eco", data: {} }],
  };
  const start = {
    [MODE]: { state: "self-use", attributes: { power_w: 0 } },
    [TARGET]: { state: "50", attributes: {} },
  };
  const calls = (automation: Automation) =>
    performed(automation).map((p) =>
      p.kind === "call" ? `${p.action} ${JSON.stringify(p.data)}` : p.eventType,
    );

  it("runs the new mode's actions with the slot's target and power", async () => {
    const automation = instance("apply_mode_with_actions.yaml", inputs, start);
    await automation.setState(TARGET, "90");
    await automation.setState(MODE, "charge", { power_w: 3000 });
    expect(calls(automation)).toEqual(["givtcp.set_eco {}", 'givtcp.set_charge {"target":90,"power":3000}']);
  });

  it("runs them again when the power changes within the same mode", async () => {
    const automation = instance("apply_mode_with_actions.yaml", inputs, {
      ...start,
      [MODE]: { state: "export", attributes: { power_w: -5600 } },
    });
    await automation.setState(MODE, "export", { power_w: -10000 });
    expect(calls(automation)).toEqual(['givtcp.set_export {"power":10000}']);
  });

  it("runs them again when the target SOC changes within the same mode", async () => {
    const automation = instance("apply_mode_with_actions.yaml", inputs, {
      [MODE]: { state: "charge", attributes: { power_w: 3000 } },
      [TARGET]: { state: "90", attributes: {} },
    });
    await automation.setState(TARGET, "80");
    expect(calls(automation)).toEqual(['givtcp.set_charge {"target":80,"power":3000}']);
  });

  it("runs once when mode and power change together, and not at all when the sensor goes away", async () => {
    const automation = instance("apply_mode_with_actions.yaml", inputs, start);
    await automation.setState(MODE, "export", { power_w: -3000 });
    expect(calls(automation)).toEqual(['givtcp.set_export {"power":3000}']);
    await automation.setState(MODE, "unavailable", {});
    expect(calls(automation)).toHaveLength(1);
    expect(errors(automation)).toEqual([]);
  });

  it("applies the current mode again when HA starts", async () => {
    const automation = instance("apply_mode_with_actions.yaml", inputs, start);
    await automation.startHomeAssistant();
    expect(calls(automation)).toEqual(["givtcp.set_eco {}"]);
  });
});

describe("notify_plan_changes", () => {
  const STATUS = "sensor.battery_planner_status";
  const notifications = (automation: Automation) =>
    performed(automation)
      .filter((p): p is Extract<Performed, { kind: "call" }> => p.kind === "call")
      .map((p) => `${p.data.title}: ${p.data.message}`);

  it("tells what the new plan does", async () => {
    const automation = instance("notify_plan_changes.yaml", {});
    await automation.fireEvent("battery_planner_plan_changed", {
      plan_version: 7,
      reason: "rates changed",
      current_mode: "charge",
      next_mode: "export",
      next_mode_start: "2025-06-01T17:30:00+00:00",
    });
    expect(notifications(automation)).toEqual([
      "Battery plan changed: Plan v7 (rates changed): now charge, then export from 17:30.",
    ]);
  });

  it("passes on the add-on's message when tomorrow's rates are late", async () => {
    const automation = instance("notify_plan_changes.yaml", {});
    await automation.fireEvent("battery_planner_rates_late", {
      deadline: "16:00",
      message: "Tomorrow's rates had not arrived by 16:00",
    });
    expect(notifications(automation)).toEqual([
      "Battery Planner: rates missing: Tomorrow's rates had not arrived by 16:00",
    ]);
  });

  it("notifies without a template error when the status sensor first appears in fallback", async () => {
    const automation = instance("notify_plan_changes.yaml", {});
    await automation.setState(STATUS, "fallback", {
      reason: "tomorrow's rates had not arrived by 16:00; inverter unreachable",
    });
    expect(errors(automation)).toEqual([]);
    expect(notifications(automation)).toEqual([
      "Battery Planner: fallback: tomorrow's rates had not arrived by 16:00; inverter unreachable",
    ]);
  });

  it("stays quiet while the status only changes its reason, and when trouble is turned off", async () => {
    const automation = instance(
      "notify_plan_changes.yaml",
      {},
      { [STATUS]: { state: "fallback", attributes: { reason: "a" } } },
    );
    await automation.setState(STATUS, "fallback", { reason: "b" });
    await automation.setState(STATUS, "ok", { reason: "ok" });
    expect(notifications(automation)).toEqual([]);
    const off = instance(
      "notify_plan_changes.yaml",
      { on_trouble: false },
      { [STATUS]: { state: "ok", attributes: {} } },
    );
    await off.setState(STATUS, "error", { reason: "x" });
    expect(notifications(off)).toEqual([]);
  });
});

describe("force_mode", () => {
  it("asks for the chosen mode, duration and target when its trigger fires", async () => {
    const automation = instance(
      "force_mode.yaml",
      { ...REQUIRED["force_mode.yaml"], duration: { hours: 2, minutes: 30, seconds: 0 } },
      { "binary_sensor.storm_warning": { state: "off", attributes: {} } },
    );
    await automation.setState("binary_sensor.storm_warning", "on");
    expect(performed(automation)).toEqual([
      {
        kind: "event",
        eventType: "battery_planner_override",
        data: { mode: "charge", duration_minutes: 150, target_soc: 100 },
      },
    ]);
  });
});
