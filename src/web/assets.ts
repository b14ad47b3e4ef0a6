// uPlot's browser build, served from the installed package so the page needs no CDN and no
// build step. Read once, on first request.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

export interface Asset {
  contentType: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);

const FILES: Record<string, { module: string; contentType: string }> = {
  "uplot.js": { module: "uplot/dist/uPlot.iife.min.js", contentType: "text/javascript; charset=utf-8" },
  "uplot.css": { module: "uplot/dist/uPlot.min.css", contentType: "text/css; charset=utf-8" },
};

const cache = new Map<string, Promise<Asset>>();

export function isVendorAsset(name: string): boolean {
  return Object.hasOwn(FILES, name);
}

export function loadVendorAsset(name: string): Promise<Asset> {
  const file = FILES[name];
  if (!file) return Promise.reject(new Error(`unknown asset ${name}`));
  let pending = cache.get(name);
  if (!pending) {
    pending = readFile(require.resolve(file.module)).then((body) => ({
      contentType: file.contentType,
      body,
    }));
    // A failed read (package missing) is retried on the next request rather than cached.
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}
