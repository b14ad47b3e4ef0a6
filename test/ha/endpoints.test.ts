import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { connectHa } from "../../src/ha/connection.js";
import { endpointsFromBaseUrl, endpointsFromEnv } from "../../src/ha/endpoints.js";
import { HaUnreachableError } from "../../src/ha/errors.js";
import { createLogger, redactSecrets, setLogSink } from "../../src/log.js";
import { startHaSim } from "../../src/sim/ha/index.js";

describe("where Home Assistant is", () => {
  it("uses the Supervisor proxy and its token inside the add-on", () => {
    const endpoints = endpointsFromEnv({ SUPERVISOR_TOKEN: "abc", HA_URL: "http://ignored:8123" });
    expect(endpoints).toEqual({
      wsUrl: "ws://supervisor/core/websocket",
      restUrl: "http://supervisor/core/api",
      token: "abc",
      tokenSource: "SUPERVISOR_TOKEN",
    });
  });

  it("uses HA_URL and HA_TOKEN standalone, with or without a trailing /api", () => {
    for (const url of [
      "http://homeassistant.local:8123",
      "http://homeassistant.local:8123/",
      "http://homeassistant.local:8123/api",
    ]) {
      const endpoints = endpointsFromEnv({ HA_URL: url, HA_TOKEN: "t" });
      expect(endpoints.wsUrl).toBe("ws://homeassistant.local:8123/api/websocket");
      expect(endpoints.restUrl).toBe("http://homeassistant.local:8123/api");
      expect(endpoints.tokenSource).toBe("HA_TOKEN");
    }
    expect(endpointsFromBaseUrl("https://ha.example:443", "t", "HA_TOKEN").wsUrl).toBe(
      "wss://ha.example:443/api/websocket",
    );
  });

  it("names the missing variable", () => {
    expect(() => endpointsFromEnv({})).toThrow(ConfigError);
    expect(() => endpointsFromEnv({})).toThrow(/HA_URL/);
    expect(() => endpointsFromEnv({ HA_URL: "http://ha:8123" })).toThrow(/HA_TOKEN/);
    expect(() => endpointsFromEnv({ HA_URL: "ha:8123", HA_TOKEN: "t" })).toThrow(/http/);
  });
});

describe("secrets in the log", () => {
  const PASSWORD = "s3cr3t-pass";
  const URL_WITH_PASSWORD = `http://admin:${PASSWORD}@127.0.0.1:1/`;

  it("redacts a URL's user:password, bearer tokens, token parameters and JWTs", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop";
    const line = redactSecrets(
      `at ${URL_WITH_PASSWORD}api Authorization: Bearer abc.def-ghi ws://u:p@h/api?access_token=xyz&x=1 ${jwt} {"token": "t0k"}`,
    );
    expect(line).toBe(
      'at http://***@127.0.0.1:1/api Authorization: Bearer *** ws://***@h/api?access_token=***&x=1 *** {"token": "***"}',
    );
  });

  it("never logs the password in HA_URL, whatever the path to the log", async () => {
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    const sim = await startHaSim({ token: "tok-redact" });
    try {
      const withPassword = sim.url.replace("http://", `http://admin:${PASSWORD}@`);
      const endpoints = endpointsFromEnv({ HA_URL: withPassword, HA_TOKEN: "tok-redact" });
      const ha = await connectHa({ ...endpoints, connectAttempts: 1 });
      await ha.close();
      createLogger("test").warn(`giving up on ${URL_WITH_PASSWORD}`);
      let message = "";
      try {
        endpointsFromEnv({ HA_URL: `ftp://admin:${PASSWORD}@ha`, HA_TOKEN: "t" });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/not an http\(s\) URL/);
      expect(message).not.toContain(PASSWORD);
      expect(new HaUnreachableError(withPassword, "refused").message).not.toContain(PASSWORD);
    } finally {
      restore();
      await sim.close();
    }
    expect(lines.some((l) => l.includes("connected to Home Assistant"))).toBe(true);
    expect(lines.filter((l) => l.includes(PASSWORD))).toEqual([]);
  });
});
