// What the MQTT controls (button, select, numbers, switch) do when HA sends a command: validated
// payloads mapped to RuntimeCommands, and the control's new state to publish back. Payloads are
// parsed strictly (a blank reserve is not 0 %, "0x32" is not 50 %), and a retained command is
// never obeyed: the broker hands it to every new subscription, so after each broker or add-on
// restart it would start the same export again. A command is something someone does now.
import { z } from "zod";
import { errorMessage } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { Clock, OverrideEvent, RuntimeCommands } from "../../runtime/ports.js";
import { strictDecimal } from "../quantities.js";
import { type ControlKey, MODE_OPTIONS, OVERRIDE_AUTO } from "./entities.js";

export interface ControlStates {
  override_mode: string;
  reserve_soc: number;
  override_duration: number;
  control_enabled: boolean;
}

const percent = strictDecimal.pipe(z.number().min(0).max(100));
const minutes = strictDecimal.pipe(z.number().int().min(5).max(1440));
const onOff = z.enum(["ON", "OFF"]);
const overrideOption = z.enum([OVERRIDE_AUTO, ...MODE_OPTIONS]);

export class MqttCommandHandler {
  private overrideId: string | undefined;
  private overrideTimer: unknown;

  constructor(
    private readonly commands: RuntimeCommands,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly states: ControlStates,
    /** Called with the control whose state changed, to publish it. */
    private readonly changed: (key: ControlKey) => void,
  ) {}

  /** Handles one command; never throws (a bad or retained payload is logged and ignored). */
  async handle(key: ControlKey, payload: string, retained = false): Promise<void> {
    if (retained) {
      this.log.warn(
        `MQTT command ${key}=${JSON.stringify(payload.slice(0, 50))} ignored: it is a retained message ` +
          "(replayed by the broker, not sent now); publish commands without retain",
      );
      return;
    }
    try {
      await this.dispatch(key, payload.trim());
    } catch (error) {
      const why =
        error instanceof z.ZodError ? error.issues.map((i) => i.message).join("; ") : errorMessage(error);
      this.log.warn(`MQTT command ${key}=${JSON.stringify(payload.slice(0, 50))} ignored: ${why}`);
    }
  }

  private async dispatch(key: ControlKey, payload: string): Promise<void> {
    switch (key) {
      case "replan":
        this.commands.requestReplan("replan button");
        return;
      case "override_mode":
        return this.setOverride(overrideOption.parse(payload));
      case "reserve_soc": {
        const value = percent.parse(payload);
        await this.commands.setReservePct(value);
        this.states.reserve_soc = value;
        this.changed(key);
        return;
      }
      case "override_duration":
        this.states.override_duration = minutes.parse(payload);
        this.changed(key);
        return;
      case "control_enabled": {
        const enabled = onOff.parse(payload.toUpperCase()) === "ON";
        await this.commands.setControlEnabled(enabled);
        this.states.control_enabled = enabled;
        this.changed(key);
        return;
      }
    }
  }

  private async setOverride(option: string): Promise<void> {
    if (this.overrideTimer !== undefined) this.clock.clearTimeout(this.overrideTimer);
    this.overrideTimer = undefined;
    if (option === OVERRIDE_AUTO) {
      await this.commands.cancelOverride(this.overrideId);
      this.overrideId = undefined;
    } else {
      if (this.overrideId !== undefined) await this.commands.cancelOverride(this.overrideId);
      const durationMinutes = this.states.override_duration;
      const id = await this.commands.createOverride({
        mode: option as (typeof MODE_OPTIONS)[number],
        durationMinutes,
      });
      this.overrideId = id;
      // The select goes back to auto when the override's window is over.
      this.overrideTimer = this.clock.setTimeout(() => {
        if (this.overrideId !== id) return;
        this.overrideId = undefined;
        this.overrideTimer = undefined;
        this.states.override_mode = OVERRIDE_AUTO;
        this.changed("override_mode");
      }, durationMinutes * 60_000);
    }
    this.states.override_mode = option;
    this.changed("override_mode");
  }

  /** Follows overrides made elsewhere (events, the web page, a recurrence) so the select shows
   * what is in force. */
  onOverrideEvent(event: OverrideEvent): void {
    if (event.kind === "started") {
      this.overrideId = event.overrideId;
      this.states.override_mode = event.mode;
    } else if ((event.kind === "ended" || event.kind === "deleted") && this.overrideId === event.overrideId) {
      if (this.overrideTimer !== undefined) this.clock.clearTimeout(this.overrideTimer);
      this.overrideTimer = undefined;
      this.overrideId = undefined;
      this.states.override_mode = OVERRIDE_AUTO;
    } else {
      return;
    }
    this.changed("override_mode");
  }

  dispose(): void {
    if (this.overrideTimer !== undefined) this.clock.clearTimeout(this.overrideTimer);
  }
}

export function controlPayload(key: Exclude<ControlKey, "replan">, states: ControlStates): string {
  switch (key) {
    case "override_mode":
      return states.override_mode;
    case "reserve_soc":
      return String(states.reserve_soc);
    case "override_duration":
      return String(states.override_duration);
    case "control_enabled":
      return states.control_enabled ? "ON" : "OFF";
  }
}
