// Shared set-up for the Modbus tests: a fake device and a controller pointed at it, with no settle
// delay and a short timeout so that fault tests stay quick.
import { createModbusController, type ModbusController } from "../../../src/control/modbus/controller.js";
import type { Clock } from "../../../src/runtime/ports.js";
import {
  type FakeInverter,
  type FakeInverterOptions,
  startFakeInverter,
} from "../../../src/sim/modbus/fake-inverter.js";

export const LIMITS = { maxChargeW: 5000, maxDischargeW: 5000, reservePct: 10 };

export async function deviceAndController(
  options: FakeInverterOptions,
  extra: { unitId?: number; clock?: Clock; timeoutMs?: number; retries?: number } = {},
): Promise<{ fake: FakeInverter; controller: ModbusController }> {
  const fake = await startFakeInverter({ socPct: 50, capacityKwh: 10, ...options });
  const controller = createModbusController(
    {
      profile: options.profile,
      host: fake.host,
      port: fake.port,
      unit_id: extra.unitId,
      // Loopback answers in microseconds; the margin is for a loaded CI machine, not the device.
      timeout_ms: extra.timeoutMs ?? 5000,
      gap_ms: 0,
      connect_delay_ms: 0,
      settle_ms: 0,
      verify_retries: extra.retries ?? 2,
      limits: LIMITS,
    },
    extra.clock ? { clock: extra.clock } : {},
  );
  return { fake, controller };
}

/** A clock whose timers run only when the test says so. */
export function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: { at: number; callback: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    nowMs: () => now,
    setTimeout: (callback, delayMs) => {
      const id = nextId++;
      timers.push({ at: now + delayMs, callback, id });
      return id;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.callback();
    },
    pending: () => timers.length,
  };
}

/** Holding-register changes between two snapshots, as "unit:address" → new value. */
export function changes(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const changed = new Map<string, number>();
  for (const [key, value] of after) if (before.get(key) !== value) changed.set(key, value);
  return changed;
}
