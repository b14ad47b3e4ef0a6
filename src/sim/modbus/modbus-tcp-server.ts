// A minimal Modbus TCP server on node:net, written from the protocol (MBAP header + PDU) rather than
// with modbus-serial's server, so that the client is tested against an independent implementation
// and so that faults (dropped connections, one-client devices, exceptions, acknowledged writes that
// are not applied) can be injected where real devices show them.
import { createServer, type Server, type Socket } from "node:net";

export interface RegisterBank {
  holding: Map<number, number>;
  input: Map<number, number>;
  /** Holding addresses a client may write. */
  writable: Set<number>;
}

export function emptyBank(): RegisterBank {
  return { holding: new Map(), input: new Map(), writable: new Set() };
}

export interface ServerFaults {
  /** Writes here are acknowledged and then silently not applied. */
  ignoreWritesTo: Set<number>;
  /** Any request touching these addresses is answered with this exception code. */
  exceptions: Map<number, number>;
  /** Connections beyond this many are closed as soon as they open. */
  maxClients: number;
  /** Never answer (the client times out). */
  silent: boolean;
  /** Answer after this long (a slow logger), so that pipelined requests would overlap. */
  replyDelayMs: number;
}

export interface WriteEvent {
  unitId: number;
  address: number;
  values: number[];
}

export interface FakeModbusServer {
  readonly host: string;
  readonly port: number;
  readonly banks: Map<number, RegisterBank>;
  readonly faults: ServerFaults;
  readonly writes: WriteEvent[];
  /** Connections accepted so far (rejected ones included). */
  readonly connectionCount: number;
  readonly openConnections: number;
  /** Most requests ever waiting for an answer at once, over all connections. */
  readonly maxInFlight: number;
  /** Called after a write was stored (device semantics: watchdogs, derived registers). */
  onWrite?: (event: WriteEvent) => void;
  dropConnections(): void;
  close(): Promise<void>;
}

const GATEWAY_TARGET_FAILED = 11;

export async function startModbusServer(
  banks: Map<number, RegisterBank>,
  options: { port?: number; maxClients?: number } = {},
): Promise<FakeModbusServer> {
  const sockets = new Set<Socket>();
  let connectionCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const state: FakeModbusServer = {
    host: "127.0.0.1",
    port: 0,
    banks,
    faults: {
      ignoreWritesTo: new Set(),
      exceptions: new Map(),
      maxClients: options.maxClients ?? 16,
      silent: false,
      replyDelayMs: 0,
    },
    writes: [],
    get connectionCount() {
      return connectionCount;
    },
    get openConnections() {
      return sockets.size;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        state.dropConnections();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((socket) => {
    connectionCount += 1;
    if (sockets.size >= state.faults.maxClients) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 7) {
        const length = buffer.readUInt16BE(4);
        if (buffer.length < 6 + length) break;
        const frame = buffer.subarray(0, 6 + length);
        buffer = buffer.subarray(6 + length);
        if (state.faults.silent) continue;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const answer = () => {
          inFlight -= 1;
          const reply = handle(frame);
          if (!socket.destroyed) socket.write(reply);
        };
        if (state.faults.replyDelayMs > 0) setTimeout(answer, state.faults.replyDelayMs);
        else answer();
      }
    });
  });

  const handle = (frame: Buffer): Buffer => {
    const transaction = frame.readUInt16BE(0);
    const unitId = frame.readUInt8(6);
    const pdu = frame.subarray(7);
    const fc = pdu.readUInt8(0);
    const answer = (body: Buffer) => {
      const head = Buffer.alloc(7);
      head.writeUInt16BE(transaction, 0);
      head.writeUInt16BE(0, 2);
      head.writeUInt16BE(body.length + 1, 4);
      head.writeUInt8(unitId, 6);
      return Buffer.concat([head, body]);
    };
    const exception = (code: number) => answer(Buffer.from([fc | 0x80, code]));
    const bank = banks.get(unitId);
    if (!bank) return exception(GATEWAY_TARGET_FAILED);
    const faulted = (address: number, count: number) => {
      for (let a = address; a < address + count; a += 1) {
        const code = state.faults.exceptions.get(a);
        if (code !== undefined) return code;
      }
      return undefined;
    };
    if (fc === 3 || fc === 4) {
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > 125) return exception(3);
      const injected = faulted(address, count);
      if (injected !== undefined) return exception(injected);
      const table = fc === 3 ? bank.holding : bank.input;
      const body = Buffer.alloc(2 + count * 2);
      body.writeUInt8(fc, 0);
      body.writeUInt8(count * 2, 1);
      for (let i = 0; i < count; i += 1) {
        const value = table.get(address + i);
        if (value === undefined) return exception(2);
        body.writeUInt16BE(value & 0xffff, 2 + i * 2);
      }
      return answer(body);
    }
    if (fc === 6 || fc === 16) {
      const address = pdu.readUInt16BE(1);
      const values: number[] = [];
      if (fc === 6) values.push(pdu.readUInt16BE(3));
      else {
        const count = pdu.readUInt16BE(3);
        for (let i = 0; i < count; i += 1) values.push(pdu.readUInt16BE(6 + i * 2));
      }
      const injected = faulted(address, values.length);
      if (injected !== undefined) return exception(injected);
      for (let i = 0; i < values.length; i += 1) if (!bank.writable.has(address + i)) return exception(2);
      const event = { unitId, address, values };
      state.writes.push(event);
      values.forEach((value, i) => {
        if (!state.faults.ignoreWritesTo.has(address + i)) bank.holding.set(address + i, value);
      });
      state.onWrite?.(event);
      return answer(fc === 6 ? pdu.subarray(0, 5) : pdu.subarray(0, 5));
    }
    return exception(1);
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  (state as { port: number }).port = typeof address === "object" && address ? address.port : 0;
  return state;
}
