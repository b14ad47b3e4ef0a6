// The Supervisor's Home Assistant proxy as an add-on sees it: http://supervisor/core/api/… and
// ws://supervisor/core/websocket, in front of the HA simulator. Lets the rehearsal run the image
// with SUPERVISOR_TOKEN, the way the add-on really starts, instead of HA_URL.
import { createServer, request } from "node:http";
import { connect } from "node:net";

export interface SupervisorProxy {
  port: number;
  close(): Promise<void>;
}

/** /core/api/x → /api/x, /core/websocket → /api/websocket; anything else is not the proxy. */
export function haPath(path: string): string | undefined {
  if (path === "/core/websocket") return "/api/websocket";
  if (path.startsWith("/core/api/") || path === "/core/api") return path.slice("/core".length);
  return undefined;
}

export async function startSupervisorProxy(haUrl: string, port: number): Promise<SupervisorProxy> {
  const target = new URL(haUrl);
  const tunnels = new Set<{ destroy(): void }>();
  const server = createServer((req, res) => {
    const path = haPath(req.url ?? "");
    if (!path) {
      res.writeHead(404).end();
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("upgrade", (req, socket, head) => {
    const path = haPath(req.url ?? "");
    if (!path) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        headers.push(`${name}: ${name.toLowerCase() === "host" ? target.host : req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${req.method} ${path} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      tunnels.delete(socket);
    };
    tunnels.add(socket);
    upstream.on("error", drop);
    socket.on("error", drop);
    upstream.on("close", drop);
    socket.on("close", drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
