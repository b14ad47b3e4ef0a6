// The profile registry. Each profile is a data file in profiles/; it is validated on first use so
// that a broken profile names itself and the field, instead of writing nonsense to an inverter.
import { ConfigError } from "../../errors.js";
import { ModbusProfileError } from "./errors.js";
import { type ModbusProfile, type ModbusProfileInput, profileSchema } from "./profile-schema.js";
import { huaweiSun2000Profile } from "./profiles/huawei-sun2000.js";
import { solaxGen4Profile } from "./profiles/solax-gen4.js";
import { sungrowShProfile } from "./profiles/sungrow-sh.js";
import { sunspecProfile } from "./profiles/sunspec.js";
import { victronGxProfile } from "./profiles/victron-gx.js";

const SOURCES: readonly ModbusProfileInput[] = [
  sunspecProfile,
  sungrowShProfile,
  victronGxProfile,
  huaweiSun2000Profile,
  solaxGen4Profile,
];

const cache = new Map<string, ModbusProfile>();

export function parseModbusProfile(input: unknown): ModbusProfile {
  const result = profileSchema.safeParse(input);
  if (!result.success) {
    const name = (input as { name?: unknown } | null)?.name;
    const issue = result.error.issues[0];
    throw new ModbusProfileError(
      `Modbus profile '${String(name)}' is invalid at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "?"}`,
    );
  }
  return result.data;
}

export interface ModbusProfileSummary {
  name: string;
  title: string;
  description: string;
  defaultUnitId: number;
}

export function listModbusProfiles(): ModbusProfileSummary[] {
  return SOURCES.map(({ name, title, description, defaultUnitId }) => ({
    name,
    title,
    description,
    defaultUnitId,
  }));
}

/** The validated profile, or a ConfigError naming the option and the profiles that exist. */
export function loadModbusProfile(name: string): ModbusProfile {
  const cached = cache.get(name);
  if (cached) return cached;
  const source = SOURCES.find((p) => p.name === name);
  if (!source) {
    throw new ConfigError(
      "control.modbus.profile",
      `unknown Modbus profile '${name}'`,
      `Use one of: ${SOURCES.map((p) => p.name).join(", ")}`,
    );
  }
  const profile = parseModbusProfile(source);
  cache.set(name, profile);
  return profile;
}
