// Reading a scenario file for the CLI, the demo and the benchmarks: every way it can be wrong
// (unreadable, not JSON, not the format) becomes one InputError line naming the file and field.
import { readFile } from "node:fs/promises";
import { errorMessage, InputError } from "../errors.js";
import { parseScenario, type Scenario } from "./schema.js";

export async function readScenarioFile(file: string | URL): Promise<Scenario> {
  const name = file instanceof URL ? file.pathname : file;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(
      name,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(name, `not valid JSON (${errorMessage(error)})`);
  }
  return parseScenario(json, name);
}
