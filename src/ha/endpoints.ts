// Where Home Assistant is and which token to use. In the add-on the Supervisor injects
// SUPERVISOR_TOKEN and proxies HA at http://supervisor/core; standalone the user gives HA_URL and a
// long-lived HA_TOKEN. A base URL ending in /core is treated like the Supervisor proxy.
import { ConfigError } from "../errors.js";
import { redactSecrets } from "../log.js";

export interface HaEndpoints {
  wsUrl: string;
  restUrl: string;
  token: string;
  /** Which variable the token came from, for error messages (never the token itself). */
  tokenSource: string;
}

export function endpointsFromBaseUrl(baseUrl: string, token: string, tokenSource: string): HaEndpoints {
  const base = baseUrl.replace(/\/+$/, "").replace(/\/api$/, "");
  const wsBase = base.replace(/^http/, "ws");
  const behindProxy = /\/core$/.test(base);
  return {
    wsUrl: behindProxy ? `${wsBase}/websocket` : `${wsBase}/api/websocket`,
    restUrl: `${base}/api`,
    token,
    tokenSource,
  };
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): HaEndpoints {
  const supervisorToken = env.SUPERVISOR_TOKEN?.trim();
  if (supervisorToken)
    return endpointsFromBaseUrl("http://supervisor/core", supervisorToken, "SUPERVISOR_TOKEN");
  const url = env.HA_URL?.trim();
  const token = env.HA_TOKEN?.trim();
  if (!url) {
    throw new ConfigError(
      "HA_URL",
      "not set and not running as an add-on (no SUPERVISOR_TOKEN)",
      "Set HA_URL to your Home Assistant address, e.g. http://homeassistant.local:8123.",
    );
  }
  if (!/^https?:\/\//.test(url)) {
    throw new ConfigError(
      "HA_URL",
      `'${redactSecrets(url)}' is not an http(s) URL`,
      "Use e.g. http://homeassistant.local:8123.",
    );
  }
  if (!token) {
    throw new ConfigError(
      "HA_TOKEN",
      "not set",
      "Create a long-lived access token (HA profile → Security) and set HA_TOKEN.",
    );
  }
  return endpointsFromBaseUrl(url, token, "HA_TOKEN");
}
