// Publishes npm tarballs to the rehearsal's registry with the request `npm publish` makes (PUT of
// the package document with the tarball attached), many at once: seventy `npm publish` processes
// take minutes on two cores, this takes seconds.
//
//   npx tsx test/image/publish.ts --registry http://127.0.0.1:4873/ --token T a.tgz b.tgz …
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { z } from "zod";

const exec = promisify(execFile);
const { positionals, values } = (await import("node:util")).parseArgs({
  options: { registry: { type: "string" }, token: { type: "string" } },
  allowPositionals: true,
});
if (!values.registry || !values.token) throw new Error("--registry and --token are needed");
const registry = values.registry.replace(/\/?$/, "/");

const manifestSchema = z.looseObject({ name: z.string(), version: z.string() });

async function publish(file: string): Promise<void> {
  // The top folder is "package" for most tarballs; @types packages use their own name.
  const listing = (await exec("tar", ["-tzf", file], { maxBuffer: 8 << 20 })).stdout.split("\n");
  const entry = listing.find((path) => /^[^/]+\/package\.json$/.test(path));
  if (!entry) throw new Error("no package.json at the top of the tarball");
  const { stdout } = await exec("tar", ["-xzOf", file, entry], { maxBuffer: 8 << 20 });
  const manifest = manifestSchema.parse(JSON.parse(stdout));
  const { name, version } = manifest;
  const body = await readFile(file);
  const attachment = `${name}-${version}.tgz`;
  const document = {
    _id: name,
    name,
    "dist-tags": { latest: version },
    versions: {
      [version]: {
        ...manifest,
        _id: `${name}@${version}`,
        dist: {
          shasum: createHash("sha1").update(body).digest("hex"),
          integrity: `sha512-${createHash("sha512").update(body).digest("base64")}`,
          tarball: `${registry}${name}/-/${attachment.replace(/^@[^/]+\//, "")}`,
        },
      },
    },
    _attachments: {
      [attachment]: {
        content_type: "application/octet-stream",
        data: body.toString("base64"),
        length: body.length,
      },
    },
  };
  const response = await fetch(`${registry}${name.replace("/", "%2f")}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${values.token}`, "content-type": "application/json" },
    body: JSON.stringify(document),
  });
  if (!response.ok) throw new Error(`${name}@${version}: HTTP ${response.status} ${await response.text()}`);
}

// Versions of one package in ascending order, so the last one published is "latest".
const byName = new Map<string, string[]>();
for (const file of positionals) {
  const name = file.replace(/^.*\//, "").replace(/-\d[^-]*\.tgz$/, "");
  byName.set(name, [...(byName.get(name) ?? []), file]);
}
const queues = [...byName.values()].map((files) =>
  files.sort((a, b) => a.localeCompare(b, "en", { numeric: true })),
);
let failed = 0;
const workers = Array.from({ length: 8 }, async () => {
  for (let files = queues.shift(); files; files = queues.shift()) {
    for (const file of files) {
      await publish(file).catch((error: Error) => {
        console.error(`publish ${file}: ${error.message}`);
        failed++;
      });
    }
  }
});
await Promise.all(workers);
console.log(`published ${positionals.length - failed} of ${positionals.length} tarballs to ${registry}`);
process.exit(failed === 0 ? 0 : 1);
