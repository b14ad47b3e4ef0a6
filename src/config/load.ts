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

export function toConfigError(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  if (!issue) return new ConfigError("(root)", "invalid options", "Check the add-on configuration.");
  const option = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
  const fix =
    issue.code === "invalid_type" && issue.input === undefined
      ? "Set it in the add-on configuration."
      : "Correct it in the add-on configuration.";
  return new ConfigError(option, issue.message, fix, { cause: error });
}
