// Service registry of the simulator with built-in handlers that change entity states the way the
// real integrations do (select.select_option sets the select's state, number.set_value its value…).
import type { HaServiceTarget } from "../../ha/client.js";
import type { StateStore } from "./state-store.js";

export interface ServiceCall {
  domain: string;
  service: string;
  data: Record<string, unknown>;
  target?: HaServiceTarget;
  returnResponse: boolean;
  via: "websocket" | "rest";
  atMs: number;
}

/** Returns the service response (for `return_response`) or nothing. Throw SimServiceError to
 * answer with an HA error. */
export type ServiceHandler = (data: Record<string, unknown>, call: ServiceCall) => unknown;

/** As HA's SupportsResponse: none, optional, or only (must be called with return_response). */
export type SupportsResponse = "none" | "optional" | "only";

interface ServiceDescription {
  name: string;
  description: string;
  fields: object;
  response?: { optional: boolean };
}

export class SimServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function entityIds(data: Record<string, unknown>, target?: HaServiceTarget): string[] {
  const raw = target?.entity_id ?? data.entity_id;
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw.map(String) : [String(raw)];
}

export class ServiceRegistry {
  private readonly handlers = new Map<
    string,
    { handler: ServiceHandler; supportsResponse: SupportsResponse }
  >();
  readonly calls: ServiceCall[] = [];

  constructor(private readonly store: StateStore) {
    this.registerBuiltIns();
  }

  register(
    domain: string,
    service: string,
    handler: ServiceHandler,
    supportsResponse: SupportsResponse = "optional",
  ): void {
    this.handlers.set(`${domain}.${service}`, { handler, supportsResponse });
  }

  has(domain: string, service: string): boolean {
    return this.handlers.has(`${domain}.${service}`) || domain === "notify";
  }

  describe(): Record<string, Record<string, ServiceDescription>> {
    const out: Record<string, Record<string, ServiceDescription>> = {};
    for (const [key, { supportsResponse }] of this.handlers) {
      const [domain, service] = key.split(".") as [string, string];
      out[domain] ??= {};
      out[domain][service] = {
        name: service,
        description: `${domain}.${service} (simulated)`,
        fields: {},
        ...(supportsResponse === "none" ? {} : { response: { optional: supportsResponse === "optional" } }),
      };
    }
    return out;
  }

  /** Runs a call; throws SimServiceError("not_found") for an unknown service. */
  call(call: Omit<ServiceCall, "atMs">): unknown {
    const logged: ServiceCall = { ...call, atMs: Date.now() };
    this.calls.push(logged);
    const entry = this.handlers.get(`${call.domain}.${call.service}`);
    if (!entry) {
      if (call.domain === "notify" && !call.returnResponse) return undefined;
      throw new SimServiceError("not_found", `Service ${call.domain}.${call.service} not found.`);
    }
    // HA checks the caller's return_response against what the service supports before running it.
    if (call.returnResponse && entry.supportsResponse === "none") {
      throw new SimServiceError(
        "service_validation_error",
        "An action which does not return responses can't be called with return_response=True",
      );
    }
    if (!call.returnResponse && entry.supportsResponse === "only") {
      throw new SimServiceError(
        "service_validation_error",
        "The action requires responses and must be called with return_response=True",
      );
    }
    const data = { ...call.data };
    const ids = entityIds(call.data, call.target);
    if (ids.length > 0) data.entity_id = ids.length === 1 ? ids[0] : ids;
    const response = entry.handler(data, logged);
    this.store.fire("call_service", { domain: call.domain, service: call.service, service_data: data });
    return response;
  }

  private forEach(data: Record<string, unknown>, apply: (entityId: string) => void): void {
    for (const id of entityIds(data)) apply(id);
  }

  private setKeepingAttributes(entityId: string, state: string): void {
    const old = this.store.get(entityId);
    if (!old) throw new SimServiceError("service_validation_error", `Entity ${entityId} not found`);
    this.store.set(entityId, state, old.attributes);
  }

  private selectOption = (data: Record<string, unknown>) => {
    const option = String(data.option);
    this.forEach(data, (id) => {
      const options = this.store.get(id)?.attributes.options;
      if (Array.isArray(options) && !options.includes(option)) {
        throw new SimServiceError("service_validation_error", `Option ${option} is not valid for ${id}`);
      }
      this.setKeepingAttributes(id, option);
    });
  };

  private setValue = (data: Record<string, unknown>) => {
    const value = Number(data.value);
    if (!Number.isFinite(value)) throw new SimServiceError("invalid_format", "value must be a number");
    this.forEach(data, (id) => {
      const attrs = this.store.get(id)?.attributes ?? {};
      const min = typeof attrs.min === "number" ? attrs.min : -Infinity;
      const max = typeof attrs.max === "number" ? attrs.max : Infinity;
      if (value < min || value > max) {
        throw new SimServiceError(
          "service_validation_error",
          `Value ${value} for ${id} is outside ${min}..${max}`,
        );
      }
      this.setKeepingAttributes(id, String(value));
    });
  };

  private onOff = (state: "on" | "off") => (data: Record<string, unknown>) =>
    this.forEach(data, (id) => this.setKeepingAttributes(id, state));

  private registerBuiltIns(): void {
    this.register("select", "select_option", this.selectOption, "none");
    this.register("input_select", "select_option", this.selectOption, "none");
    this.register("number", "set_value", this.setValue, "none");
    this.register("input_number", "set_value", this.setValue, "none");
    for (const domain of ["switch", "input_boolean"]) {
      this.register(domain, "turn_on", this.onOff("on"), "none");
      this.register(domain, "turn_off", this.onOff("off"), "none");
    }
    // A button's state is the instant it was last pressed.
    for (const domain of ["button", "input_button"]) {
      this.register(
        domain,
        "press",
        (data) =>
          this.forEach(data, (id) =>
            this.setKeepingAttributes(id, new Date().toISOString().replace("Z", "+00:00")),
          ),
        "none",
      );
    }
    this.register("persistent_notification", "create", () => undefined, "none");
    this.register("persistent_notification", "dismiss", () => undefined, "none");
    this.register("homeassistant", "update_entity", () => undefined, "none");
  }
}
