// SunSpec storage control (model 124) as Fronius GEN24 and other SunSpec storage inverters implement
// it. Addresses are offsets inside each model's data block (after its ID and length words); the
// controller finds the blocks by the `SunS` marker and the model walk.
//
// Model 124 limits the battery's power to a window: charge ≤ InWRte, discharge ≤ OutWRte, both in
// percent of WChaMax, active when StorCtl_Mod bit 0 (charge) / bit 1 (discharge) is set. A negative
// limit on one side forces power the other way, so [InWRte, OutWRte] = [P, −P] with both bits set
// charges at exactly P. InOutWRte_RvrtTms makes the device drop the limits after that many seconds
// without a new rate, which is why the rates are rewritten every `watchdog.refreshMs`.
import type { ModbusProfileInput } from "../profile-schema.js";

const REVERT_SECONDS = 900;

const model124 = (address: number, description: string) => ({ model: 124, address, description });
const rate = (address: number, description: string) => ({
  ...model124(address, description),
  type: "s16" as const,
  scaleFactor: "InOutWRte_SF",
  writable: true,
  min: -100,
  max: 100,
});
const sf = (model: number, address: number, description: string) => ({
  model,
  address,
  type: "s16" as const,
  description,
});
const percentOfWChaMax = (factor: number) => ({
  from: "powerW" as const,
  factor: factor * 100,
  per: "WChaMax",
});

export const sunspecProfile = {
  name: "sunspec",
  title: "SunSpec storage (model 124), e.g. Fronius GEN24",
  description:
    "SunSpec basic storage controls with discovery; PV and battery power from model 160 (GEN24 layout)",
  defaultUnitId: 1,
  sunspec: true,
  registers: {
    WChaMax: { ...model124(0, "setpoint for maximum charge (W)"), scaleFactor: "WChaMax_SF" },
    StorCtl_Mod: {
      ...model124(3, "active storage control bits: 1 charge limit, 2 discharge limit"),
      writable: true,
    },
    MinRsvPct: {
      ...model124(5, "minimum reserve (% of WHMax)"),
      scaleFactor: "MinRsvPct_SF",
      writable: true,
      min: 0,
      max: 100,
    },
    ChaState: { ...model124(6, "available energy (% of capacity)"), scaleFactor: "ChaState_SF" },
    OutWRte: rate(10, "discharge rate limit (% of WChaMax)"),
    InWRte: rate(11, "charge rate limit (% of WChaMax)"),
    InOutWRte_RvrtTms: { ...model124(13, "seconds until the rate limits revert"), writable: true },
    ChaGriSet: { ...model124(15, "charging source: 0 PV only, 1 grid allowed"), writable: true },
    WChaMax_SF: sf(124, 16, "scale factor of WChaMax"),
    MinRsvPct_SF: sf(124, 19, "scale factor of MinRsvPct"),
    ChaState_SF: sf(124, 20, "scale factor of ChaState"),
    InOutWRte_SF: sf(124, 23, "scale factor of InWRte/OutWRte"),
    DCW_SF: sf(160, 2, "scale factor of the MPPT modules' DC power"),
    PV1_DCW: {
      model: 160,
      address: 19,
      scaleFactor: "DCW_SF",
      description: "MPPT module 1 (PV string 1) DC power",
    },
    PV2_DCW: {
      model: 160,
      address: 39,
      scaleFactor: "DCW_SF",
      description: "MPPT module 2 (PV string 2) DC power",
    },
    StCha_DCW: {
      model: 160,
      address: 59,
      scaleFactor: "DCW_SF",
      description: "module 3: battery charge power",
    },
    StDisCha_DCW: {
      model: 160,
      address: 79,
      scaleFactor: "DCW_SF",
      description: "module 4: battery discharge power",
    },
    Meter_W: {
      model: 203,
      address: 16,
      unitId: 200,
      type: "s16",
      scaleFactor: "Meter_W_SF",
      description: "grid meter total real power (+ import), meter at unit 200",
    },
    Meter_W_SF: { ...sf(203, 20, "scale factor of the meter's power"), unitId: 200 },
  },
  reads: {
    socPct: { add: ["ChaState"] },
    batteryPowerW: { add: ["StCha_DCW"], subtract: ["StDisCha_DCW"] },
    pvPowerW: { add: ["PV1_DCW", "PV2_DCW"] },
    gridPowerW: { add: ["Meter_W"] },
  },
  modes: {
    "self-use": {
      writes: [
        { register: "MinRsvPct", value: { from: "reservePct" } },
        { register: "InWRte", value: { const: 100 } },
        { register: "OutWRte", value: { const: 100 } },
        { register: "InOutWRte_RvrtTms", value: { const: 0 } },
        { register: "StorCtl_Mod", value: { const: 0 } },
      ],
      match: [{ register: "StorCtl_Mod", equals: 0 }],
    },
    charge: {
      writes: [
        { register: "MinRsvPct", value: { from: "reservePct" } },
        { register: "ChaGriSet", value: { const: 1 } },
        { register: "InOutWRte_RvrtTms", value: { const: REVERT_SECONDS } },
        { register: "InWRte", value: percentOfWChaMax(1) },
        { register: "OutWRte", value: percentOfWChaMax(-1) },
        { register: "StorCtl_Mod", value: { const: 3 } },
      ],
      match: [
        { register: "StorCtl_Mod", equals: 3 },
        { register: "InWRte", above: 0 },
      ],
      powerRegister: "InWRte",
    },
    hold: {
      writes: [
        { register: "MinRsvPct", value: { from: "reservePct" } },
        { register: "InOutWRte_RvrtTms", value: { const: REVERT_SECONDS } },
        { register: "InWRte", value: { const: 100 } },
        { register: "OutWRte", value: { const: 0 } },
        { register: "StorCtl_Mod", value: { const: 2 } },
      ],
      match: [
        { register: "StorCtl_Mod", equals: 2 },
        { register: "OutWRte", equals: 0 },
      ],
    },
    export: {
      writes: [
        { register: "MinRsvPct", value: { from: "targetSocPct" } },
        { register: "InOutWRte_RvrtTms", value: { const: REVERT_SECONDS } },
        { register: "OutWRte", value: percentOfWChaMax(1) },
        { register: "InWRte", value: percentOfWChaMax(-1) },
        { register: "StorCtl_Mod", value: { const: 3 } },
      ],
      match: [
        { register: "StorCtl_Mod", equals: 3 },
        { register: "OutWRte", above: 0 },
      ],
      powerRegister: "OutWRte",
    },
  },
  watchdog: { refreshMs: ((REVERT_SECONDS * 1000) / 3) | 0, touch: ["InWRte", "OutWRte"] },
  notes: [
    "Charge has no target register in model 124: the executor ends the charge at the target SOC.",
    "Export stops at its target through MinRsvPct.",
    "Power rates are percent of WChaMax, read from the device before each write.",
  ],
} satisfies ModbusProfileInput;
