// The world around the add-on in the digital twin: the house uses what it really used and the
// panels make what they really made, slot by slot from the home history; the simulated inverter
// moves its battery as its registers say; the SOC sensor and the recorder's hourly consumption
// statistics in the HA simulator follow. Each slot is settled on the net meter as FORMAT.md says.
import type { HaSim } from "../ha/index.js";
import type { StatisticRow } from "../ha/statistics.js";
import type { HomeHistory } from "../home-history.js";
import type { FakeInverter } from "../modbus/fake-inverter.js";
import { nextDayRateEvents, TWIN_ENTITIES } from "./seed.js";

/** How often the world moves the battery and publishes the SOC, as a real sensor would. */
export const WORLD_STEP_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

export interface SettledSlot {
  startMs: number;
  /** What the add-on had told the inverter, for most of the slot ("-": nothing yet). */
  command: string;
  /** What the inverter's registers made it do, for most of the slot. */
  inverterMode: string;
  socPct: number;
  /** AC energy into and out of the battery. */
  chargeKwh: number;
  dischargeKwh: number;
  importKwh: number;
  exportKwh: number;
  importPricePerKwh: number;
  exportPricePerKwh: number;
  loadKwh: number;
  pvKwh: number;
  /** import·price − export·price + discharge·cycle cost, in the home's currency. */
  cost: number;
}

interface OpenSlot {
  index: number;
  /** Milliseconds spent under each command and in each inverter mode. */
  commands: Map<string, number>;
  modes: Map<string, number>;
  gridKwh: number;
  chargeKwh: number;
  dischargeKwh: number;
}

export class HouseWorld {
  readonly slots: SettledSlot[] = [];
  private atMs: number;
  private readonly startMs: number;
  private readonly slotMs: number;
  private open: OpenSlot | undefined;
  private readonly statistics: StatisticRow[];
  private meterKwh: number;
  private hourKwh = 0;
  private publishedSoc: string | undefined;
  /** When tomorrow's rates come out (the Octopus integration's next_day_rates events), if ever. */
  private nextDayRatesMs: number | undefined;

  constructor(
    private readonly history: HomeHistory,
    private readonly inverter: FakeInverter,
    private readonly sim: HaSim | undefined,
    seed: { statistics: StatisticRow[]; meterKwh: number },
  ) {
    this.startMs = Date.parse(history.start);
    this.atMs = this.startMs;
    this.slotMs = history.slotMinutes * 60_000;
    this.statistics = [...seed.statistics];
    this.meterKwh = seed.meterKwh;
    this.nextDayRatesMs = history.nextDayRates ? Date.parse(history.nextDayRates.publishedAt) : undefined;
    this.publishedSoc = ((history.battery.initialSocKwh / history.battery.capacityKwh) * 100).toFixed(1);
  }

  get endMs(): number {
    return this.startMs + this.history.slots.length * this.slotMs;
  }

  get socKwh(): number {
    return (this.inverter.state.socPct / 100) * this.history.battery.capacityKwh;
  }

  /** The next instant the world wants to act at (a step boundary), after `nowMs`. */
  nextStepMs(nowMs: number): number {
    const offset = nowMs - this.startMs;
    const stepMs = this.startMs + (Math.floor(offset / WORLD_STEP_MS) + 1) * WORLD_STEP_MS;
    const ratesMs =
      this.nextDayRatesMs !== undefined && this.nextDayRatesMs > nowMs ? this.nextDayRatesMs : stepMs;
    return Math.min(this.endMs, stepMs, ratesMs);
  }

  /** Lets the house run until `targetMs` with the inverter's current setpoints (and the add-on's
   * `command` in force, for the record). Returns whether HA saw anything change (a SOC sensor that
   * reads the same fires no event). */
  runUntil(targetMs: number, command = "-"): boolean {
    const end = Math.min(targetMs, this.endMs);
    while (this.atMs < end) {
      const index = Math.floor((this.atMs - this.startMs) / this.slotMs);
      const slotEndMs = this.startMs + (index + 1) * this.slotMs;
      const pieceEndMs = Math.min(end, slotEndMs, this.nextStepMs(this.atMs));
      const hours = (pieceEndMs - this.atMs) / HOUR_MS;
      const slot = this.history.slots[index]!;
      const slotHours = this.slotMs / HOUR_MS;
      const flows = this.inverter.step(hours, slot.actualLoadKwh / slotHours, slot.actualPvKwh / slotHours);
      this.open ??= {
        index,
        commands: new Map(),
        modes: new Map(),
        gridKwh: 0,
        chargeKwh: 0,
        dischargeKwh: 0,
      };
      const pieceMs = pieceEndMs - this.atMs;
      this.open.commands.set(command, (this.open.commands.get(command) ?? 0) + pieceMs);
      this.open.modes.set(flows.mode, (this.open.modes.get(flows.mode) ?? 0) + pieceMs);
      this.open.gridKwh += (flows.gridW * hours) / 1000;
      this.open.chargeKwh += (Math.max(0, flows.batteryW) * hours) / 1000;
      this.open.dischargeKwh += (Math.max(0, -flows.batteryW) * hours) / 1000;
      this.hourKwh += (slot.actualLoadKwh / slotHours) * hours;
      this.atMs = pieceEndMs;
      if (pieceEndMs === slotEndMs) this.settle();
      if ((this.atMs - Date.parse(this.history.loadHistory.start)) % HOUR_MS === 0) this.recordHour();
    }
    const ratesOut = this.publishNextDayRates();
    const socText = this.inverter.state.socPct.toFixed(1);
    if (socText === this.publishedSoc) return ratesOut;
    this.publishedSoc = socText;
    this.sim?.setState(TWIN_ENTITIES.soc, socText, {
      unit_of_measurement: "%",
      device_class: "battery",
      state_class: "measurement",
    });
    return true;
  }

  /** Tomorrow's rates appear once, when the supplier publishes them (Agile: about 16:00). */
  private publishNextDayRates(): boolean {
    if (this.nextDayRatesMs === undefined || this.atMs < this.nextDayRatesMs) return false;
    this.nextDayRatesMs = undefined;
    for (const event of nextDayRateEvents(this.history)) {
      this.sim?.setState(event.entity_id, event.state, event.attributes);
    }
    return true;
  }

  private settle(): void {
    const open = this.open!;
    this.open = undefined;
    const slot = this.history.slots[open.index]!;
    const hours = this.slotMs / HOUR_MS;
    let importKwh = Math.max(0, open.gridKwh);
    let exportKwh = Math.max(0, -open.gridKwh);
    // The meter cannot export more than the connection allows, and PV that would be paid a
    // negative price is curtailed (FORMAT.md: PV is curtailed only in a slot that exports).
    exportKwh = Math.min(exportKwh, this.history.grid.maxExportKw * hours);
    if (slot.exportPrice < 0) exportKwh = Math.max(0, exportKwh - slot.actualPvKwh);
    importKwh = Math.min(importKwh, this.history.grid.maxImportKw * hours);
    const cost =
      importKwh * slot.importPrice -
      exportKwh * slot.exportPrice +
      open.dischargeKwh * this.history.battery.cycleCostPerKwh;
    this.slots.push({
      startMs: this.startMs + open.index * this.slotMs,
      command: longest(open.commands),
      inverterMode: longest(open.modes),
      socPct: this.inverter.state.socPct,
      chargeKwh: open.chargeKwh,
      dischargeKwh: open.dischargeKwh,
      importKwh,
      exportKwh,
      importPricePerKwh: slot.importPrice,
      exportPricePerKwh: slot.exportPrice,
      loadKwh: slot.actualLoadKwh,
      pvKwh: slot.actualPvKwh,
      cost,
    });
  }

  /** HA writes the hour's long-term statistics row once the hour is over. */
  private recordHour(): void {
    this.meterKwh += this.hourKwh;
    this.hourKwh = 0;
    this.statistics.push({ start: this.atMs - HOUR_MS, sum: Math.round(this.meterKwh * 10_000) / 10_000 });
    this.sim?.setStatistics(TWIN_ENTITIES.consumption, this.statistics);
  }
}

function longest(durations: Map<string, number>): string {
  let best = "-";
  let bestMs = -1;
  for (const [key, ms] of durations) {
    if (ms > bestMs) {
      best = key;
      bestMs = ms;
    }
  }
  return best;
}
