// HA's REST API (developers.home-assistant.io/docs/api/rest) as far as the add-on uses it. The
// same routes answer under /api/… and under the Supervisor proxy's /core/api/….
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceRegistry } from "./services.js";
import { SimServiceError } from "./services.js";
import type { StateStore } from "./state-store.js";

export interface RestContext {
  store: StateStore;
  services: ServiceRegistry;
  token: string;
  isDown(): boolean;
  config(): Record<string, unknown>;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  return JSON.parse(text);
}

export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (ctx.isDown()) {
    res.writeHead(502);
    res.end("502: Bad Gateway");
    return;
  }
  const url = new URL(req.url ?? "/", "http://sim");
  const path = url.pathname.replace(/^\/core(?=\/api)/, "");
  if (!path.startsWith("/api")) {
    json(res, 404, { message: "Not found" });
    return;
  }
  if (req.headers.authorization !== `Bearer ${ctx.token}`) {
    res.writeHead(401, { "Content-Type": "text/plain" });
    res.end("401: Unauthorized");
    return;
  }
  let body: unknown;
  try {
    body = req.method === "POST" ? await readBody(req) : undefined;
  } catch {
    json(res, 400, { message: "Invalid JSON specified." });
    return;
  }
  const method = req.method ?? "GET";
  const parts = path.split("/").filter(Boolean); // ["api", ...]
  if (parts.length === 1) {
    json(res, 200, { message: "API running." });
    return;
  }
  const [, resource, a, b] = parts;
  if (resource === "config" && method === "GET") {
    json(res, 200, ctx.config());
    return;
  }
  if (resource === "states" && a === undefined && method === "GET") {
    json(res, 200, ctx.store.all());
    return;
  }
  if (resource === "states" && a !== undefined) {
    if (method === "GET") {
      const state = ctx.store.get(a);
      return state ? json(res, 200, state) : json(res, 404, { message: "Entity not found." });
    }
    if (method === "POST") {
      postState(ctx, res, a, body);
      return;
    }
    if (method === "DELETE") {
      ctx.store.remove(a) ? json(res, 200, { message: "Entity removed." }) : json(res, 404, {});
      return;
    }
  }
  if (resource === "services" && a && b && method === "POST") {
    postService(ctx, res, a, b, url.searchParams.has("return_response"), body);
    return;
  }
  if (resource === "events" && a && method === "POST") {
    ctx.store.fire(a, (body ?? {}) as Record<string, unknown>);
    json(res, 200, { message: `Event ${a} fired.` });
    return;
  }
  json(res, 405, { message: "Method not allowed" });
}

function postState(ctx: RestContext, res: ServerResponse, entityId: string, body: unknown): void {
  const payload = body as { state?: unknown; attributes?: unknown };
  if (!/^[a-z0-9_]+\.[a-z0-9_]+$/.test(entityId)) {
    json(res, 400, { message: "Invalid entity ID specified." });
    return;
  }
  if (payload?.state === undefined) {
    json(res, 400, { message: "No state specified." });
    return;
  }
  const existed = ctx.store.get(entityId) !== undefined;
  const attributes =
    payload.attributes && typeof payload.attributes === "object"
      ? (payload.attributes as Record<string, unknown>)
      : {};
  const state = ctx.store.set(entityId, String(payload.state), attributes);
  json(res, existed ? 200 : 201, state, { Location: `/api/states/${entityId}` });
}

function postService(
  ctx: RestContext,
  res: ServerResponse,
  domain: string,
  service: string,
  returnResponse: boolean,
  body: unknown,
): void {
  const before = new Map(ctx.store.all().map((s) => [s.entity_id, s.last_updated]));
  let response: unknown;
  try {
    response = ctx.services.call({
      domain,
      service,
      data: (body ?? {}) as Record<string, unknown>,
      returnResponse,
      via: "rest",
    });
  } catch (error) {
    if (error instanceof SimServiceError && error.code === "not_found") {
      json(res, 400, { message: error.message });
      return;
    }
    json(res, 400, { message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const changed = ctx.store.all().filter((s) => before.get(s.entity_id) !== s.last_updated);
  if (returnResponse) {
    json(res, 200, { changed_states: changed, service_response: response ?? null });
    return;
  }
  json(res, 200, changed);
}
