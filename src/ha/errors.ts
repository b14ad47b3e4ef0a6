// Typed errors at the edge of the Home Assistant connection. The messages say what to do.
import { BatteryPlannerError, type BatteryPlannerErrorOptions } from "../errors.js";
import { redactSecrets } from "../log.js";

/** HA refused the token: retrying cannot help until the token is fixed. */
export class HaAuthError extends BatteryPlannerError {
  override name = "HaAuthError";
  constructor(
    readonly tokenSource: string,
    detail: string,
    options: BatteryPlannerErrorOptions = {},
  ) {
    super(
      `Home Assistant rejected the access token from ${tokenSource} (${detail}). ` +
        (tokenSource === "SUPERVISOR_TOKEN"
          ? "Restart the add-on so the Supervisor issues a fresh token; check homeassistant_api: true in config.yaml."
          : "Create a long-lived access token in your HA profile and set it in HA_TOKEN."),
      { ...options, retryable: false },
    );
  }
}

/** HA could not be reached or did not finish the handshake in time; worth retrying. */
export class HaUnreachableError extends BatteryPlannerError {
  override name = "HaUnreachableError";
  constructor(
    readonly url: string,
    detail: string,
    options: BatteryPlannerErrorOptions = {},
  ) {
    super(`Home Assistant at ${redactSecrets(url)} is unreachable: ${detail}`, {
      ...options,
      retryable: true,
    });
  }
}

/** A websocket command was answered with an error, timed out, or lost with the connection. */
export class HaCommandError extends BatteryPlannerError {
  override name = "HaCommandError";
  constructor(
    readonly command: string,
    readonly code: string,
    detail: string,
    options: BatteryPlannerErrorOptions = {},
  ) {
    super(`Home Assistant command ${command} failed (${code}): ${detail}`, options);
  }
}

/** home-assistant-js-websocket rejects with an {code, message} error, an ERR_* number, or a whole
 * result message; this turns each into an HaCommandError (connection loss is retryable). */
export function toCommandError(command: string, raw: unknown): HaCommandError {
  if (raw instanceof HaCommandError) return raw;
  if (typeof raw === "number") {
    return new HaCommandError(command, "connection_lost", "the connection to HA was lost", {
      retryable: true,
    });
  }
  const error = (raw as { error?: unknown })?.error ?? raw;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const lost = code === 3;
  return new HaCommandError(
    command,
    lost ? "connection_lost" : String(code ?? "unknown"),
    String(message ?? raw),
    {
      retryable: lost,
    },
  );
}
