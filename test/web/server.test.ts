import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, setLogSink } from "../../src/log.js";
import { startWebServer, type WebServerHandle } from "../../src/web/server.js";
import type { WebState } from "../../src/web/state.js";
import { knownState, NOW_MS } from "./plan-fixture.js";

const log = createLogger("web-test");
let handle: WebServerHandle | undefined;
let restoreSink: (() => void) | undefined;
const lines: string[] = [];

async function start(
  state: WebState = knownState(),
  extra: { ingressOnly?: boolean; allowed?: string[]; allowedHosts?: string[] } = {},
) {
  restoreSink = setLogSink((line) => lines.push(line));
  handle = await startWebServer({
    host: "127.0.0.1",
    port: 0,
    state,
    nowMs: () => NOW_MS,
    log,
    ...(extra.ingressOnly === undefined ? {} : { ingressOnly: extra.ingressOnly }),
    ...(extra.allowed === undefined ? {} : { allowedAddresses: extra.allowed }),
    ...(extra.allowedHosts === undefined ? {} : { allowedHosts: extra.allowedHosts }),
  });
  return handle.url;
}

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  restoreSink?.();
  lines.length = 0;
});

describe("web server", () => {
  it("serves the plan as chart-ready JSON", async () => {
    const url = await start();
    const body = (await (await fetch(`${url}api/plan`)).json()) as {
      plan: { planVersion: number; currentMode: string };
    };
    expect(body.plan).toMatchObject({ planVersion: 7, currentMode: "charge" });
  });

  it("answers plan: null before the first plan exists", async () => {
    const url = await start(knownState({ getPlan: () => undefined }));
    expect(await (await fetch(`${url}api/plan`)).json()).toEqual({ plan: null });
  });

  it("serves the status with the runtime's now", async () => {
    const url = await start();
    const status = (await (await fetch(`${url}api/status`)).json()) as { state: string; nowMs: number };
    expect(status).toMatchObject({ state: "ok", nowMs: NOW_MS });
  });

  it("serves the scored days, their money in the home's currency", async () => {
    const url = await start({ ...knownState(), currency: "EUR" });
    const body = (await (await fetch(`${url}api/day-scores`)).json()) as {
      days: { latest: { lines: { value: string }[] }; recent: unknown[] };
    };
    expect(body.days.latest.lines[0]?.value).toBe("€1.20");
    expect(body.days.recent).toHaveLength(2);
  });

  it("serves no day scored yet where the state has no days (the setup-only page)", async () => {
    const { getDayScores: _, ...setupOnly } = knownState();
    const url = await start(setupOnly);
    const body = (await (await fetch(`${url}api/day-scores`)).json()) as { days: { empty?: string } };
    expect(body.days.empty).toContain("after the first full day");
  });

  it("serves uPlot from the installed package", async () => {
    const url = await start();
    const response = await fetch(`${url}uplot.js`);
    expect(response.headers.get("content-type")).toContain("javascript");
    expect(await response.text()).toContain("uPlot");
  });

  it("uses only relative URLs in the page and pins the base to a valid ingress path", async () => {
    const url = await start();
    const plain = await (await fetch(url)).text();
    expect(plain).not.toMatch(/(src|href)="\//);
    expect(plain).not.toContain("<base");
    const behindIngress = await (
      await fetch(url, { headers: { "x-ingress-path": "/api/hassio_ingress/abc123" } })
    ).text();
    expect(behindIngress).toContain('<base href="/api/hassio_ingress/abc123/" />');
  });

  it("serves a page script that parses as plain JavaScript", async () => {
    const url = await start();
    const script = await (await fetch(`${url}app.js`)).text();
    // Compiles only; running it needs a browser (see page.browser.test.ts).
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain("var __name");
  });

  it("answers 500 and keeps serving when the runtime throws", async () => {
    const url = await start(
      knownState({
        getJobRuns: () => {
          throw new Error("journal closed");
        },
      }),
    );
    expect((await fetch(`${url}api/jobs`)).status).toBe(500);
    expect(lines.some((line) => line.includes("journal closed"))).toBe(true);
    expect((await fetch(`${url}api/status`)).status).toBe(200);
  });

  it("refuses writes and unknown paths", async () => {
    const url = await start();
    expect((await fetch(`${url}api/plan`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${url}etc/passwd`)).status).toBe(404);
  });
});

describe("ingress only", () => {
  it("lets loopback in for the health check", async () => {
    const url = await start(knownState(), { ingressOnly: true });
    const response = await fetch(`${url}healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, state: "ok" });
  });

  it("refuses a peer that is not the ingress proxy with 403", async () => {
    // Only the proxy's address is allowed, so this test's loopback connection is a foreign peer.
    const url = await start(knownState(), { ingressOnly: true, allowed: ["172.30.32.2"] });
    const response = await fetch(`${url}api/plan`);
    expect(response.status).toBe(403);
    expect(lines.some((line) => line.includes("refused GET /api/plan from 127.0.0.1"))).toBe(true);
  });

  it("does not filter peers outside the add-on", async () => {
    const url = await start(knownState(), { ingressOnly: false, allowed: ["172.30.32.2"] });
    expect((await fetch(`${url}api/plan`)).status).toBe(200);
  });
});

/** A GET with a Host header of our choosing (fetch does not let a test set Host). */
function getWithHost(url: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(url);
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Host header (DNS rebinding)", () => {
  it("answers a name it does not know with 421 and one log line", async () => {
    const url = await start();
    expect(await getWithHost(url, "/api/plan", "evil.example")).toBe(421);
    expect(await getWithHost(url, "/", "evil.example:8099")).toBe(421);
    expect(lines.filter((l) => l.includes('for Host "evil.example"'))).toHaveLength(1);
  });

  it("answers IP addresses, localhost and configured names", async () => {
    const url = await start(knownState(), { allowedHosts: ["nas.lan"] });
    for (const host of ["127.0.0.1", "localhost:8099", "[::1]:8099", "192.168.1.5:8099", "nas.lan:8099"]) {
      expect(await getWithHost(url, "/api/plan", host), host).toBe(200);
    }
  });

  it("keeps /healthz reachable on loopback whatever the name", async () => {
    const url = await start(knownState(), { ingressOnly: true });
    expect(await getWithHost(url, "/healthz", "addon_local_battery_planner:8099")).toBe(200);
    expect(await getWithHost(url, "/api/plan", "addon_local_battery_planner:8099")).toBe(421);
  });
});
