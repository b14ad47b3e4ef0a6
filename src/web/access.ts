// Who may talk to the page. Under the Supervisor only the ingress proxy reaches the add-on's
// ingress port (HA's add-on docs ask add-ons to deny every other address); loopback stays open for
// the container's own health check.

/** The Supervisor's ingress proxy on the hassio network. */
export const INGRESS_PROXY_ADDRESS = "172.30.32.2";

export const INGRESS_ALLOWED_ADDRESSES: readonly string[] = [INGRESS_PROXY_ADDRESS, "127.0.0.1", "::1"];

/** Node reports IPv4 peers of a dual-stack socket as IPv4-mapped IPv6 (::ffff:172.30.32.2). */
export function normaliseAddress(address: string | undefined): string {
  if (!address) return "";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}

export function isAllowedPeer(address: string | undefined, allowed: readonly string[]): boolean {
  const peer = normaliseAddress(address);
  return peer !== "" && allowed.some((a) => normaliseAddress(a) === peer);
}

// The ingress path is echoed into the page's <base href>, so only HA's own shape is accepted.
const INGRESS_PATH = /^\/api\/hassio_ingress\/[A-Za-z0-9_-]+$/;

/** The X-Ingress-Path header when it has the shape HA sends, else undefined. */
export function ingressBasePath(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && INGRESS_PATH.test(value) ? value : undefined;
}
