import { describe, expect, it } from "vitest";
import { applyEntitiesEvent } from "../../src/ha/compressed-states.js";

// Frames as HA's subscribe_entities sends them (websocket_api/messages.py).
describe("applying compressed subscribe_entities frames", () => {
  const added = applyEntitiesEvent(
    {},
    {
      a: {
        "sensor.soc": {
          s: "50",
          a: { unit_of_measurement: "%", icon: "mdi:battery" },
          c: "01ABC",
          lc: 1_700_000_000.5,
        },
      },
    },
  );

  it("expands added entities with ISO times and a context object", () => {
    expect(added["sensor.soc"]).toEqual({
      entity_id: "sensor.soc",
      state: "50",
      attributes: { unit_of_measurement: "%", icon: "mdi:battery" },
      context: { id: "01ABC", parent_id: null, user_id: null },
      last_changed: "2023-11-14T22:13:20.500Z",
      last_updated: "2023-11-14T22:13:20.500Z",
    });
  });

  it("applies + changes and - attribute removals without touching the previous map", () => {
    const changed = applyEntitiesEvent(added, {
      c: {
        "sensor.soc": {
          "+": { s: "55", lc: 1_700_000_060, a: { unit_of_measurement: "%" } },
          "-": { a: ["icon"] },
        },
      },
    });
    expect(changed["sensor.soc"]?.state).toBe("55");
    expect(changed["sensor.soc"]?.attributes).toEqual({ unit_of_measurement: "%" });
    expect(changed["sensor.soc"]?.last_changed).toBe("2023-11-14T22:14:20.000Z");
    expect(added["sensor.soc"]?.attributes.icon).toBe("mdi:battery");
  });

  it("moves only last_updated on an attribute-only change and drops removed entities", () => {
    const touched = applyEntitiesEvent(added, {
      c: { "sensor.soc": { "+": { lu: 1_700_000_100, a: { x: 1 } } } },
    });
    expect(touched["sensor.soc"]?.last_changed).toBe(added["sensor.soc"]?.last_changed);
    expect(touched["sensor.soc"]?.last_updated).toBe("2023-11-14T22:15:00.000Z");
    expect(applyEntitiesEvent(touched, { r: ["sensor.soc"] })).toEqual({});
  });

  it("ignores a change for an entity it never saw", () => {
    expect(applyEntitiesEvent({}, { c: { "sensor.ghost": { "+": { s: "1" } } } })).toEqual({});
  });
});
