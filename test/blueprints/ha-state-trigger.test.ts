// The harness's state trigger against what HA documents and its state.py does
// (home-assistant.io automation/trigger "State trigger"; components/homeassistant/triggers/state.py).
import { describe, expect, it } from "vitest";
import { Automation } from "./ha-automation.js";
import { parseStateTrigger, TriggerConfigError } from "./ha-state-trigger.js";

const ID = "sensor.rates";

/** An automation that records one event per run, with this trigger. */
function watcher(trigger: Record<string, unknown>, initial = { state: "a", attributes: { rate: 1 } }) {
  const automation = new Automation(
    { triggers: [{ trigger: "state", entity_id: ID, ...trigger }], actions: [{ event: "ran" }] },
    { [ID]: initial },
  );
  return { automation, runs: () => automation.runs.length };
}

describe("HA's state trigger, as the harness evaluates it", () => {
  it("fires on an attribute-only change when it has no from/to/not_from/not_to", async () => {
    const { automation, runs } = watcher({});
    await automation.setState(ID, "a", { rate: 2 });
    expect(runs()).toBe(1);
  });

  it("ignores an attribute-only change once any of them is set, even to null", async () => {
    for (const extra of [{ to: null }, { not_to: ["unavailable"] }, { from: "a" }, { not_from: "x" }]) {
      const { automation, runs } = watcher(extra);
      await automation.setState(ID, "a", { rate: 2 });
      expect(runs(), JSON.stringify(extra)).toBe(0);
      await automation.setState(ID, "b", { rate: 2 });
      expect(runs(), JSON.stringify(extra)).toBe(1);
    }
  });

  it("does not fire for a state not_to excludes", async () => {
    const { automation, runs } = watcher({ not_to: ["unavailable", "unknown"] });
    await automation.setState(ID, "unavailable");
    expect(runs()).toBe(0);
    await automation.setState(ID, "b");
    expect(runs()).toBe(1);
  });

  it("with attribute, fires on that attribute's changes only, matched against to", async () => {
    const { automation, runs } = watcher({ attribute: "rate" });
    await automation.setState(ID, "b", { rate: 1 });
    expect(runs()).toBe(0);
    await automation.setState(ID, "b", { rate: 3 });
    expect(runs()).toBe(1);
    const five = watcher({ attribute: "rate", to: 5 });
    await five.automation.setState(ID, "a", { rate: 4 });
    await five.automation.setState(ID, "a", { rate: 5 });
    expect(five.runs()).toBe(1);
  });

  it("treats a new entity as coming from nothing: from matches only when it is unset", async () => {
    const fresh = new Automation({
      triggers: [
        { trigger: "state", entity_id: ID, id: "any" },
        { trigger: "state", entity_id: ID, from: "a", id: "from_a" },
      ],
      actions: [{ event: "ran" }],
    });
    await fresh.setState(ID, "a");
    expect(fresh.runs.map((r) => r.trigger.id)).toEqual(["any"]);
    expect(fresh.runs[0]!.trigger.from_state).toBeNull();
  });

  it("fires a `for` trigger only when the state holds for the whole period", async () => {
    const { automation, runs } = watcher({ to: "b", for: { minutes: 5 } });
    await automation.setState(ID, "b");
    await automation.advance(4 * 60_000);
    expect(runs()).toBe(0);
    await automation.advance(60_000);
    expect(runs()).toBe(1);
    await automation.setState(ID, "a");
    await automation.setState(ID, "b");
    await automation.advance(2 * 60_000);
    await automation.setState(ID, "a");
    await automation.advance(10 * 60_000);
    expect(runs()).toBe(1);
  });

  it("holds a from-only `for` while the state stays away from the old one", async () => {
    const { automation, runs } = watcher({ from: "a", for: "00:01:00" });
    await automation.setState(ID, "b");
    await automation.setState(ID, "c");
    await automation.advance(60_000);
    expect(runs()).toBe(1);
  });

  it("rejects what HA's schema rejects", async () => {
    const bad = [
      { trigger: "state", entity_id: ID, to: "a", not_to: "b" },
      { trigger: "state", entity_id: ID, from: "a", not_from: "b" },
      // YAML turned these into a number and a boolean: HA wants strings without `attribute`.
      { trigger: "state", entity_id: ID, to: 1 },
      { trigger: "state", entity_id: ID, to: true },
      { trigger: "state", entity_id: "not an id" },
      { trigger: "state", entity_id: ID, state: "a" },
    ];
    for (const raw of bad)
      expect(() => parseStateTrigger(raw), JSON.stringify(raw)).toThrow(TriggerConfigError);
    expect(() =>
      parseStateTrigger({ trigger: "state", entity_id: ID, attribute: "rate", to: 1 }),
    ).not.toThrow();
  });
});
