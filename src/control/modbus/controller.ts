// The Modbus Controller: makes an inverter do a Command through its profile. Writes only what
// differs from the device (re-applying is free, a half-applied command is completed), verifies by
// reading back after a settle delay, retries with backoff, and refreshes watchdog setpoints.
// While the device cannot be reached it probes it (2 s, doubling, at most 15 s apart) and tells
// onReconnect listeners when it answers again; restoring self-use cuts short the writes queued
// or running before it, so that a stopping add-on is not held up by a command it no longer wants.
import { type Command, MODES } from "../../core/types.js";
import { ConfigError, errorMessage } from "../../errors.js";
import { createLogger } from "../../log.js";
import { type ApplyReport, type Clock, type Controller, systemClock } from "../../runtime/ports.js";
import { createModbusLink, type ModbusLink } from "./client.js";
import { type ControlLimits, commandTargets } from "./command-targets.js";
import {
  ModbusProfileError,
  ModbusSupersededError,
  ModbusWriteNotAppliedError,
  type RegisterMismatch,
} from "./errors.js";
import type { ModbusProfile } from "./profile-schema.js";
import { loadModbusProfile } from "./profiles.js";
import { readAllRegisters, readInverterState, readSum } from "./read-state.js";
import { RegisterMap, writeBlock } from "./register-map.js";

const log = createLogger("modbus");

export interface ModbusControllerOptions {
  profile: string;
  host?: string | undefined;
  port?: number;
  serial_port?: string | undefined;
  baud_rate?: number;
  /** Default: the profile's unit id. */
  unit_id?: number | undefined;
  timeout_ms?: number;
  gap_ms?: number;
  /** Default: the profile's (Huawei's SDongle needs a second after connecting). */
  connect_delay_ms?: number;
  /** Wait before reading back what was written (devices apply writes asynchronously). */
  settle_ms?: number;
  /** Rewrites of a register that did not stick before giving up. */
  verify_retries?: number;
  limits: ControlLimits;
}

export interface ModbusControllerDeps {
  /** Drives the watchdog refresh timer. */
  clock?: Clock;
  /** Settle and backoff waits. */
  sleep?: (ms: number) => Promise<void>;
  link?: ModbusLink;
}

export interface WriteDetail {
  register: string;
  unitId: number;
  address: number;
  raw: number;
  value: number;
}

export interface ModbusApplyReport extends ApplyReport {
  /** The command after clamping to the limits. */
  command: Required<Command>;
  writes: WriteDetail[];
}

export interface ModbusController extends Controller {
  readonly kind: "modbus";
  readonly profile: ModbusProfile;
  readonly unitId: number;
  /** How often watchdog setpoints must be rewritten; undefined when the profile has none. */
  readonly refreshIntervalMs: number | undefined;
  /** False after the device could not be reached, until a request gets through again. */
  readonly connected: boolean;
  /** New limits for the next writes. */
  updateLimits(limits: Partial<ControlLimits>): void;
  setReservePct(reservePct: number): void;
  onReconnect(listener: () => void): () => void;
  apply(command: Command): Promise<ModbusApplyReport>;
  restoreSelfUse(): Promise<ModbusApplyReport>;
  /** Repairs reverted setpoints and rewrites the watchdog ones; the internal timer calls it too. */
  keepAlive(): Promise<ModbusApplyReport | undefined>;
  /** Every register of the profile, in engineering units (diagnostics, the CLI). */
  readRegisters(): Promise<Record<string, number | null>>;
  close(): Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const PROBE_FIRST_MS = 2_000;
const PROBE_MAX_MS = 15_000;

export function createModbusController(
  options: ModbusControllerOptions,
  deps: ModbusControllerDeps = {},
): ModbusController {
  const profile = loadModbusProfile(options.profile);
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const settleMs = options.settle_ms ?? 1000;
  const retries = options.verify_retries ?? 2;
  if (!deps.link && !options.host && !options.serial_port) {
    throw new ConfigError(
      "control.modbus.host",
      "no inverter address",
      "Set the inverter's host name or IP (or serial_port for Modbus RTU)",
    );
  }
  const link =
    deps.link ??
    createModbusLink({
      host: options.host,
      port: options.port ?? 502,
      serialPort: options.serial_port,
      baudRate: options.baud_rate ?? 9600,
      timeoutMs: options.timeout_ms ?? 3000,
      gapMs: options.gap_ms ?? 50,
      connectDelayMs: options.connect_delay_ms ?? profile.connectDelayMs,
    });
  const map = new RegisterMap(profile, link, options.unit_id ?? profile.defaultUnitId);
  let limits: ControlLimits = { ...options.limits };
  let lastCommand: Command | undefined;
  let timer: unknown;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  // Bumped by restoreSelfUse: writes asked for before it stop at their next request.
  let restoreGeneration = 0;
  const reconnectListeners = new Set<() => void>();
  let probeTimer: unknown;
  let probeDelayMs = PROBE_FIRST_MS;
  let lost = false;

  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const result = chain.then(task, task);
    chain = result.catch(() => undefined);
    void result.then(watchLink, watchLink);
    return result;
  };

  /** After every request: notice the device going away, and coming back. */
  function watchLink(): void {
    if (closed) return;
    if (link.reachable) {
      if (!lost) return;
      lost = false;
      probeDelayMs = PROBE_FIRST_MS;
      if (probeTimer !== undefined) clock.clearTimeout(probeTimer);
      probeTimer = undefined;
      log.info(`${profile.name}: the inverter answers again`);
      for (const listener of reconnectListeners) {
        try {
          listener();
        } catch (error) {
          log.error(`reconnect listener failed: ${errorMessage(error)}`);
        }
      }
      return;
    }
    lost = true;
    if (probeTimer !== undefined) return;
    const delayMs = probeDelayMs;
    probeDelayMs = Math.min(probeDelayMs * 2, PROBE_MAX_MS);
    probeTimer = clock.setTimeout(() => {
      probeTimer = undefined;
      // The probe's outcome goes through watchLink like any other request.
      exclusive(() => readInverterState(map, profile)).catch(() => undefined);
    }, delayMs);
  }

  type RawTarget = { register: string; raw: number };

  const targetRaws = async (command: Command) => {
    const { command: effective, targets } = commandTargets(profile, command, limits);
    const raws: RawTarget[] = [];
    for (const t of targets) {
      if (t.raw !== undefined) {
        raws.push({ register: t.register, raw: t.raw });
        continue;
      }
      let value = t.value ?? 0;
      if (t.per !== undefined) {
        const divisor = await map.readValue(t.per);
        if (!divisor) {
          throw new ModbusProfileError(
            `'${t.per}' reads ${divisor ?? "nothing"}: cannot scale '${t.register}'`,
          );
        }
        value /= divisor;
      }
      const read = t.minusRead === undefined ? undefined : profile.reads[t.minusRead];
      if (read) value -= (await readSum(map, read)) ?? 0;
      raws.push({ register: t.register, raw: await map.toRaw(t.register, value) });
    }
    // A block is always written whole: members the mode does not set are sent as 0.
    for (const block of Object.values(profile.blocks)) {
      if (!block.registers.some((name) => raws.some((r) => r.register === name))) continue;
      for (const name of block.registers)
        if (!raws.some((r) => r.register === name)) raws.push({ register: name, raw: 0 });
    }
    return { effective, raws };
  };

  const blockOf = (register: string) =>
    Object.values(profile.blocks).find((b) => b.registers.includes(register));

  const mismatchesOf = async (raws: RawTarget[]) => {
    const found: RegisterMismatch[] = [];
    for (const { register, raw } of raws) {
      const readBack = await map.readRaw(register);
      if (readBack !== raw) {
        const reg = await map.resolve(register);
        found.push({ register, address: reg.address, unitId: reg.unitId, wanted: raw, readBack });
      }
    }
    return found;
  };

  const applyNow = async (
    command: Command,
    touch: readonly string[] = [],
    generation = restoreGeneration,
  ): Promise<ModbusApplyReport> => {
    const wanted = () => {
      if (command.mode !== "self-use" && generation !== restoreGeneration) throw new ModbusSupersededError();
    };
    wanted();
    const { effective, raws } = await targetRaws(command);
    const writes: WriteDetail[] = [];
    const record = async (register: string, raw: number) => {
      const reg = await map.resolve(register);
      const value = await map.toValue(register, raw);
      writes.push({ register, unitId: reg.unitId, address: reg.address, raw, value });
    };
    /** Writes these targets: single registers one by one, each block they touch whole, once. */
    const writeAll = async (targets: RawTarget[]) => {
      const blocksDone = new Set<object>();
      for (const target of targets) {
        wanted();
        const block = blockOf(target.register);
        if (!block) {
          await map.writeRaw(target.register, target.raw);
          await record(target.register, target.raw);
          continue;
        }
        if (blocksDone.has(block)) continue;
        blocksDone.add(block);
        const members = block.registers.map(
          (name) => raws.find((r) => r.register === name) ?? { register: name, raw: 0 },
        );
        await writeBlock(map, link, members);
        for (const m of members) await record(m.register, m.raw);
      }
    };
    const differing: RawTarget[] = [];
    for (const target of raws) {
      wanted();
      if (touch.includes(target.register) || (await map.readRaw(target.register)) !== target.raw)
        differing.push(target);
    }
    await writeAll(differing);
    let mismatches: RegisterMismatch[] = [];
    for (let attempt = 0; writes.length > 0; attempt += 1) {
      await sleep(settleMs * 2 ** attempt);
      wanted();
      mismatches = await mismatchesOf(raws);
      if (mismatches.length === 0 || attempt >= retries) break;
      log.warn(
        `${mismatches.map((m) => m.register).join(", ")} did not stick; rewriting (attempt ${attempt + 2})`,
      );
      await writeAll(mismatches.map((m) => ({ register: m.register, raw: m.wanted })));
    }
    const written = writes.map((w) => `${w.register}=${w.value}`);
    if (mismatches.length > 0) throw new ModbusWriteNotAppliedError(mismatches, written);
    if (written.length > 0) log.info(`${profile.name}: ${effective.mode} applied: ${written.join(", ")}`);
    return { command: effective, written, writes, verified: true, mismatches: [] };
  };

  const stopTimer = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };

  const scheduleRefresh = () => {
    stopTimer();
    const watchdog = profile.watchdog;
    if (!watchdog || closed || !lastCommand || lastCommand.mode === "self-use") return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      controller.keepAlive().catch((error: unknown) => {
        log.warn(`${profile.name}: watchdog refresh failed: ${errorMessage(error)}`);
        scheduleRefresh();
      });
    }, watchdog.refreshMs);
  };

  const controller: ModbusController = {
    kind: "modbus",
    profile,
    unitId: map.unitId,
    get connected() {
      return link.reachable;
    },
    updateLimits: (next) => {
      limits = { ...limits, ...next };
    },
    setReservePct: (reservePct) => {
      limits = { ...limits, reservePct };
    },
    onReconnect: (listener) => {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    refreshIntervalMs: profile.watchdog?.refreshMs,
    readState: () => exclusive(() => readInverterState(map, profile)),
    apply: (command) => {
      const generation = restoreGeneration;
      return exclusive(async () => {
        if (!MODES.includes(command.mode))
          throw new ModbusProfileError(`unknown mode '${String(command.mode)}'`);
        lastCommand = command;
        try {
          return await applyNow(command, [], generation);
        } finally {
          scheduleRefresh();
        }
      });
    },
    restoreSelfUse: () => {
      restoreGeneration += 1;
      return controller.apply({ mode: "self-use" });
    },
    keepAlive: () => {
      const generation = restoreGeneration;
      return exclusive(async () => {
        if (!lastCommand || lastCommand.mode === "self-use" || closed) return undefined;
        try {
          return await applyNow(lastCommand, profile.watchdog?.touch ?? [], generation);
        } finally {
          scheduleRefresh();
        }
      });
    },
    readRegisters: () => exclusive(() => readAllRegisters(map, profile)),
    close: async () => {
      closed = true;
      stopTimer();
      if (probeTimer !== undefined) clock.clearTimeout(probeTimer);
      probeTimer = undefined;
      await link.close();
    },
  };
  return controller;
}
