// HA's compressed state format for `subscribe_entities` (homeassistant/core/state.py
// `as_compressed_state` and websocket_api/messages.py `_state_diff`): short keys s/a/c/lc/lu,
// seconds-since-epoch floats, `lu` left out when equal to `lc`, the context as its id when it has
// no parent or user. Changes are `{"+": {...changed}, "-": {a: [removed attribute keys]}}`.
import type { HaContext, HaEntityState } from "../../ha/client.js";

export interface CompressedState {
  s: string;
  a: Record<string, unknown>;
  c: string | HaContext;
  lc: number;
  lu?: number;
}

export interface CompressedDiff {
  "+"?: Partial<Omit<CompressedState, "c">> & { c?: string | Partial<HaContext> };
  "-"?: { a: string[] };
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

function compressContext(context: HaContext): string | HaContext {
  return context.parent_id === null && context.user_id === null ? context.id : context;
}

export function compressState(state: HaEntityState): CompressedState {
  const out: CompressedState = {
    s: state.state,
    a: state.attributes,
    c: compressContext(state.context),
    lc: seconds(state.last_changed),
  };
  if (state.last_updated !== state.last_changed) out.lu = seconds(state.last_updated);
  return out;
}

export function diffStates(oldState: HaEntityState, newState: HaEntityState): CompressedDiff {
  const additions: Partial<CompressedState> = {};
  if (oldState.state !== newState.state) {
    additions.s = newState.state;
    additions.lc = seconds(newState.last_changed);
  } else if (oldState.last_updated !== newState.last_updated) {
    additions.lu = seconds(newState.last_updated);
  }
  // The context as HA diffs it: parent and user only when they changed, the id as a plain string
  // when nothing else did.
  const context: Partial<HaContext> = {};
  if (oldState.context.parent_id !== newState.context.parent_id)
    context.parent_id = newState.context.parent_id;
  if (oldState.context.user_id !== newState.context.user_id) context.user_id = newState.context.user_id;
  if (oldState.context.id !== newState.context.id) {
    if (Object.keys(context).length > 0) context.id = newState.context.id;
    else additions.c = newState.context.id;
  }
  if (Object.keys(context).length > 0) additions.c = context as HaContext;
  const changedAttrs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(newState.attributes)) {
    if (JSON.stringify(oldState.attributes[key]) !== JSON.stringify(value)) changedAttrs[key] = value;
  }
  if (Object.keys(changedAttrs).length > 0) additions.a = changedAttrs;
  const removed = Object.keys(oldState.attributes).filter((key) => !(key in newState.attributes));
  // HA leaves out "+" when nothing was added or changed (an attribute removed, nothing else).
  const diff: CompressedDiff = {};
  if (Object.keys(additions).length > 0) diff["+"] = additions;
  if (removed.length > 0) diff["-"] = { a: removed };
  return diff;
}
