// Reading and validating the options. A bad option stops start-up with one line that names the
// option (its dotted path, as the add-on's configuration page shows it) and says how to fix it.
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import { type Config, configSchema } from "./schema.js";

export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw toConfigError(result.error);
}

export async function loadConfigFile(path: string): Promise<Config> {
  return parseConfig(await readOptionsFile(path));
}

/** The options file as JSON, not yet validated (auto-detection fills gaps before validation). */
export async function readOptionsFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigError("(file)", `cannot read ${path}`, "Check the path and permissions.", { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError("(file)", `${path} is not valid JSON`, "Fix the JSON syntax.", { cause });
  }
}

type Issue = z.core.$ZodIssue;

function bound(issue: Issue & { inclusive?: boolean }, word: "least" | "most", strict: string): string {
  return issue.inclusive === false ? strict : `at ${word}`;
}

/** What is wrong, in the words of the configuration page rather than zod's. */
function problemOf(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined || issue.input === null
        ? "is required and not set"
        : `must be ${issue.expected === "number" ? "a number" : `a ${issue.expected}`}`;
    case "too_small":
      return issue.origin === "array"
        ? `needs at least ${issue.minimum} entries`
        : `must be ${bound(issue, "least", "more than")} ${issue.minimum}`;
    case "too_big":
      return `must be ${bound(issue, "most", "less than")} ${issue.maximum}`;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
    case "custom":
      return issue.message;
    default:
      return issue.message;
  }
}

function fixOf(issue: Issue): string {
  const fix = issue.code === "custom" ? (issue.params as { fix?: unknown } | undefined)?.fix : undefined;
  if (typeof fix === "string") return `${fix}.`;
  return issue.code === "invalid_type" && (issue.input === undefined || issue.input === null)
    ? "Set it in the add-on configuration."
    : "Correct it in the add-on configuration.";
}

// One line: a line break (from a value or a key the person typed) would split the add-on log.
const oneLine = (text: string) => text.replace(/[\s\p{Cc}]+/gu, " ").trim();

export function toConfigError(error: z.ZodError): ConfigError {
  const [issue, ...others] = error.issues;
  if (!issue) return new ConfigError("(root)", "invalid options", "Check the add-on configuration.");
  const pathOf = (i: Issue) => oneLine(i.path.length > 0 ? i.path.map(String).join(".") : "(root)");
  const more = others.length > 0 ? ` Also wrong: ${others.map(pathOf).join(", ")}.` : "";
  return new ConfigError(pathOf(issue), oneLine(problemOf(issue)), oneLine(`${fixOf(issue)}${more}`), {
    cause: error,
  });
}
