// The shape of a Modbus profile. Profiles are data (profiles/*.ts), validated with this schema when
// loaded, so a typo in a register name or a write to a read-only register fails at start-up, not on
// the inverter. Values in a profile are engineering units (W, %); the register's scale turns them
// into raw integers.
import { z } from "zod";

export const registerTypes = ["u16", "s16", "u32", "s32"] as const;

export const registerSchema = z.object({
  /** Protocol (0-based) address; for SunSpec profiles with `model`, the offset inside that model. */
  address: z.number().int().min(0).max(65535),
  /** SunSpec model id whose block holds the register (found by the model walk). */
  model: z.number().int().min(1).max(65534).optional(),
  /** Unit id when it differs from the device's (Victron keeps settings and system data on 100). */
  unitId: z.number().int().min(0).max(255).optional(),
  table: z.enum(["holding", "input"]).default("holding"),
  type: z.enum(registerTypes).default("u16"),
  wordOrder: z.enum(["high-first", "low-first"]).default("high-first"),
  /** engineering = raw × scale × 10^(value of scaleFactor). */
  scale: z.number().positive().default(1),
  /** Name of a SunSpec sunssf register that scales this one. */
  scaleFactor: z.string().optional(),
  writable: z.boolean().default(false),
  /** Engineering bounds; writes are clamped into them. */
  min: z.number().optional(),
  max: z.number().optional(),
  description: z.string().min(1),
});

/** Where a written value comes from. */
export const valueSchema = z.union([
  z.object({ const: z.number() }),
  /** A raw code with no engineering meaning (e.g. -1 = "no limit"). */
  z.object({ raw: z.number().int() }),
  z.object({
    from: z.enum(["powerW", "targetSocPct", "reservePct", "maxChargeW", "maxDischargeW"]),
    factor: z.number().default(1),
    /** Divide by this register's current engineering value (SunSpec rates are % of WChaMax). */
    per: z.string().optional(),
    /** Subtract this live reading (SolaX's "active power" is battery power − PV power). */
    minusRead: z.enum(["pvPowerW", "batteryPowerW", "gridPowerW"]).optional(),
  }),
]);

export const writeSchema = z.object({ register: z.string(), value: valueSchema });

/** How to recognise a mode from what the device holds (for readState). */
export const matchSchema = z.object({
  register: z.string(),
  equals: z.number().optional(),
  above: z.number().optional(),
  below: z.number().optional(),
});

export const modeSchema = z.object({
  /** Written in this order (some devices act on the last one, e.g. Huawei's command register). */
  writes: z.array(writeSchema).min(1),
  match: z.array(matchSchema).min(1),
  /** Register that holds the power this mode runs at, for readState. */
  powerRegister: z.string().optional(),
});

export const readSchema = z.object({
  /** Summed. */
  add: z.array(z.string()).min(1),
  subtract: z.array(z.string()).default([]),
  /** Applied to the sum: −1 turns a device's "+ export" into our "+ import". */
  factor: z.number().default(1),
  /** For magnitudes whose direction is a status bit (Sungrow: running state bit 2 = discharging). */
  negateWhen: z.object({ register: z.string(), mask: z.number().int().positive() }).optional(),
});

export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    description: z.string().min(1),
    defaultUnitId: z.number().int().min(0).max(255),
    /** Find register addresses by walking SunSpec models from the `SunS` marker. */
    sunspec: z.boolean().default(false),
    /** What a command's power is at this device: the battery's, or the grid's (Victron setpoint). */
    powerMeaning: z.enum(["battery", "grid"]).default("battery"),
    /** Quiet time after connecting before the first request (some dongles drop early requests). */
    connectDelayMs: z.number().int().min(0).max(10_000).default(0),
    registers: z.record(z.string(), registerSchema),
    reads: z.object({
      socPct: readSchema,
      batteryPowerW: readSchema.optional(),
      pvPowerW: readSchema.optional(),
      gridPowerW: readSchema.optional(),
    }),
    modes: z.object({ "self-use": modeSchema, charge: modeSchema, hold: modeSchema, export: modeSchema }),
    /** Registers that are only ever written together, in one request (SolaX remote control). */
    blocks: z.record(z.string(), z.object({ registers: z.array(z.string()).min(2) })).default({}),
    /** Setpoints the device reverts unless rewritten; `touch` registers are rewritten every refresh. */
    watchdog: z
      .object({ refreshMs: z.number().int().positive(), touch: z.array(z.string()).min(1) })
      .optional(),
    notes: z.array(z.string()).default([]),
  })
  .superRefine((profile, ctx) => {
    const known = (name: string, path: (string | number)[]) => {
      if (!(name in profile.registers))
        ctx.addIssue({ code: "custom", path, message: `unknown register '${name}'` });
    };
    for (const [name, register] of Object.entries(profile.registers)) {
      if (register.scaleFactor !== undefined) known(register.scaleFactor, ["registers", name, "scaleFactor"]);
      if (register.model !== undefined && !profile.sunspec) {
        ctx.addIssue({
          code: "custom",
          path: ["registers", name, "model"],
          message: "model needs sunspec: true",
        });
      }
    }
    for (const [mode, spec] of Object.entries(profile.modes)) {
      spec.writes.forEach((write, index) => {
        const path = ["modes", mode, "writes", index];
        known(write.register, path);
        if (profile.registers[write.register] && !profile.registers[write.register]?.writable) {
          ctx.addIssue({ code: "custom", path, message: `register '${write.register}' is not writable` });
        }
        if ("per" in write.value && write.value.per !== undefined) known(write.value.per, path);
      });
      spec.match.forEach((m, index) => {
        known(m.register, ["modes", mode, "match", index]);
      });
      if (spec.powerRegister) known(spec.powerRegister, ["modes", mode, "powerRegister"]);
    }
    for (const [key, read] of Object.entries(profile.reads)) {
      if (!read) continue;
      for (const name of [...read.add, ...read.subtract]) known(name, ["reads", key]);
      if (read.negateWhen) known(read.negateWhen.register, ["reads", key, "negateWhen"]);
    }
    for (const name of profile.watchdog?.touch ?? []) known(name, ["watchdog", "touch"]);
    for (const [blockName, block] of Object.entries(profile.blocks)) {
      const path = ["blocks", blockName];
      let next: number | undefined;
      for (const name of block.registers) {
        const register = profile.registers[name];
        if (!register) {
          known(name, path);
          continue;
        }
        if (!register.writable || register.model !== undefined || register.unitId !== undefined) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `'${name}' must be a writable fixed register of the device`,
          });
        }
        if (next !== undefined && register.address !== next) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `'${name}' does not follow on from the previous register`,
          });
        }
        next = register.address + (register.type === "u32" || register.type === "s32" ? 2 : 1);
      }
    }
    for (const [mode, spec] of Object.entries(profile.modes)) {
      for (const write of spec.writes) {
        const read = "minusRead" in write.value ? write.value.minusRead : undefined;
        if (read !== undefined && !profile.reads[read]) {
          ctx.addIssue({ code: "custom", path: ["modes", mode], message: `no read '${read}' to subtract` });
        }
      }
    }
  });

export type ModbusProfile = z.infer<typeof profileSchema>;
export type ModbusProfileInput = z.input<typeof profileSchema>;
export type RegisterSpec = z.infer<typeof registerSchema>;
export type WriteSpec = z.infer<typeof writeSchema>;
export type ValueSpec = z.infer<typeof valueSchema>;
export type ModeSpec = z.infer<typeof modeSchema>;
export type ReadSpec = z.infer<typeof readSchema>;
