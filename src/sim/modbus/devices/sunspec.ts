// A SunSpec storage inverter laid out like a Fronius GEN24: models 1, 103, 160 (4 MPPT modules:
// PV1, PV2, battery charge, battery discharge) and 124 on the inverter's unit, a meter (models 1,
// 203) on unit 200. Scale factors are deliberately not zero so that a client that ignores them fails.

import {
  type BatteryParams,
  type DeviceModel,
  type Directive,
  type Flows,
  fromS16,
  toU16,
} from "../device-model.js";
import { emptyBank, type RegisterBank } from "../modbus-tcp-server.js";

export const SUNSPEC_SF = {
  WChaMax: 1,
  MinRsvPct: -2,
  ChaState: -1,
  InOutWRte: -2,
  DCW: -1,
  MeterW: 0,
} as const;

const M124 = {
  WChaMax: 0,
  StorCtl_Mod: 3,
  MinRsvPct: 5,
  ChaState: 6,
  OutWRte: 10,
  InWRte: 11,
  InOutWRte_RvrtTms: 13,
  ChaGriSet: 15,
  WChaMax_SF: 16,
  MinRsvPct_SF: 19,
  ChaState_SF: 20,
  InOutWRte_SF: 23,
} as const;
const M124_WRITABLE = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15];

function layout(bank: RegisterBank, base: number, models: [number, number][]): Map<number, number> {
  bank.holding.set(base, 0x5375);
  bank.holding.set(base + 1, 0x6e53);
  const starts = new Map<number, number>();
  let address = base + 2;
  for (const [id, length] of models) {
    bank.holding.set(address, id);
    bank.holding.set(address + 1, length);
    for (let i = 0; i < length; i += 1) bank.holding.set(address + 2 + i, 0);
    starts.set(id, address + 2);
    address += 2 + length;
  }
  bank.holding.set(address, 0xffff);
  bank.holding.set(address + 1, 0);
  return starts;
}

function writeString(bank: RegisterBank, address: number, text: string, words: number): void {
  for (let i = 0; i < words; i += 1) {
    const a = text.charCodeAt(i * 2) || 0;
    const b = text.charCodeAt(i * 2 + 1) || 0;
    bank.holding.set(address + i, (a << 8) | b);
  }
}

export function sunspecDevice(battery: BatteryParams, socPct: number, base = 40000): DeviceModel {
  const inverter = emptyBank();
  const meter = emptyBank();
  const starts = layout(inverter, base, [
    [1, 66],
    [103, 50],
    [160, 88],
    [124, 24],
  ]);
  const meterStarts = layout(meter, 40000, [
    [1, 65],
    [203, 105],
  ]);
  writeString(inverter, starts.get(1)!, "Fronius", 16);
  writeString(meter, meterStarts.get(1)!, "Fronius", 16);
  const m124 = starts.get(124)!;
  const m160 = starts.get(160)!;
  const m203 = meterStarts.get(203)!;
  const at = (offset: number) => m124 + offset;
  const h = inverter.holding;
  h.set(at(M124.WChaMax), Math.round(battery.maxChargeW / 10 ** SUNSPEC_SF.WChaMax));
  h.set(at(M124.WChaMax_SF), toU16(SUNSPEC_SF.WChaMax));
  h.set(at(M124.MinRsvPct_SF), toU16(SUNSPEC_SF.MinRsvPct));
  h.set(at(M124.ChaState_SF), toU16(SUNSPEC_SF.ChaState));
  h.set(at(M124.InOutWRte_SF), toU16(SUNSPEC_SF.InOutWRte));
  h.set(at(M124.MinRsvPct), Math.round(battery.reservePct / 10 ** SUNSPEC_SF.MinRsvPct));
  h.set(at(M124.InWRte), 10000);
  h.set(at(M124.OutWRte), 10000);
  h.set(at(M124.ChaState), Math.round(socPct / 10 ** SUNSPEC_SF.ChaState));
  h.set(m160 + 2, toU16(SUNSPEC_SF.DCW));
  h.set(m160 + 6, 4);
  meter.holding.set(m203 + 20, toU16(SUNSPEC_SF.MeterW));
  for (const offset of M124_WRITABLE) inverter.writable.add(at(offset));

  const labels: DeviceModel["labels"] = {};
  for (const [name, offset] of Object.entries(M124)) labels[name] = { unitId: 1, address: at(offset) };
  labels.Meter_W = { unitId: 200, address: m203 + 16 };

  const value = (offset: number, sf: number) => fromS16(h.get(at(offset)) ?? 0) * 10 ** sf;
  const revertValues = () => {
    h.set(at(M124.StorCtl_Mod), 0);
    h.set(at(M124.InWRte), 10000);
    h.set(at(M124.OutWRte), 10000);
  };

  return {
    unitId: 1,
    banks: new Map([
      [1, inverter],
      [200, meter],
    ]),
    labels,
    directive(params): Directive {
      const wMax = (h.get(at(M124.WChaMax)) ?? 0) * 10 ** SUNSPEC_SF.WChaMax;
      const mode = h.get(at(M124.StorCtl_Mod)) ?? 0;
      const inPct = value(M124.InWRte, SUNSPEC_SF.InOutWRte);
      const outPct = value(M124.OutWRte, SUNSPEC_SF.InOutWRte);
      const chargeLimit = mode & 1 ? (inPct / 100) * wMax : params.maxChargeW;
      const dischargeLimit = mode & 2 ? (outPct / 100) * wMax : params.maxDischargeW;
      const minW = -dischargeLimit;
      const maxW = chargeLimit;
      const kind =
        minW > 0 ? "charge" : maxW < 0 ? "export" : mode === 2 && outPct === 0 ? "hold" : "self-use";
      return {
        mode: kind,
        minW,
        maxW,
        minSocPct: (h.get(at(M124.MinRsvPct)) ?? 0) * 10 ** SUNSPEC_SF.MinRsvPct,
        maxSocPct: 100,
        pvOnly: (h.get(at(M124.ChaGriSet)) ?? 0) === 0,
      };
    },
    publish(flows: Flows) {
      h.set(at(M124.ChaState), Math.round(flows.socPct / 10 ** SUNSPEC_SF.ChaState));
      const dcw = (w: number) => Math.round(Math.max(0, w) / 10 ** SUNSPEC_SF.DCW);
      h.set(m160 + 19, dcw(flows.pvW / 2));
      h.set(m160 + 39, dcw(flows.pvW / 2));
      h.set(m160 + 59, dcw(flows.batteryW));
      h.set(m160 + 79, dcw(-flows.batteryW));
      meter.holding.set(m203 + 16, toU16(flows.gridW));
    },
    watchdog: {
      restarts: (event) =>
        event.unitId === 1 &&
        [M124.StorCtl_Mod, M124.InWRte, M124.OutWRte].some(
          (offset) => at(offset) >= event.address && at(offset) < event.address + event.values.length,
        ),
      revertAfterMs: () => (h.get(at(M124.InOutWRte_RvrtTms)) ?? 0) * 1000,
      revert: revertValues,
    },
  };
}
