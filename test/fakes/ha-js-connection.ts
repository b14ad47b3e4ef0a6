// A connection to the HA simulator through home-assistant-js-websocket, the library HA's own
// frontend uses: tests that check the simulator answers as HA does ask through it, not through
// the add-on's client. The socket comes from the add-on's openHaSocket (Node has no browser
// WebSocket for the library to open one itself).
import { type Connection, createConnection } from "home-assistant-js-websocket";
import { openHaSocket } from "../../src/ha/ws-socket.js";

export function connectHaJs(simUrl: string, token: string): Promise<Connection> {
  return createConnection({
    createSocket: async () =>
      (await openHaSocket({
        wsUrl: `${simUrl.replace("http", "ws")}/api/websocket`,
        token,
        tokenSource: "HA_TOKEN",
        handshakeTimeoutMs: 5_000,
        authTimeoutMs: 5_000,
      })) as never,
  });
}
