// The REST sensors through a REST outage (issue 9, item 12): HA's REST API answers 500 or hangs
// for a while, then recovers; every sensor the add-on changed meanwhile must be in HA within the
// publisher's retry bound of the API answering again, with nothing else published to push it.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connectHa, type HaConnection } from "../../src/ha/connection.js";
import { createRestPublisher, REST_RETRY_MAX_MS } from "../../src/ha/publish/rest-publisher.js";
import { setLogSink } from "../../src/log.js";
import { type RuntimeStatus, systemClock } from "../../src/runtime/ports.js";
import { type HaSim, startHaSim } from "../../src/sim/ha/index.js";
import { recordFault, timeUntil } from "./record.js";

type Mode = "pass" | "500" | "hang";

/** An HTTP relay in front of the simulator's REST API that can fail on demand. */
async function startRestRelay(targetPort: number) {
  let mode: Mode = "pass";
  let failed = 0;
  const hanging = new Set<import("node:http").ServerResponse>();
  const server: Server = createServer((req, res) => {
    if (mode === "500") {
      failed += 1;
      req.resume();
      res.writeHead(500, { "content-type": "text/plain" }).end("500: Internal Server Error");
      return;
    }
    if (mode === "hang") {
      failed += 1;
      req.resume();
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    const upstream = request(
      { host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(next: Mode) {
      mode = next;
      if (next !== "hang") for (const res of hanging) res.destroy();
    },
    failed: () => failed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const WRITE_TIMEOUT_MS = 2_000;
const OUTAGE_MS = 4_000;

describe("HA REST outage", () => {
  let sim: HaSim | undefined;
  let ha: HaConnection | undefined;
  let relay: Awaited<ReturnType<typeof startRestRelay>> | undefined;
  let restore: (() => void) | undefined;
  afterEach(async () => {
    await ha?.close();
    await relay?.close();
    await sim?.close();
    restore?.();
  });

  it.each(["500", "hang"] as const)(
    "REST %s, then recovery: sensors current within the bound",
    async (mode) => {
      const lines: string[] = [];
      restore = setLogSink((line) => lines.push(line));
      sim = await startHaSim({ token: "rest-outage" });
      relay = await startRestRelay(sim.port);
      ha = await connectHa({
        wsUrl: sim.url.replace(/^http/, "ws") + "/api/websocket",
        restUrl: `${relay.url}/api`,
        token: sim.token,
        tokenSource: "HA_TOKEN",
        connectAttempts: 1,
      });
      const publisher = createRestPublisher({
        ha,
        clock: systemClock,
        timeZone: "Europe/London",
        currency: "GBP",
        writeTimeoutMs: WRITE_TIMEOUT_MS,
      });
      const status = (reason: string): RuntimeStatus => ({
        state: "ok",
        reason,
        controlEnabled: true,
        updatedAtMs: Date.now(),
      });
      await publisher.publishStatus(status("before the outage"));
      expect(sim.getState("sensor.battery_planner_status")?.attributes.reason).toBe("before the outage");

      relay.set(mode);
      await publisher.publishStatus(status("during the outage"));
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      const failedDuring = relay.failed();
      relay.set("pass");
      const recoveredAtMs = Date.now();
      const boundMs = REST_RETRY_MAX_MS + WRITE_TIMEOUT_MS + 1_000;
      const recoveryMs = await timeUntil(
        () => sim?.getState("sensor.battery_planner_status")?.attributes.reason === "during the outage",
        boundMs + 5_000,
        recoveredAtMs,
      );
      await publisher.close();
      recordFault({
        area: "ha",
        fault: `REST API ${mode === "500" ? "answers 500" : "hangs"} for ${OUTAGE_MS / 1000} s, then recovers`,
        tried: 1,
        survived: recoveryMs <= boundMs ? 1 : 0,
        recoveryMs,
        boundMs,
      });
      expect(recoveryMs).toBeLessThanOrEqual(boundMs);
      // Retried during the outage, one request at a time, and said so once.
      expect(failedDuring).toBeGreaterThanOrEqual(2);
      expect(lines.filter((l) => l.includes("retrying until the REST API answers"))).toHaveLength(1);
      expect(lines.some((l) => l.includes("REST API answers again"))).toBe(true);
    },
  );
});
