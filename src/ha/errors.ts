// Typed errors at the edge of the Home Assistant connection. The messages say what to do.
import { BatteryPlannerError, type BatteryPlannerErrorOptions } from "../errors.js";

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
    super(`Home Assistant at ${url} is unreachable: ${detail}`, { ...options, retryable: true });
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
