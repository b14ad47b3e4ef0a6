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

// DNS rebinding: a page on evil.example whose name is re-pointed at 127.0.0.1 (or the add-on's
// LAN address) makes the victim's browser talk to this server with `Host: evil.example`. A
// browser always sends the name it resolved, so a server that answers only names it knows is out
// of reach. IP literals cannot be rebound and are always fine; so are localhost names.
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a Host header ("ha.local:8099" → "ha.local", "[::1]:80" → "::1"), lower case
 * and without a trailing dot; undefined when there is none. */
export function hostName(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (!value) return undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](:\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  if (value.includes(":") && value.indexOf(":") !== value.lastIndexOf(":")) return value; // bare IPv6
  const name = value.replace(/:\d+$/, "").replace(/\.$/, "");
  return name === "" ? undefined : name;
}

function isIpLiteral(name: string): boolean {
  return IPV4.test(name) || name.includes(":");
}

/** Whether a request's Host may be answered: an IP literal, localhost, or one of `allowedHosts`
 * (names the user reaches the page by, the address the server is bound to). */
export function isAllowedHost(
  header: string | string[] | undefined,
  allowedHosts: readonly string[],
): boolean {
  const name = hostName(header);
  if (name === undefined) return false;
  if (isIpLiteral(name) || name === "localhost" || name.endsWith(".localhost")) return true;
  return allowedHosts.some((allowed) => hostName(allowed) === name);
}

export function isLoopbackPeer(address: string | undefined): boolean {
  const peer = normaliseAddress(address);
  return peer === "::1" || peer.startsWith("127.");
}
