// One Modbus connection per device, used strictly one request at a time with a gap between
// requests (many loggers and dongles fail when pipelined or hammered). A transport failure throws
// the client away; the next request builds a new one, which is the only reconnect modbus-serial
// does reliably. Library errors become our typed errors here and nowhere else.
import modbusSerial from "modbus-serial";
import { errorMessage } from "../../errors.js";
import { createLogger } from "../../log.js";
import { ModbusConnectionError, ModbusExceptionError } from "./errors.js";

const log = createLogger("modbus");

// The package is CommonJS: Node hands us module.exports, whose `default` is the client class.
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

export interface ModbusLinkOptions {
  host?: string | undefined;
  port: number;
  /** Modbus RTU over this serial device instead of TCP. */
  serialPort?: string | undefined;
  baudRate?: number;
  timeoutMs: number;
  /** Quiet time between the end of one request and the start of the next. */
  gapMs: number;
  /** Quiet time after a new connection before its first request. */
  connectDelayMs?: number;
}

export type RegisterTable = "holding" | "input";

export interface ModbusLink {
  readRegisters(unitId: number, table: RegisterTable, address: number, count: number): Promise<number[]>;
  writeRegisters(unitId: number, address: number, words: readonly number[]): Promise<void>;
  close(): Promise<void>;
  /** Requests sent since creation (for diagnostics). */
  readonly requestCount: number;
  /** The last request reached the device (an exception answer counts: the device is there). */
  readonly reachable: boolean;
}

// modbus-serial rejects with plain objects ({ name, message, errno }) as well as Errors.
function libraryMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : errorMessage(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createModbusLink(options: ModbusLinkOptions): ModbusLink {
  const where = options.serialPort ?? `${options.host}:${options.port}`;
  let client: ModbusRTU | undefined;
  const closings = new WeakMap<ModbusRTU, Promise<never>>();
  let queue: Promise<unknown> = Promise.resolve();
  let lastEndMs = 0;
  let requestCount = 0;
  let reachable = true;
  let closed = false;

  const drop = () => {
    const old = client;
    client = undefined;
    if (!old) return;
    try {
      old.close(() => {});
    } catch {
      // already gone
    }
  };

  const connect = async (): Promise<ModbusRTU> => {
    if (client?.isOpen) return client;
    drop();
    const fresh = new ModbusRTU();
    fresh.setTimeout(options.timeoutMs);
    // An 'error' without a listener would crash the process; the failing request reports it.
    fresh.on("error", (error: unknown) => log.debug(`${where}: ${errorMessage(error)}`));
    // Notice a dropped connection now: forget the client, and fail the request waiting on it
    // instead of letting it sit out its timeout (modbus-serial keeps it pending).
    const closedByDevice = new Promise<never>((_, reject) => {
      fresh.on("close", () => {
        if (client === fresh) client = undefined;
        reject(new Error("connection closed by the device"));
      });
    });
    closedByDevice.catch(() => undefined);
    closings.set(fresh, closedByDevice);
    const connecting = options.serialPort
      ? fresh.connectRTUBuffered(options.serialPort, { baudRate: options.baudRate ?? 9600 })
      : fresh.connectTCP(options.host ?? "127.0.0.1", { port: options.port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`connect timed out after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    try {
      await Promise.race([connecting, timeout]);
    } catch (error) {
      try {
        fresh.close(() => {});
      } catch {
        // never opened
      }
      throw new ModbusConnectionError(`cannot connect to ${where}: ${libraryMessage(error)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    log.debug(`connected to ${where}`);
    if (options.connectDelayMs) await sleep(options.connectDelayMs);
    client = fresh;
    return fresh;
  };

  const once = async <T>(request: string, unitId: number, send: (c: ModbusRTU) => Promise<T>): Promise<T> => {
    const c = await connect();
    c.setID(unitId);
    requestCount += 1;
    try {
      const closing = closings.get(c);
      return await (closing ? Promise.race([send(c), closing]) : send(c));
    } catch (error) {
      const code = (error as { modbusCode?: unknown }).modbusCode;
      if (typeof code === "number")
        throw new ModbusExceptionError(code, `${where} ${request}`, { cause: error });
      drop();
      throw new ModbusConnectionError(`${where} ${request}: ${libraryMessage(error)}`, { cause: error });
    }
  };

  const run = <T>(request: string, unitId: number, send: (c: ModbusRTU) => Promise<T>): Promise<T> => {
    const task = async () => {
      if (closed) throw new ModbusConnectionError(`${where}: link closed`);
      const wait = lastEndMs + options.gapMs - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        const result = await once(request, unitId, send);
        reachable = true;
        return result;
      } catch (error) {
        // One fresh connection per request: a device that dropped us (restart, one-client limit
        // taken over) usually answers the retry; if not, the caller sees the typed error.
        if (!(error instanceof ModbusConnectionError)) {
          reachable = true;
          throw error;
        }
        log.info(`${error.message}; reconnecting`);
        await sleep(options.gapMs);
        try {
          const result = await once(request, unitId, send);
          reachable = true;
          return result;
        } catch (retryError) {
          reachable = !(retryError instanceof ModbusConnectionError);
          throw retryError;
        }
      } finally {
        lastEndMs = Date.now();
      }
    };
    const result = queue.then(task, task);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    get requestCount() {
      return requestCount;
    },
    get reachable() {
      return reachable;
    },
    readRegisters: (unitId, table, address, count) =>
      run(`read ${table} ${address}+${count} (unit ${unitId})`, unitId, async (c) => {
        const result =
          table === "holding"
            ? await c.readHoldingRegisters(address, count)
            : await c.readInputRegisters(address, count);
        return result.data;
      }),
    writeRegisters: (unitId, address, words) =>
      run(`write ${address}=[${words.join(",")}] (unit ${unitId})`, unitId, async (c) => {
        // Function 6 for one word: some loggers (and older Victron firmware) reject 16 for a single register.
        if (words.length === 1) await c.writeRegister(address, words[0] ?? 0);
        else await c.writeRegisters(address, [...words]);
      }),
    close: async () => {
      closed = true;
      await queue;
      drop();
    },
  };
}
