// Opens one authenticated websocket to HA with the `ws` package, in the shape
// home-assistant-js-websocket's Connection expects from its `createSocket` option (an object with
// addEventListener/send/close/readyState and `haVersion`). The library's own createSocket needs a
// browser WebSocket global and derives the URL from an OAuth Auth object; the add-on has a token
// and, behind the Supervisor, a URL (ws://supervisor/core/websocket) that scheme cannot express.
import { WebSocket } from "ws";
import { HaAuthError, HaUnreachableError } from "./errors.js";

export interface SocketOptions {
  wsUrl: string;
  token: string;
  tokenSource: string;
  /** From opening TCP to the websocket upgrade. */
  handshakeTimeoutMs: number;
  /** From the upgrade to auth_ok. */
  authTimeoutMs: number;
}

export type HaSocket = WebSocket & { haVersion: string };

// HA sends supported_features-capable versions from 2022.9 on; the id is always 1.
function atLeast(version: string, year: number, month: number): boolean {
  const [y = 0, m = 0] = version.split(".").map((part) => Number.parseInt(part, 10));
  return y > year || (y === year && m >= month);
}

export function openHaSocket(options: SocketOptions): Promise<HaSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(options.wsUrl, { handshakeTimeout: options.handshakeTimeoutMs });
    let settled = false;
    let authTimer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(authTimer);
      socket.removeAllListeners();
      socket.on("error", () => undefined);
      socket.terminate();
      reject(error);
    };
    socket.on("open", () => {
      authTimer = setTimeout(
        () =>
          fail(new HaUnreachableError(options.wsUrl, `no auth answer within ${options.authTimeoutMs} ms`)),
        options.authTimeoutMs,
      );
    });
    socket.on("unexpected-response", (_req, res) =>
      fail(new HaUnreachableError(options.wsUrl, `HTTP ${res.statusCode} instead of a websocket`)),
    );
    socket.on("error", (error) =>
      fail(new HaUnreachableError(options.wsUrl, error.message, { cause: error })),
    );
    socket.on("close", () => fail(new HaUnreachableError(options.wsUrl, "closed during the handshake")));
    socket.on("message", (raw) => {
      let message: { type?: string; ha_version?: string; message?: string };
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return fail(new HaUnreachableError(options.wsUrl, "the server does not speak HA's protocol"));
      }
      if (message.type === "auth_required") {
        socket.send(JSON.stringify({ type: "auth", access_token: options.token }));
      } else if (message.type === "auth_invalid") {
        fail(new HaAuthError(options.tokenSource, message.message ?? "auth_invalid"));
      } else if (message.type === "auth_ok") {
        settled = true;
        clearTimeout(authTimer);
        socket.removeAllListeners();
        const haSocket = socket as HaSocket;
        haSocket.haVersion = message.ha_version ?? "0.0.0";
        if (atLeast(haSocket.haVersion, 2022, 9)) {
          socket.send(
            JSON.stringify({ type: "supported_features", id: 1, features: { coalesce_messages: 1 } }),
          );
        }
        // A stray error after auth must not crash the process; the close that follows is handled
        // by the library's Connection.
        socket.on("error", () => undefined);
        resolve(haSocket);
      }
    });
  });
}
