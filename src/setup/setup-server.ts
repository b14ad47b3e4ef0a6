// The page the add-on shows while its options are incomplete: what it found in Home Assistant,
// what is still to set, and the options to paste. It keeps the add-on running (and its health
// check green) so the user reads this in the sidebar instead of a stopped add-on's log.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { INGRESS_ALLOWED_ADDRESSES, isAllowedPeer } from "../web/access.js";
import type { SetupReport } from "./render.js";

export interface SetupServerHandle {
  port: number;
  close(): Promise<void>;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

export function renderSetupPage(report: SetupReport, problem: string): string {
  const items = (lines: readonly string[]) => lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Battery Planner — setup</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:60rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}
.missing{color:#a40000}</style></head><body>
<h1>Battery Planner needs a few options</h1>
<p class="missing">${escapeHtml(problem)}</p>
<h2>Found in Home Assistant</h2><ul>${items(report.lines)}</ul>
<h2>Still to set</h2><ul class="missing">${items(report.missing)}</ul>
<h2>Options to paste</h2>
<p>Configuration tab → ⋮ → Edit in YAML, paste, fill what is still to set, save, restart the add-on.</p>
<pre>${escapeHtml(report.yaml)}</pre></body></html>`;
}

export async function startSetupServer(options: {
  host: string;
  port: number;
  ingressOnly: boolean;
  report: SetupReport;
  problem: string;
}): Promise<SetupServerHandle> {
  const html = renderSetupPage(options.report, options.problem);
  const server = createServer((req, res) => {
    if (options.ingressOnly && !isAllowedPeer(req.socket.remoteAddress, INGRESS_ALLOWED_ADDRESSES)) {
      res.writeHead(403).end();
      return;
    }
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.endsWith("/healthz")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "setup", missing: options.report.missing }));
    } else if (path.endsWith("/api/setup")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ problem: options.problem, ...options.report }));
    } else {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "x-content-type-options": "nosniff" });
      res.end(html);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
