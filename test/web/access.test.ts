import { describe, expect, it } from "vitest";
import {
  hostName,
  INGRESS_ALLOWED_ADDRESSES,
  ingressBasePath,
  isAllowedHost,
  isAllowedPeer,
} from "../../src/web/access.js";

describe("isAllowedPeer", () => {
  it("lets in the ingress proxy, also as an IPv4-mapped IPv6 address", () => {
    expect(isAllowedPeer("172.30.32.2", INGRESS_ALLOWED_ADDRESSES)).toBe(true);
    expect(isAllowedPeer("::ffff:172.30.32.2", INGRESS_ALLOWED_ADDRESSES)).toBe(true);
  });

  it("lets in loopback for the container's health check", () => {
    expect(isAllowedPeer("127.0.0.1", INGRESS_ALLOWED_ADDRESSES)).toBe(true);
    expect(isAllowedPeer("::1", INGRESS_ALLOWED_ADDRESSES)).toBe(true);
  });

  it("refuses other hosts on the hassio network and the LAN", () => {
    expect(isAllowedPeer("172.30.32.1", INGRESS_ALLOWED_ADDRESSES)).toBe(false);
    expect(isAllowedPeer("192.168.1.20", INGRESS_ALLOWED_ADDRESSES)).toBe(false);
    expect(isAllowedPeer(undefined, INGRESS_ALLOWED_ADDRESSES)).toBe(false);
  });
});

describe("ingressBasePath", () => {
  it("accepts the path HA's ingress sends", () => {
    expect(ingressBasePath("/api/hassio_ingress/abc-123_XYZ")).toBe("/api/hassio_ingress/abc-123_XYZ");
  });

  it("rejects anything that could break out of the base tag", () => {
    expect(ingressBasePath('/api/hassio_ingress/x"><script>')).toBeUndefined();
    expect(ingressBasePath("//evil.example/")).toBeUndefined();
    expect(ingressBasePath(undefined)).toBeUndefined();
  });
});

describe("Host header (DNS rebinding)", () => {
  it("reads the name out of a Host header", () => {
    expect(hostName("HA.Local:8099")).toBe("ha.local");
    expect(hostName("[::1]:8099")).toBe("::1");
    expect(hostName("example.com.")).toBe("example.com");
    expect(hostName(undefined)).toBeUndefined();
    expect(hostName("  ")).toBeUndefined();
  });

  it("accepts IP literals, localhost and configured names, nothing else", () => {
    for (const ok of [
      "127.0.0.1:8099",
      "192.168.1.5:8099",
      "[::1]:8099",
      "localhost:8099",
      "app.localhost",
      "nas.lan:8099",
    ]) {
      expect(isAllowedHost(ok, ["nas.lan"]), ok).toBe(true);
    }
    for (const bad of ["evil.example", "evil.example:8099", "nas.lan.evil.example", "", undefined]) {
      expect(isAllowedHost(bad, ["nas.lan"]), String(bad)).toBe(false);
    }
  });
});
