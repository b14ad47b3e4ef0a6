// The ingress server: one page, its JSON and its static files, on node:http. In the add-on only
// the Supervisor's ingress proxy (and loopback, for the health check) may connect. Every other
// request must name a host the server knows (access.ts: DNS rebinding), else 421.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import {
  INGRESS_ALLOWED_ADDRESSES,
  INGRESS_PROXY_ADDRESS,
  ingressBasePath,
  isAllowedHost,
  isAllowedPeer,
  isLoopbackPeer,
  normaliseAddress,
} from "./access.js";
import { isVendorAsset, loadVendorAsset } from "./assets.js";
import { dayScoresView } from "./day-score-view.js";
import { renderClientScript, renderIndexHtml } from "./page/html.js";
import { PAGE_CSS } from "./page/style.js";
import type { WebState } from "./state.js";
import { jobRunsView, planView, statusView } from "./view.js";

export interface WebServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  state: WebState;
  /** In the add-on: refuse every peer but the ingress proxy and loopback. */
  ingressOnly?: boolean;
  /** Overrides the peers `ingressOnly` lets in (tests). */
  allowedAddresses?: readonly string[];
  /** Host names the page may be opened by besides IP addresses and localhost (e.g. "nas.lan"). */
  allowedHosts?: readonly string[];
  /** The runtime's clock, so that an accelerated demo shows its own "now". */
  nowMs?: () => number;
  /** The home's IANA zone; times on the page are shown in it (default: the browser's). */
  timeZone?: string;
  log: Logger;
}

export interface WebServerHandle {
  port: number;
  url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'",
};

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  cache = false,
) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": contentType,
    "cache-control": cache ? "public, max-age=3600" : "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

export function startWebServer(options: WebServerOptions): Promise<WebServerHandle> {
  const { state, log } = options;
  const now = options.nowMs ?? Date.now;
  const allowed = options.allowedAddresses ?? INGRESS_ALLOWED_ADDRESSES;
  const allowedHosts = [options.host, ...(options.allowedHosts ?? [])];
  const refusedHosts = new Set<string>();
  const clientScript = renderClientScript();

  /** The Supervisor's proxy names the add-on by whatever address it has on the hassio network and
   * is no browser; a loopback health check may ask for /healthz by any name. Everyone else must
   * name a known host. */
  const hostAccepted = (req: IncomingMessage, path: string): boolean => {
    const peer = req.socket.remoteAddress;
    if (options.ingressOnly && normaliseAddress(peer) === INGRESS_PROXY_ADDRESS) return true;
    if (path === "/healthz" && isLoopbackPeer(peer)) return true;
    return isAllowedHost(req.headers.host, allowedHosts);
  };

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    switch (path) {
      case "/":
      case "/index.html":
        return send(
          res,
          200,
          "text/html; charset=utf-8",
          renderIndexHtml(ingressBasePath(req.headers["x-ingress-path"]), options.timeZone),
        );
      case "/app.js":
        return send(res, 200, "text/javascript; charset=utf-8", clientScript);
      case "/style.css":
        return send(res, 200, "text/css; charset=utf-8", PAGE_CSS);
      case "/api/status": {
        return sendJson(res, 200, statusView(state.getStatus(), now(), state.currency));
      }
      case "/api/plan": {
        const stored = state.getPlan();
        return sendJson(res, 200, { plan: stored ? planView(stored, state.getSocHistory(), now()) : null });
      }
      case "/api/day-scores":
        return sendJson(res, 200, {
          days: dayScoresView(state.getDayScores?.() ?? [], now(), options.timeZone, state.currency),
        });
      case "/api/setup":
        return sendJson(res, 200, { setup: state.setup ?? null });
      case "/api/jobs":
        return sendJson(res, 200, { runs: jobRunsView(state.getJobRuns(), now()) });
      case "/healthz":
        return sendJson(res, 200, { ok: true, state: state.getStatus().state });
    }
    const name = path.slice(1);
    if (isVendorAsset(name)) {
      const asset = await loadVendorAsset(name);
      return send(res, 200, asset.contentType, asset.body, true);
    }
    sendJson(res, 404, { error: "not found" });
  }

  const server = createServer((req, res) => {
    const peer = req.socket.remoteAddress;
    if (options.ingressOnly && !isAllowedPeer(peer, allowed)) {
      log.warn(`refused ${req.method} ${req.url} from ${peer}: only Home Assistant's ingress may connect`);
      sendJson(res, 403, { error: "forbidden: open this page through Home Assistant" });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendJson(res, 405, { error: "method not allowed" });
      return;
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (!hostAccepted(req, path)) {
      const host = String(req.headers.host ?? "").slice(0, 100);
      // One line per unknown name: a rebinding page retries and must not flood the log.
      if (!refusedHosts.has(host) && refusedHosts.size < 50) {
        refusedHosts.add(host);
        log.warn(
          `refused ${req.method} ${path} for Host ${JSON.stringify(host)}: not a name this page is served ` +
            "under (open it by IP address or localhost, or add the name to the allowed hosts)",
        );
      }
      sendJson(res, 421, { error: "misdirected request: unknown Host" });
      return;
    }
    route(req, res, path).catch((error: unknown) => {
      log.error(`${req.method} ${path} failed: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "internal error, see the add-on log" });
      else res.destroy();
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      server.on("error", (error) => log.error(`web server: ${error.message}`));
      const port = (server.address() as AddressInfo).port;
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}/`;
      log.info(`plan page on ${url}${options.ingressOnly ? " (ingress only)" : ""}`);
      resolve({
        port,
        url,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
