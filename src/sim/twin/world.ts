// The world around the add-on in the digital twin: the house uses what it really used and the
// panels make what they really made, slot by slot from one home-history day or a run of
// consecutive days; the simulated inverter moves its battery as its registers say; the SOC sensor
// and the recorder's consumption statistics in the HA simulator follow. The integrations move on
// as they do in a home: tomorrow's rates come out in the afternoon, at midnight the Octopus events
// roll to the new day and Solcast's today/tomorrow sensors to the new pair of days. Each slot is
// settled on the net meter as docs/scenario-format.md says.
import type { HaSim } from "../ha/index.js";
import type { StatisticRow } from "../ha/statistics.js";
import type { HomeHistory } from "../home-history.js";
import type { FakeInverter } from "../modbus/fake-inverter.js";
import { EnergyMeter } from "./meters.js";
import {
  currentDayRateEvents,
  hourlyMeterRows,
  nextDayRateEvents,
  solcastSensor,
  TWIN_ENTITIES,
} from "./seed.js";

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

export interface WorldOptions {
  /** At each midnight the recorder's consumption history becomes the new day's own `loadHistory`
   * (the perfect-forecast counterfactual: a recorder that saw that day again and again). */
  reseedRecorderDaily?: boolean;
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

/** Something an integration does at an instant: publish tomorrow's rates, or roll to a new day. */
interface WorldEvent {
  atMs: number;
  kind: "next-day-rates" | "new-day";
  day: number;
}

export class HouseWorld {
  readonly slots: SettledSlot[] = [];
  private atMs: number;
  private readonly startMs: number;
  private readonly slotMs: number;
  /** Every slot of the run with the index of its day. */
  private readonly timeline: { slot: HomeHistory["slots"][number]; day: number }[];
  private open: OpenSlot | undefined;
  /** The house's consumption, the panels' production, and the grid meter's import and export. */
  readonly meters: Record<"consumption" | "pv" | "gridImport" | "gridExport", EnergyMeter>;
  private publishedSoc: string | undefined;
  /** What is still to happen, earliest first. */
  private readonly events: WorldEvent[];

  constructor(
    private readonly days: readonly HomeHistory[],
    private readonly inverter: FakeInverter,
    private readonly sim: HaSim | undefined,
    seed: {
      statistics: StatisticRow[];
      meterKwh: number;
      meterStartKwh: Record<"pv" | "gridImport" | "gridExport", number>;
    },
    private readonly options: WorldOptions = {},
  ) {
    const first = days[0]!;
    this.startMs = Date.parse(first.start);
    this.atMs = this.startMs;
    this.slotMs = first.slotMinutes * 60_000;
    this.timeline = days.flatMap((d, day) => d.slots.map((slot) => ({ slot, day })));
    this.meters = {
      consumption: new EnergyMeter(TWIN_ENTITIES.consumption, seed.meterKwh, this.startMs, seed.statistics),
      pv: new EnergyMeter(TWIN_ENTITIES.pvEnergy, seed.meterStartKwh.pv, this.startMs),
      gridImport: new EnergyMeter(
        TWIN_ENTITIES.gridImportEnergy,
        seed.meterStartKwh.gridImport,
        this.startMs,
      ),
      gridExport: new EnergyMeter(
        TWIN_ENTITIES.gridExportEnergy,
        seed.meterStartKwh.gridExport,
        this.startMs,
      ),
    };
    this.events = days
      .flatMap((d, day): WorldEvent[] => [
        ...(day > 0 ? [{ atMs: Date.parse(d.start), kind: "new-day" as const, day }] : []),
        ...(d.nextDayRates
          ? [{ atMs: Date.parse(d.nextDayRates.publishedAt), kind: "next-day-rates" as const, day }]
          : []),
      ])
      .sort((a, b) => a.atMs - b.atMs);
    this.publishedSoc = ((first.battery.initialSocKwh / first.battery.capacityKwh) * 100).toFixed(1);
  }

  /** What the recorder holds of the meters as the run begins (their sensors are in the seed). */
  publishMeters(): void {
    for (const meter of Object.values(this.meters)) meter.publish(this.sim, { state: false, hourly: true });
  }

  get endMs(): number {
    return this.startMs + this.timeline.length * this.slotMs;
  }

  get socKwh(): number {
    return (this.inverter.state.socPct / 100) * this.days[0]!.battery.capacityKwh;
  }

  /** The next instant the world wants to act at (a step boundary or an integration's event),
   * after `nowMs`. */
  nextStepMs(nowMs: number): number {
    const offset = nowMs - this.startMs;
    const stepMs = this.startMs + (Math.floor(offset / WORLD_STEP_MS) + 1) * WORLD_STEP_MS;
    const eventMs = this.events.find((e) => e.atMs > nowMs)?.atMs ?? stepMs;
    return Math.min(this.endMs, stepMs, eventMs);
  }

  /** Lets the house run until `targetMs` with the inverter's current setpoints (and the add-on's
   * `command` in force, for the record). Returns whether HA saw anything change (a SOC sensor that
   * reads the same fires no event). */
  runUntil(targetMs: number, command = "-"): boolean {
    const end = Math.min(targetMs, this.endMs);
    let published = false;
    while (this.atMs < end) {
      const index = Math.floor((this.atMs - this.startMs) / this.slotMs);
      const slotEndMs = this.startMs + (index + 1) * this.slotMs;
      const pieceEndMs = Math.min(end, slotEndMs, this.nextStepMs(this.atMs));
      const hours = (pieceEndMs - this.atMs) / HOUR_MS;
      const { slot } = this.timeline[index]!;
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
      this.meters.consumption.add((slot.actualLoadKwh / slotHours) * hours);
      this.meters.pv.add((slot.actualPvKwh / slotHours) * hours);
      this.atMs = pieceEndMs;
      if (pieceEndMs === slotEndMs) this.settle();
      published = this.recordMeters() || published;
      // The last slot's end is the run's end, not a new day the add-on would see.
      if (this.atMs < this.endMs) published = this.publishDue() || published;
    }
    const socText = this.inverter.state.socPct.toFixed(1);
    if (socText === this.publishedSoc) return published;
    this.publishedSoc = socText;
    this.sim?.setState(TWIN_ENTITIES.soc, socText, {
      unit_of_measurement: "%",
      device_class: "battery",
      state_class: "measurement",
    });
    return true;
  }

  /** Publishes every integration event that is due; whether there was one. */
  private publishDue(): boolean {
    let any = false;
    while (this.events[0] && this.events[0].atMs <= this.atMs) {
      const event = this.events.shift()!;
      if (event.kind === "next-day-rates") this.publishNextDayRates(event.day);
      else this.startDay(event.day);
      any = true;
    }
    return any;
  }

  /** Tomorrow's rates appear once, when the supplier publishes them (Agile: about 16:00). In a run
   * they are the next day's own prices: what the supplier published is what it then charges. */
  private publishNextDayRates(day: number): void {
    const today = this.days[day]!;
    const fromMs = Date.parse(today.start) + today.slots.length * this.slotMs;
    const prices = this.days[day + 1]?.slots ?? today.nextDayRates!.rates;
    this.setStates(nextDayRateEvents(prices, fromMs, this.atMs, today.timezone, this.slotMs));
  }

  /** Midnight: the Octopus integration's current-day events show the new day's rates and its
   * next-day events none until the supplier publishes them; Solcast's today sensor shows the new
   * day and its tomorrow sensor the day after (in the run, or as the last file forecasts it). */
  private startDay(day: number): void {
    const today = this.days[day]!;
    const zone = today.timezone;
    const tomorrowPv = this.days[day + 1]?.solcast ?? today.solcastTomorrow ?? [];
    this.setStates([
      ...currentDayRateEvents(today, this.atMs),
      ...nextDayRateEvents([], this.atMs, this.atMs, zone, this.slotMs),
      solcastSensor(TWIN_ENTITIES.solcastToday, today.solcast, this.atMs, zone),
      ...(this.days[0]!.solcastTomorrow || this.days.length > 1
        ? [solcastSensor(TWIN_ENTITIES.solcastTomorrow, tomorrowPv, this.atMs, zone)]
        : []),
    ]);
    if (this.options.reseedRecorderDaily) {
      // The new day's history, continuing from the meter's reading now so that sums stay monotone.
      const total = today.loadHistory.hourlyKwh.reduce<number>((s, kwh) => s + (kwh ?? 0), 0);
      const meter = this.meters.consumption;
      meter.replaceHourly(
        hourlyMeterRows(Date.parse(today.loadHistory.start), today.loadHistory.hourlyKwh, meter.kwh - total),
      );
      meter.publish(this.sim, { state: false, hourly: true });
    }
  }

  private setStates(states: readonly { entity_id: string; state: string; attributes: object }[]): void {
    for (const s of states) this.sim?.setState(s.entity_id, s.state, s.attributes as Record<string, unknown>);
  }

  private settle(): void {
    const open = this.open!;
    this.open = undefined;
    const { slot, day } = this.timeline[open.index]!;
    const history = this.days[day]!;
    const hours = this.slotMs / HOUR_MS;
    let importKwh = Math.max(0, open.gridKwh);
    let exportKwh = Math.max(0, -open.gridKwh);
    // The meter cannot export more than the connection allows, and PV that would be paid a
    // negative price is curtailed (FORMAT.md: PV is curtailed only in a slot that exports).
    exportKwh = Math.min(exportKwh, history.grid.maxExportKw * hours);
    if (slot.exportPrice < 0) exportKwh = Math.max(0, exportKwh - slot.actualPvKwh);
    importKwh = Math.min(importKwh, history.grid.maxImportKw * hours);
    const cost =
      importKwh * slot.importPrice -
      exportKwh * slot.exportPrice +
      open.dischargeKwh * history.battery.cycleCostPerKwh;
    // The grid meter registers the slot's net, as the settlement does (import or export, never both).
    this.meters.gridImport.add(importKwh);
    this.meters.gridExport.add(exportKwh);
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

  /** Every five minutes the meters' sensors show their readings and HA's recorder writes the
   * period's statistics rows (hourly ones on the hour). Returns whether it did. */
  private recordMeters(): boolean {
    let wrote = false;
    for (const meter of Object.values(this.meters)) {
      const closed = meter.closePeriods(this.atMs);
      if (closed === "none") continue;
      meter.publish(this.sim, { state: true, hourly: closed === "hour" });
      wrote = true;
    }
    return wrote;
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
