// Command payloads from MQTT are parsed strictly and retained commands are never obeyed (issue 9,
// item 7): a blank reserve is not 0 %, "0x32" is not 50 %, a retained "export" is not an export.
import { describe, expect, it } from "vitest";
import { type ControlStates, MqttCommandHandler } from "../../../src/ha/publish/mqtt-commands.js";
import type { Logger } from "../../../src/log.js";
import type { OverrideRequest, RuntimeCommands } from "../../../src/runtime/ports.js";
import { FakeClock } from "../../fakes/clock.js";

class Recording implements RuntimeCommands {
  calls: [string, unknown][] = [];
  requestReplan(reason: string) {
    this.calls.push(["requestReplan", reason]);
  }
  async createOverride(request: OverrideRequest) {
    this.calls.push(["createOverride", request]);
    return "ov-1";
  }
  async cancelOverride(id?: string) {
    this.calls.push(["cancelOverride", id]);
  }
  async setControlEnabled(enabled: boolean) {
    this.calls.push(["setControlEnabled", enabled]);
  }
  async setReservePct(pct: number) {
    this.calls.push(["setReservePct", pct]);
  }
}

function rig() {
  const commands = new Recording();
  const lines: string[] = [];
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
    child: () => log,
  };
  const states: ControlStates = {
    override_mode: "auto",
    reserve_soc: 10,
    override_duration: 60,
    control_enabled: true,
  };
  const changed: string[] = [];
  const handler = new MqttCommandHandler(commands, new FakeClock(0), log, states, (key) => changed.push(key));
  return { commands, lines, states, changed, handler };
}

describe("MQTT command payloads", () => {
  it.each(["", "   ", "0x32", "NaN", "Infinity", "1e3", "-1", "101", "50%", "fifty"])(
    "ignores reserve %j with one log line and changes nothing",
    async (payload) => {
      const { commands, lines, states, changed, handler } = rig();
      await handler.handle("reserve_soc", payload);
      expect(commands.calls).toEqual([]);
      expect(states.reserve_soc).toBe(10);
      expect(changed).toEqual([]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^MQTT command reserve_soc=.* ignored: /);
    },
  );

  it("takes a decimal reserve", async () => {
    const { commands, states, handler } = rig();
    await handler.handle("reserve_soc", " 25.5 ");
    expect(commands.calls).toEqual([["setReservePct", 25.5]]);
    expect(states.reserve_soc).toBe(25.5);
  });

  it.each(["", "0x5a", "90.5", "4", "2000"])("ignores override duration %j", async (payload) => {
    const { states, lines, handler } = rig();
    await handler.handle("override_duration", payload);
    expect(states.override_duration).toBe(60);
    expect(lines).toHaveLength(1);
  });

  it.each([
    ["override_mode", "export"],
    ["reserve_soc", "0"],
    ["control_enabled", "OFF"],
    ["replan", "PRESS"],
  ] as const)("never obeys a retained %s command", async (key, payload) => {
    const { commands, lines, states, handler } = rig();
    await handler.handle(key, payload, true);
    expect(commands.calls).toEqual([]);
    expect(states).toEqual({
      override_mode: "auto",
      reserve_soc: 10,
      override_duration: 60,
      control_enabled: true,
    });
    expect(lines).toEqual([expect.stringContaining("retained message")]);
  });

  it("obeys the same command sent now", async () => {
    const { commands, handler } = rig();
    await handler.handle("override_mode", "export", false);
    expect(commands.calls).toEqual([["createOverride", { mode: "export", durationMinutes: 60 }]]);
  });
});
