// Our decoding of `subscribe_entities` frames against home-assistant-js-websocket's own (the
// library HA's frontend uses), both fed by the simulator's encoder over a real socket, and both
// checked against the simulator's state machine after every kind of change HA sends.
import { type Connection, type HassEntities, subscribeEntities } from "home-assistant-js-websocket";
import { afterEach, describe, expect, it } from "vitest";
import type { HaEntityState, HaStateMap } from "../../src/ha/client.js";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl } from "../../src/ha/endpoints.js";
import { type HaSim, loadFixtureStates, startHaSim } from "../../src/sim/ha/index.js";
import { connectHaJs } from "../fakes/ha-js-connection.js";

const TOKEN = "compressed-token";
const SOC = "sensor.givtcp_ce2146g123_soc";
const POWER = "sensor.givtcp_ce2146g123_battery_power";
const RATES = "event.octopus_energy_electricity_19l3456789_1900012345678_current_day_rates";

let sim: HaSim | undefined;
let ours: HaConnection | undefined;
let theirs: Connection | undefined;

afterEach(async () => {
  theirs?.close();
  await ours?.close();
  await sim?.close();
  theirs = undefined;
  ours = undefined;
  sim = undefined;
});

/** One entity as a comparable value: times as instants (the library writes "Z", HA "+00:00"). */
function normal(
  state: Pick<HaEntityState, "state" | "attributes" | "context" | "last_changed" | "last_updated">,
) {
  return {
    state: state.state,
    attributes: state.attributes,
    context: state.context,
    last_changed: Date.parse(state.last_changed),
    last_updated: Date.parse(state.last_updated),
  };
}

function normalAll(states: Record<string, Parameters<typeof normal>[0]>) {
  return Object.fromEntries(
    Object.entries(states)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, s]) => [id, normal(s)]),
  );
}

describe("subscribe_entities decoding", () => {
  it("matches home-assistant-js-websocket and the simulator's states through every kind of change", async () => {
    const recorded = await loadFixtureStates("uk-octopus-solcast");
    // One state written by a user: the next change must carry the user's removal in its context.
    const byUser = recorded.map((s) =>
      s.entity_id === POWER ? { ...s, context: { id: "01USER", parent_id: "01PARENT", user_id: "u1" } } : s,
    );
    sim = await startHaSim({ token: TOKEN, states: byUser });
    const s = sim;
    const ids = recorded.map((r) => r.entity_id);

    ours = await connectHa({
      ...endpointsFromBaseUrl(s.url, TOKEN, "HA_TOKEN"),
      connectAttempts: 1,
      heartbeatMs: 0,
    });
    let ourStates: HaStateMap = {};
    // Our subscription names ids (as the add-on does), one of them not there yet.
    await ours.subscribeEntities([...ids, "sensor.appears_later"], (next) => {
      ourStates = next;
    });

    theirs = await connectHaJs(s.url, TOKEN);
    let theirStates: HassEntities = {};
    subscribeEntities(theirs, (next) => {
      theirStates = next;
    });

    const truth = () => {
      const out: Record<string, HaEntityState> = {};
      for (const id of [...ids, "sensor.appears_later"]) {
        const state = s.getState(id);
        if (state) out[id] = state;
      }
      return normalAll(out);
    };
    const agree = async (step: string) => {
      await expect.poll(() => normalAll(theirStates), { message: `library after ${step}` }).toEqual(truth());
      await expect.poll(() => normalAll(ourStates), { message: `ours after ${step}` }).toEqual(truth());
    };

    await agree("the initial set");
    expect(Object.keys(ourStates)).toHaveLength(ids.length);

    const soc = s.getState(SOC)!;
    s.setState(SOC, "63", soc.attributes);
    await agree("a state change");

    s.setState(SOC, "63", { ...soc.attributes, icon: "mdi:battery-60" });
    await agree("an attribute added with the same state (last_updated only)");

    const { icon: _icon, ...withoutIcon } = s.getState(SOC)!.attributes;
    s.setState(SOC, "63", withoutIcon);
    await agree("an attribute removed");

    s.setState(POWER, "-900", s.getState(POWER)!.attributes);
    await agree("a change by the system after a user's change (context parent and user cleared)");

    const rates = s.getState(RATES)!;
    const attrs = rates.attributes as { rates: { value_inc_vat: number }[] };
    s.setState(RATES, rates.state, {
      ...rates.attributes,
      rates: attrs.rates.map((r, i) => (i === 3 ? { ...r, value_inc_vat: 0.5 } : r)),
    });
    await agree("one element of a large attribute changed");

    s.setState("sensor.appears_later", "1", { unit_of_measurement: "kWh" });
    await agree("an entity added");

    s.removeState(POWER);
    await agree("an entity removed");
    expect(ourStates[POWER]).toBeUndefined();
  });
});
