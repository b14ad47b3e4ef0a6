// A small HTTP client on node:http(s) for the add-on's few REST calls (states in the REST
// fallback, the Supervisor's services API). Node's global fetch (undici) adds about 13 MB of
// resident memory the first time it is used, a sixth of what the add-on may take on a Pi, for a
// handful of small JSON requests.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** The part of fetch the add-on uses; the global fetch fits it too (tests may pass it). */
export type HttpFetch = (url: string, init?: HttpInit) => Promise<HttpResponse>;

export const httpFetch: HttpFetch = (url, init = {}) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
    const req = send(
      target,
      { method: init.method ?? "GET", headers, ...(init.signal ? { signal: init.signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            text: async () => text,
            json: async () => JSON.parse(text) as unknown,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
