// addon/config.yaml against the Supervisor's real rules (the port in supervisor-options.ts): what
// the configuration page accepts must start the add-on, and what the add-on accepts must pass the
// page. A dropdown value, a range or an option the two disagree on is the failure this catches
// (slot_minutes 20 once passed the page and then stopped the add-on).
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { configSchema } from "../../src/config/schema.js";
import { ConfigError } from "../../src/errors.js";
import { addonConfigFormat, addonTranslationFormat } from "./ha-addon-format.js";
import { docsCompleteExample, readAddonConfig, readRepoText, readRepoYaml } from "./load-addon-files.js";
import {
  AddonOptionsValidator,
  humanize,
  SupervisorInvalid,
  schemaDefinitionProblems,
} from "./supervisor-options.js";

const config = readAddonConfig();
const supervisor = new AddonOptionsValidator(config.schema, {
  name: config.name as string,
  slug: config.slug as string,
});

type Options = Record<string, Record<string, unknown>>;

/** What the Supervisor says: the options it writes to /data/options.json, or its message. */
function supervisorSays(options: unknown): { ok: true; written: Options } | { ok: false; message: string } {
  try {
    return { ok: true, written: supervisor.validate(options) as Options };
  } catch (error) {
    if (error instanceof SupervisorInvalid) return { ok: false, message: humanize(options, error) };
    throw error;
  }
}

/** The defaults with what a person types (size and limits) and what detection finds at start. */
function completed(): Options {
  const options = structuredClone(config.options) as Options;
  Object.assign(options.battery!, {
    soc_entity: "sensor.givtcp_ce1234g567_soc",
    capacity_kwh: 9.5,
    max_charge_kw: 3.6,
    max_discharge_kw: 3.6,
  });
  Object.assign(options.import_tariff!, { source: "octopus", entities: ["event.octopus_current_day_rates"] });
  return options;
}

function set(options: Options, path: string, value: unknown): Options {
  const copy = structuredClone(options);
  const keys = path.split(".");
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return copy;
}

describe("addon/config.yaml", () => {
  it("is a valid add-on configuration", () => {
    const result = addonConfigFormat.safeParse(config);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(
      [],
    );
  });

  it("has the version of package.json", () => {
    const pkg = JSON.parse(readRepoText("package.json")) as { version: string };
    expect(config.version).toBe(pkg.version);
  });

  it("only uses option types the Supervisor knows", () => {
    expect(schemaDefinitionProblems(config.schema)).toEqual([]);
    expect(schemaDefinitionProblems({ a: "string", b: [["str"]] })).toEqual([
      "schema.a: 'string' is not an option type",
      "schema.b[0]: a list may not directly contain another list",
    ]);
  });

  it("has translations in the format the Supervisor reads", () => {
    expect(addonTranslationFormat.safeParse(readRepoYaml("addon/translations/en.yaml")).success).toBe(true);
  });

  it("serves ingress on a fixed port with a panel", () => {
    expect(config).toMatchObject({ ingress: true, homeassistant_api: true });
    expect(config.ingress_port ?? 8099).toBe(8099);
    expect(config.services).toContain("mqtt:want");
  });
});

describe("the Supervisor's validation of the add-on's options", () => {
  it("will not start the add-on until the battery's size and limits are set: no made-up defaults", () => {
    const battery = config.options.battery as Record<string, unknown>;
    const asked = Object.keys(battery).filter((key) => battery[key] === null);
    expect(asked).toEqual(["capacity_kwh", "max_charge_kw", "max_discharge_kw"]);
    expect(supervisorSays(config.options)).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^Missing required option 'capacity_kwh' in Battery Planner \(battery_planner\)\. Got /,
      ),
    });
  });

  it("starts the add-on without the SOC sensor and the tariff source, which detection finds", () => {
    const options = set(set(completed(), "battery.soc_entity", undefined), "import_tariff.source", undefined);
    const said = supervisorSays(options);
    expect(said.ok).toBe(true);
    // Had detection found nothing, the add-on names what is missing.
    expect(() => parseConfig(said.ok ? said.written : {})).toThrow(
      /option 'battery\.soc_entity': is required/,
    );
  });

  it("accepts the defaults once completed, and the add-on accepts what the Supervisor writes", () => {
    const said = supervisorSays(completed());
    expect(said.ok).toBe(true);
    if (said.ok) expect(parseConfig(said.written).planner.slot_minutes).toBe(30);
  });

  it("accepts DOCS.md's complete example, and the add-on accepts what the Supervisor writes", () => {
    const said = supervisorSays(docsCompleteExample());
    expect(said).toMatchObject({ ok: true });
    if (said.ok) expect(parseConfig(said.written).control.profile).toBe("givtcp");
  });

  it.each([
    ["planner.slot_minutes", 20, "value must be one of ['15', '30', '5', '60']"],
    ["battery.capacity_kwh", 0, "value must be at least 0.1"],
    ["battery.max_charge_kw", 0, "value must be at least 0.1"],
    ["battery.charge_efficiency", 0, "value must be at least 0.5"],
    [
      "battery.capacity_kwh",
      undefined,
      "Missing option 'capacity_kwh' in battery in Battery Planner (battery_planner)",
    ],
    ["battery.soc_entity", "battery soc", "does not match regular expression ^[a-z_]+\\.[a-z0-9_]+$"],
    ["control.profile", "givtpc", "value must be one of ['foxess', 'generic', 'givtcp',"],
    ["mqtt.mode", "sometimes", "value must be one of ['always', 'auto', 'never']"],
    ["import_tariff.source", "octopus_agile", "value must be one of ['amber', 'fixed', 'nordpool',"],
  ])("refuses %s = %j with the Supervisor's message", (path, value, message) => {
    const said = supervisorSays(set(completed(), path, value));
    expect(said.ok).toBe(false);
    if (!said.ok) expect(said.message.startsWith(message)).toBe(true);
  });
});

// Every option, probed with values at and beyond its limits: whatever the page accepts, the
// add-on must accept as the Supervisor writes it; whatever the add-on accepts, the page must too.
describe("the page and the add-on agree on every option", () => {
  const leaves: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === "string") leaves.push(prefix);
    else if (node && typeof node === "object" && !Array.isArray(node))
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  walk(config.schema, "");
  const PROBES: unknown[] = [
    -1,
    0,
    0.05,
    0.1,
    0.5,
    1,
    1.01,
    4,
    5,
    7.5,
    20,
    30,
    60,
    72,
    100,
    255,
    600,
    1000,
    1440,
    65535,
    1e6,
    "30",
    "5",
    "x",
    "",
    "18:00",
    "24:00",
    "sensor.x",
    "notify.phone",
    "Europe/London",
    "fixed",
    "auto",
    "octopus",
    "givtcp",
    "sunspec",
    "debug",
    true,
    false,
  ];

  // Where the page cannot be as strict as the add-on, and why.
  const ADD_ON_STRICTER: Record<string, string> = {
    timezone: "no Supervisor type holds the IANA zones; the add-on names a wrong one at start",
  };
  const PAGE_STRICTER: Record<string, string> = {
    "control.modbus.serial_port": "a device option offers only the host's devices",
  };

  it.each(leaves)("%s", (path) => {
    const disagreements: string[] = [];
    for (const probe of PROBES) {
      const raw = set(completed(), path, probe);
      const said = supervisorSays(raw);
      const written = said.ok ? configSchema.safeParse(said.written) : undefined;
      // Cross-option checks (a source without its entities) are the add-on's own, past the page.
      const ownIssues =
        written?.success === false
          ? written.error.issues.filter((i) => !(i.code === "custom" && (i.params as { fix?: string })?.fix))
          : [];
      if (said.ok && ownIssues.length > 0 && !(path in ADD_ON_STRICTER))
        disagreements.push(
          `${JSON.stringify(probe)}: page accepts, add-on refuses (${ownIssues[0]!.message})`,
        );
      const direct = configSchema.safeParse(raw);
      if (direct.success && !said.ok && !(path in PAGE_STRICTER))
        disagreements.push(
          `${JSON.stringify(probe)}: add-on accepts, page refuses (${said.message.slice(0, 80)})`,
        );
    }
    expect(disagreements).toEqual([]);
  });

  it("notices a disagreement (the old slot_minutes type int(5,60))", () => {
    const old = structuredClone(config.schema) as Options;
    old.planner!.slot_minutes = "int(5,60)";
    const written = new AddonOptionsValidator(old, { name: "x", slug: "x" }).validate(
      set(completed(), "planner.slot_minutes", 20),
    );
    expect(() => parseConfig(written)).toThrow(ConfigError);
  });
});
