// A Home Assistant automation run the way HA runs one, for testing blueprints: triggers (state,
// event, homeassistant start) decide whether it runs and with which `trigger` variables
// (components/automation/__init__.py, components/homeassistant/triggers/*.py), then `variables`
// are rendered in order, then every condition must hold (helpers/condition.py: state, template,
// and/or/not), then the actions run (helpers/script.py: event, action/service calls, choose,
// if/then/else, variables, sequence, condition, stop). Templates are real Jinja2 (ha-template.ts).
// What the actions did is recorded instead of done. Written for these tests; no HA code copied.
import { evaluateStateTrigger, parseStateTrigger, type StateTriggerConfig } from "./ha-state-trigger.js";
import { type HaState, renderComplex, renderTemplate, stateObject, TemplateError } from "./ha-template.js";

export type Performed =
  | { kind: "event"; eventType: string; data: Record<string, unknown> }
  | { kind: "call"; action: string; data: Record<string, unknown>; target?: unknown };

export interface Run {
  trigger: Record<string, unknown>;
  /** ran: conditions held; skipped: a condition did not; error: a template failed (HA logs it). */
  outcome: "ran" | "skipped" | "error";
  error?: string;
  performed: Performed[];
}

type Trigger =
  | { kind: "state"; index: number; config: StateTriggerConfig }
  | { kind: "event"; index: number; id?: string; eventTypes: string[]; eventData?: Record<string, unknown> }
  | { kind: "homeassistant"; index: number; id?: string; event: "start" | "shutdown" };

class Stop extends Error {}

export class Automation {
  readonly states = new Map<string, HaState>();
  readonly runs: Run[] = [];
  private readonly triggers: Trigger[];
  private nowMs = 0;
  private pending: {
    dueMs: number;
    entityId: string;
    holds: (s: HaState | undefined) => boolean;
    vars: Record<string, unknown>;
  }[] = [];

  constructor(
    private readonly config: Record<string, unknown>,
    initial: Record<string, HaState> = {},
  ) {
    for (const [id, state] of Object.entries(initial)) this.states.set(id, state);
    const raw = config.triggers ?? config.trigger;
    const list = (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[];
    this.triggers = list.map((t, index) => parseTrigger(t, index));
  }

  /** A state_changed event: the entity takes this state (undefined: it is removed). */
  async setState(
    entityId: string,
    state: string | undefined,
    attributes: Record<string, unknown> = {},
  ): Promise<void> {
    const oldState = this.states.get(entityId);
    const newState = state === undefined ? undefined : { state, attributes };
    if (newState) this.states.set(entityId, newState);
    else this.states.delete(entityId);
    // A pending `for` ends when a change breaks what it waits for.
    this.pending = this.pending.filter((p) => p.entityId !== entityId || p.holds(newState));
    for (const trigger of this.triggers) {
      if (trigger.kind !== "state" || !trigger.config.entityIds.includes(entityId)) continue;
      const outcome = evaluateStateTrigger(trigger.config, oldState, newState);
      if (outcome.kind === "ignored") continue;
      const vars = {
        id: trigger.config.id ?? String(trigger.index),
        idx: String(trigger.index),
        platform: "state",
        entity_id: entityId,
        from_state: stateObject(entityId, oldState),
        to_state: stateObject(entityId, newState),
        attribute: trigger.config.attribute ?? null,
        for: null,
        description: `state of ${entityId}`,
      };
      if (outcome.kind === "fires") await this.run(vars);
      else
        this.pending.push({ dueMs: this.nowMs + outcome.forMs, entityId, holds: outcome.stillHolds, vars });
    }
  }

  /** Time passes: `for` triggers whose period is over fire. */
  async advance(ms: number): Promise<void> {
    this.nowMs += ms;
    const due = this.pending.filter((p) => p.dueMs <= this.nowMs);
    this.pending = this.pending.filter((p) => p.dueMs > this.nowMs);
    for (const p of due) await this.run(p.vars);
  }

  async fireEvent(eventType: string, data: Record<string, unknown> = {}): Promise<void> {
    for (const trigger of this.triggers) {
      if (trigger.kind !== "event" || !trigger.eventTypes.includes(eventType)) continue;
      const wanted = trigger.eventData ?? {};
      if (!Object.entries(wanted).every(([k, v]) => JSON.stringify(data[k]) === JSON.stringify(v))) continue;
      await this.run({
        id: trigger.id ?? String(trigger.index),
        idx: String(trigger.index),
        platform: "event",
        event: { event_type: eventType, data },
        description: `event '${eventType}'`,
      });
    }
  }

  async startHomeAssistant(): Promise<void> {
    for (const trigger of this.triggers) {
      if (trigger.kind !== "homeassistant" || trigger.event !== "start") continue;
      await this.run({
        id: trigger.id ?? String(trigger.index),
        idx: String(trigger.index),
        platform: "homeassistant",
        event: "start",
      });
    }
  }

  private async run(trigger: Record<string, unknown>): Promise<void> {
    const record: Run = { trigger, outcome: "ran", performed: [] };
    this.runs.push(record);
    const scope: Record<string, unknown> = { trigger };
    try {
      for (const [name, value] of Object.entries((this.config.variables ?? {}) as Record<string, unknown>))
        scope[name] = await renderComplex(value, scope, this.states);
      const conditions = (this.config.conditions ?? this.config.condition ?? []) as unknown[];
      if (!(await this.all(conditions, scope))) {
        record.outcome = "skipped";
        return;
      }
      await this.actions(asList(this.config.actions ?? this.config.action), scope, record.performed);
    } catch (error) {
      if (error instanceof Stop) return;
      if (!(error instanceof TemplateError)) throw error;
      record.outcome = "error";
      record.error = error.message;
    }
  }

  private async all(conditions: unknown[], scope: Record<string, unknown>): Promise<boolean> {
    for (const c of conditions) if (!(await this.condition(c, scope))) return false;
    return true;
  }

  private async condition(raw: unknown, scope: Record<string, unknown>): Promise<boolean> {
    if (typeof raw === "string") return this.templateHolds(raw, scope);
    const c = raw as Record<string, unknown>;
    switch (c.condition) {
      case "template":
        return this.templateHolds(String(c.value_template), scope);
      case "state": {
        const ids = asList(c.entity_id).map(String);
        const wanted = asList(c.state).map(String);
        return ids.every((id) => {
          const state = this.states.get(id);
          const value = c.attribute === undefined ? state?.state : state?.attributes[String(c.attribute)];
          return value !== undefined && wanted.includes(String(value));
        });
      }
      case "and":
        return this.all(asList(c.conditions), scope);
      case "or":
        for (const x of asList(c.conditions)) if (await this.condition(x, scope)) return true;
        return false;
      case "not":
        for (const x of asList(c.conditions)) if (await this.condition(x, scope)) return false;
        return true;
      default:
        throw new Error(`condition ${String(c.condition)} is not modelled by this harness`);
    }
  }

  /** helpers/condition.py async_template: the rendered text, unparsed, must be "true". */
  private async templateHolds(template: string, scope: Record<string, unknown>): Promise<boolean> {
    const text = await renderTemplate(template, scope, this.states, false);
    return String(text).trim().toLowerCase() === "true";
  }

  private async actions(
    list: unknown[],
    scope: Record<string, unknown>,
    performed: Performed[],
  ): Promise<void> {
    for (const raw of list) {
      const a = raw as Record<string, unknown>;
      if ("event" in a) {
        const data = (await renderComplex(a.event_data ?? {}, scope, this.states)) as Record<string, unknown>;
        performed.push({ kind: "event", eventType: String(a.event), data });
      } else if ("action" in a || "service" in a) {
        const call: Performed = {
          kind: "call",
          action: String(await renderComplex(a.action ?? a.service, scope, this.states)),
          data: (await renderComplex(a.data ?? {}, scope, this.states)) as Record<string, unknown>,
        };
        if (a.target !== undefined) call.target = await renderComplex(a.target, scope, this.states);
        performed.push(call);
      } else if ("choose" in a) {
        const options = asList(a.choose) as { conditions: unknown; sequence: unknown }[];
        let chosen: (typeof options)[number] | undefined;
        for (const option of options) {
          if (await this.all(asList(option.conditions), scope)) {
            chosen = option;
            break;
          }
        }
        if (chosen) await this.actions(asList(chosen.sequence), scope, performed);
        else if (a.default !== undefined) await this.actions(asList(a.default), scope, performed);
      } else if ("if" in a) {
        if (await this.all(asList(a.if), scope)) await this.actions(asList(a.then), scope, performed);
        else if (a.else !== undefined) await this.actions(asList(a.else), scope, performed);
      } else if ("variables" in a) {
        for (const [name, value] of Object.entries(a.variables as Record<string, unknown>))
          scope[name] = await renderComplex(value, scope, this.states);
      } else if ("sequence" in a) {
        await this.actions(asList(a.sequence), scope, performed);
      } else if ("condition" in a) {
        if (!(await this.condition(a, scope))) throw new Stop();
      } else if ("stop" in a) {
        throw new Stop();
      } else {
        throw new Error(`action ${JSON.stringify(a).slice(0, 80)} is not modelled by this harness`);
      }
    }
  }
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function parseTrigger(raw: Record<string, unknown>, index: number): Trigger {
  const kind = raw.trigger ?? raw.platform;
  const id = raw.id === undefined ? undefined : String(raw.id);
  switch (kind) {
    case "state":
      return { kind: "state", index, config: parseStateTrigger(raw) };
    case "event": {
      const trigger: Trigger = { kind: "event", index, eventTypes: asList(raw.event_type).map(String) };
      if (id !== undefined) trigger.id = id;
      if (raw.event_data !== undefined) trigger.eventData = raw.event_data as Record<string, unknown>;
      return trigger;
    }
    case "homeassistant": {
      const trigger: Trigger = {
        kind: "homeassistant",
        index,
        event: raw.event === "shutdown" ? "shutdown" : "start",
      };
      if (id !== undefined) trigger.id = id;
      return trigger;
    }
    default:
      throw new Error(`trigger ${String(kind)} is not modelled by this harness`);
  }
}
