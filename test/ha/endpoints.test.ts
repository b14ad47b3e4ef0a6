import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { endpointsFromBaseUrl, endpointsFromEnv } from "../../src/ha/endpoints.js";

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
