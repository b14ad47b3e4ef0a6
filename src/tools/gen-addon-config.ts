// npm run gen:addon [-- --check]: writes addon/config.yaml's `options` and `schema` and
// addon/translations/en.yaml from src/config/schema.ts. Every other key of config.yaml is kept
// byte for byte: the two sections are spliced into the file's text. --check only compares and
// exits 1 when a committed file differs from what the schema generates.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Document, isMap, isScalar, parseDocument, visit } from "yaml";
import { addonOptions, addonSchema, addonTranslations } from "../config/addon-files.js";
import { configSchema } from "../config/schema.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CONFIG_YAML = "addon/config.yaml";
export const TRANSLATIONS_YAML = "addon/translations/en.yaml";

// The Supervisor reads YAML 1.1 (PyYAML), where 18:00 is a number and `on` is true: such strings
// are quoted so that they stay strings.
const YAML11_NOT_A_STRING =
  /^(?:[-+]?[\d:._]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|)$/;

function render(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string") return;
      if (/^match\(/.test(node.value)) node.type = "QUOTE_SINGLE";
      else if (YAML11_NOT_A_STRING.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

/** config.yaml's text with `options` and `schema` replaced by what the schema generates. */
export function renderConfigYaml(current: string): string {
  const doc = parseDocument(current);
  if (!isMap(doc.contents)) throw new Error(`${CONFIG_YAML} is not a mapping`);
  const sections = { options: addonOptions(configSchema), schema: addonSchema(configSchema) };
  const splices: { start: number; end: number; text: string }[] = [];
  let appended = "";
  for (const [key, value] of Object.entries(sections)) {
    const text = render({ [key]: value });
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
    const keyRange = pair && isScalar(pair.key) ? pair.key.range : undefined;
    const valueRange = (pair?.value as { range?: [number, number, number] } | null)?.range;
    if (keyRange && valueRange) splices.push({ start: keyRange[0], end: valueRange[2], text });
    else appended += text;
  }
  let out = current;
  for (const { start, end, text } of splices.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, start) + text + out.slice(end);
  }
  if (appended) out = `${out.replace(/\n*$/, "\n")}${appended}`;
  return out;
}

export function renderTranslations(): string {
  const header =
    "# Generated from src/config/schema.ts by `npm run gen:addon`: change the labels there, not here.\n";
  return header + render({ configuration: addonTranslations(configSchema) });
}

function main(args: string[]): number {
  const check = args.includes("--check");
  const files = [
    { path: CONFIG_YAML, make: (current: string) => renderConfigYaml(current) },
    { path: TRANSLATIONS_YAML, make: () => renderTranslations() },
  ];
  const stale: string[] = [];
  for (const { path, make } of files) {
    const current = readFileSync(`${ROOT}${path}`, "utf8");
    const wanted = make(current);
    if (wanted === current) continue;
    stale.push(path);
    if (!check) writeFileSync(`${ROOT}${path}`, wanted);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`out of date: ${stale.join(", ")}; run npm run gen:addon\n`);
    return 1;
  }
  process.stdout.write(stale.length > 0 ? `wrote ${stale.join(", ")}\n` : "up to date\n");
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
