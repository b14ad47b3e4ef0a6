// A stand-in for HA's ingress: serves the add-on under /api/hassio_ingress/<token>/, strips the
// prefix, adds X-Ingress-Path, and records every request that escaped the prefix (an absolute URL
// in the page would show up there).
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface IngressProxy {
  pageUrl: string;
  escaped: string[];
  close(): Promise<void>;
}

export async function startIngressProxy(targetPort: number, token = "abc123"): Promise<IngressProxy> {
  const prefix = `/api/hassio_ingress/${token}`;
  const escaped: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (!url.startsWith(`${prefix}/`)) {
      escaped.push(url);
      res.writeHead(404).end();
      return;
    }
    const upstream = request(
      {
        host: "127.0.0.1",
        port: targetPort,
        method: req.method,
        path: url.slice(prefix.length),
        headers: { ...req.headers, "x-ingress-path": prefix },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    pageUrl: `http://127.0.0.1:${port}${prefix}/`,
    escaped,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
