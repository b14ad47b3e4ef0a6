// A simulated battery behind the Controller port: it remembers the command it was given as the
// registers of an inverter would (mode, target SOC, power), writes only what differs, and moves
// its SOC through a slot exactly as core/modes says an inverter in that mode would.
import { executeMode } from "../../src/core/modes.js";
import type { BatterySpec, Command, GridSpec, InverterState, Mode } from "../../src/core/types.js";
import { ControlError } from "../../src/errors.js";
import type { ApplyReport, Controller } from "../../src/runtime/ports.js";

export interface SimRegisters {
  mode: Mode;
  targetSocPct?: number;
  powerW?: number;
}

export class BatterySim implements Controller {
  readonly kind: "ha_services" | "modbus";
  socKwh: number;
  registers: SimRegisters = { mode: "self-use" };
  /** Every single register write, in order. */
  writes: string[] = [];
  applyCalls = 0;
  failReads = false;
  /** Some profiles cannot read back the mode: then only SOC (and set points) are reported. */
  reportsMode = true;
  /** Throw after this many register writes of the next apply (a half-applied command). */
  failAfterWrites: number | undefined;
  /** Every apply (and restore) fails, as an inverter that refuses writes. */
  failApplies = false;
  /** Every apply (and restore) waits for this before it writes (a call that never answers). */
  applyGate: Promise<void> | undefined;

  constructor(
    readonly battery: BatterySpec,
    readonly grid: GridSpec,
    initialSocKwh: number,
    kind: "ha_services" | "modbus" = "modbus",
  ) {
    this.socKwh = initialSocKwh;
    this.kind = kind;
  }

  get socPct(): number {
    return (this.socKwh / this.battery.capacityKwh) * 100;
  }

  async readState(): Promise<InverterState> {
    if (this.failReads) throw new ControlError("simulated inverter does not answer", { retryable: true });
    const state: InverterState = { socPct: this.socPct };
    if (this.reportsMode) state.mode = this.registers.mode;
    if (this.registers.targetSocPct !== undefined) state.targetSocPct = this.registers.targetSocPct;
    if (this.registers.powerW !== undefined) state.powerW = this.registers.powerW;
    return state;
  }

  async apply(command: Command): Promise<ApplyReport> {
    this.applyCalls++;
    if (this.applyGate) await this.applyGate;
    if (this.failApplies) throw new ControlError("simulated inverter refuses the write", { retryable: true });
    const wanted: [keyof SimRegisters, Mode | number | undefined][] = [
      ["mode", command.mode],
      ["targetSocPct", command.targetSocPct],
      ["powerW", command.powerW],
    ];
    const written: string[] = [];
    for (const [name, value] of wanted) {
      if (this.registers[name] === value) continue;
      if (this.failAfterWrites !== undefined && written.length >= this.failAfterWrites) {
        this.failAfterWrites = undefined;
        throw new ControlError(`simulated write of ${name} failed`, { retryable: true });
      }
      (this.registers as unknown as Record<string, unknown>)[name] = value;
      written.push(`${name}=${value}`);
      this.writes.push(`${name}=${value}`);
    }
    return { written, verified: true, mismatches: [] };
  }

  async restoreSelfUse(): Promise<ApplyReport> {
    return this.apply({ mode: "self-use" });
  }

  /** The reserve the runtime last gave; the floor of self-use in run(). */
  reservePct: number | undefined;
  setReservePct(reservePct: number): void {
    this.reservePct = reservePct;
  }

  /** Runs the battery for `hours` against the real load and PV in the mode it was told. */
  run(hours: number, loadKwh: number, pvKwh: number, exportPricePerKwh = 0) {
    const command: { mode: Mode; targetSocKwh?: number; powerW?: number } = { mode: this.registers.mode };
    if (this.registers.targetSocPct !== undefined)
      command.targetSocKwh = (this.registers.targetSocPct / 100) * this.battery.capacityKwh;
    if (this.registers.powerW !== undefined) command.powerW = this.registers.powerW;
    const battery =
      this.reservePct === undefined
        ? this.battery
        : { ...this.battery, minSocKwh: (this.reservePct / 100) * this.battery.capacityKwh };
    const outcome = executeMode(
      command,
      { loadKwh, pvKwh, exportPricePerKwh },
      this.socKwh,
      battery,
      this.grid,
      hours,
    );
    this.socKwh = outcome.socKwh;
    return outcome;
  }
}
