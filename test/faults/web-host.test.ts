// The page under DNS rebinding (issue 9, item 12): a request naming a host the server does not
// know gets 421 and no data, whatever the name; IP addresses, localhost and configured names are
// served; the loopback health check answers under any name, also in the add-on's ingress mode.
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, setLogSink } from "../../src/log.js";
import { startWebServer, type WebServerHandle } from "../../src/web/server.js";
import { knownState, NOW_MS } from "../web/plan-fixture.js";
import { recordFault } from "./record.js";

function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);
const domain = fc
  .tuple(
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.constantFrom("com", "example", "lan", "local", "io"),
  )
  .map(([labels, tld]) => [...labels, tld].join("."));
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

describe("Host header fuzzing", () => {
  let standalone: WebServerHandle;
  let ingress: WebServerHandle;
  let restore: () => void;
  beforeAll(async () => {
    restore = setLogSink(() => undefined);
    const log = createLogger("web-fault");
    standalone = await startWebServer({
      host: "127.0.0.1",
      port: 0,
      state: knownState(),
      nowMs: () => NOW_MS,
      allowedHosts: ["nas.lan"],
      log,
    });
    ingress = await startWebServer({
      host: "127.0.0.1",
      port: 0,
      state: knownState(),
      nowMs: () => NOW_MS,
      ingressOnly: true,
      log,
    });
  });
  afterAll(async () => {
    await standalone?.close();
    await ingress?.close();
    restore();
  });

  it("answers unknown names with 421 and no data, known ones with the plan", async () => {
    const cases = fc.sample(fc.tuple(domain, port), { numRuns: 150, seed: 20261201 });
    let survived = 0;
    for (const [name, p] of cases) {
      const host = p === undefined ? name : `${name}:${p}`;
      const known = name === "nas.lan" || name.endsWith(".localhost");
      const { status, body } = await get(standalone.port, "/api/plan", host);
      if (known ? status === 200 : status === 421 && !body.includes("planVersion")) survived += 1;
    }
    for (const host of ["127.0.0.1", "localhost:8099", "[::1]", "10.0.0.7:8099", "nas.lan:1234"]) {
      if ((await get(standalone.port, "/api/plan", host)).status === 200) survived += 1;
    }
    const tried = cases.length + 5;
    recordFault({ area: "web", fault: "fuzzed Host headers (DNS rebinding)", tried, survived });
    expect(survived).toBe(tried);
  });

  it("keeps the loopback health check reachable under any name", async () => {
    const names = fc.sample(domain, { numRuns: 30, seed: 7 });
    let survived = 0;
    for (const name of names) {
      const health = await get(ingress.port, "/healthz", name);
      const page = await get(ingress.port, "/api/status", name);
      if (health.status === 200 && page.status === 421) survived += 1;
    }
    recordFault({
      area: "web",
      fault: "loopback /healthz under unknown Host (ingress mode)",
      tried: names.length,
      survived,
    });
    expect(survived).toBe(names.length);
  });
});
