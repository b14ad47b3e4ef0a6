// A simulated home for `battery-planner simulate`: a scenario's rates and forecasts behind the
// InputsPort (forecasts corrected only by actuals of slots already over), an inverter behind the
// Controller port that does what core/modes says its mode does against the ACTUAL load and PV,
// and a clock that the simulation steps slot by slot. The runtime runs unchanged on top.
import { executeMode, type ModeCommand, type ModeOutcome } from "../core/modes.js";
import { slotHours } from "../core/physics.js";
import type { BatterySpec, Command, GridSpec, InverterState, PlanProblem } from "../core/types.js";
import type { ApplyReport, Clock, Controller, InputsPort, InputsSnapshot } from "../runtime/ports.js";
import { correctedSlots, type SlotActual } from "./closed-loop.js";

/** A clock the simulation sets; timers are never fired (the simulation drives the steps). */
export class SteppingClock implements Clock {
  constructor(public now: number) {}
  nowMs(): number {
    return this.now;
  }
  setTimeout(): unknown {
    return undefined;
  }
  clearTimeout(): void {}
}

export class SimulatedInverter implements Controller {
  readonly kind = "modbus" as const;
  command: Command = { mode: "self-use" };
  constructor(
    public socKwh: number,
    public battery: BatterySpec,
    readonly grid: GridSpec,
  ) {}

  /** Like an inverter's reserve setting: the floor self-use and exports keep from now on. */
  setReservePct(reservePct: number): void {
    this.battery = { ...this.battery, minSocKwh: (reservePct / 100) * this.battery.capacityKwh };
  }

  async readState(): Promise<InverterState> {
    const state: InverterState = {
      socPct: (this.socKwh / this.battery.capacityKwh) * 100,
      mode: this.command.mode,
    };
    if (this.command.targetSocPct !== undefined) state.targetSocPct = this.command.targetSocPct;
    if (this.command.powerW !== undefined) state.powerW = this.command.powerW;
    return state;
  }

  async apply(command: Command): Promise<ApplyReport> {
    const written: string[] = [];
    if (command.mode !== this.command.mode) written.push(`mode=${command.mode}`);
    if (command.targetSocPct !== this.command.targetSocPct)
      written.push(`target_soc=${command.targetSocPct}`);
    if (command.powerW !== this.command.powerW) written.push(`power=${command.powerW}`);
    this.command = { ...command };
    return { written, verified: true, mismatches: [] };
  }

  restoreSelfUse(): Promise<ApplyReport> {
    return this.apply({ mode: "self-use" });
  }

  /** One slot of real life in the mode the inverter was last told. */
  runSlot(
    slot: { startMs: number; endMs: number; exportPricePerKwh: number },
    actual: SlotActual,
  ): ModeOutcome {
    const command: ModeCommand = { mode: this.command.mode };
    if (this.command.targetSocPct !== undefined)
      command.targetSocKwh = (this.command.targetSocPct / 100) * this.battery.capacityKwh;
    if (this.command.powerW !== undefined) command.powerW = this.command.powerW;
    const outcome = executeMode(
      command,
      { loadKwh: actual.loadKwh, pvKwh: actual.pvKwh, exportPricePerKwh: slot.exportPricePerKwh },
      this.socKwh,
      this.battery,
      this.grid,
      slotHours(slot),
    );
    this.socKwh = outcome.socKwh;
    return outcome;
  }
}

export class ScenarioInputs implements InputsPort {
  constructor(
    readonly problem: PlanProblem,
    readonly actuals: readonly SlotActual[],
    readonly inverter: SimulatedInverter,
    readonly correctForecasts: boolean,
  ) {}

  async readInputs(nowMs: number): Promise<InputsSnapshot> {
    const slots = this.problem.slots;
    let index = slots.findIndex((s) => s.endMs > nowMs);
    if (index < 0) index = slots.length;
    const ahead = this.correctForecasts ? correctedSlots(slots, this.actuals, index) : slots.slice(index);
    return {
      readAtMs: nowMs,
      importRates: slots.map((s) => ({
        startMs: s.startMs,
        endMs: s.endMs,
        pricePerKwh: s.importPricePerKwh,
      })),
      exportRates: slots.map((s) => ({
        startMs: s.startMs,
        endMs: s.endMs,
        pricePerKwh: s.exportPricePerKwh,
      })),
      solar: ahead.map((s) => ({ startMs: s.startMs, endMs: s.endMs, energyKwh: s.pvKwh })),
      load: ahead.map((s) => ({ startMs: s.startMs, endMs: s.endMs, energyKwh: s.loadKwh })),
      battery: { socPct: (this.inverter.socKwh / this.problem.battery.capacityKwh) * 100, readAtMs: nowMs },
      warnings: [],
    };
  }
}
