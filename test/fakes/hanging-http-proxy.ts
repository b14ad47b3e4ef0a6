// A loopback HTTP relay in front of the HA simulator that a test can make stop answering: REST
// requests are then held open forever (an HA whose REST API hangs behind a proxy), while the
// websocket keeps working; or as down (every request and upgrade refused with 502, as the
// Supervisor's proxy answers while HA restarts) until it is up again.
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";

export interface HangingHttpProxy {
  url: string;
  /** From now on, REST requests are accepted and never answered. */
  hangRest(): void;
  /** Refuse everything with 502 (true) or relay again (false). */
  setDown(down: boolean): void;
  /** REST requests still waiting for an answer. */
  readonly heldRequests: number;
  close(): Promise<void>;
}

export async function startHangingHttpProxy(
  targetPort: number,
  targetHost = "127.0.0.1",
): Promise<HangingHttpProxy> {
  let hang = false;
  let down = false;
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (down) {
      res.writeHead(502);
      res.end();
      return;
    }
    if (hang) {
      held.add(res);
      res.on("close", () => held.delete(res));
      req.resume();
      return;
    }
    const upstream = request(
      { host: targetHost, port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (down) {
      client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      return;
    }
    const upstream = connect(targetPort, targetHost, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hangRest: () => {
      hang = true;
    },
    setDown: (value) => {
      down = value;
    },
    get heldRequests() {
      return held.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
