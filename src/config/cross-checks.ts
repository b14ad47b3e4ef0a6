// Checks that need more than one option: a source without the entities it reads, a control method
// without what it talks to. Each names the option to set and how, so a wrong configuration stops
// at start-up with one line instead of a plan that silently has no rates.
import type { z } from "zod";
import { HA_SERVICE_PROFILES } from "../control/ha-services/profiles/index.js";
import { entityIdFor, missingSettings } from "../control/ha-services/resolve.js";

interface TariffLike {
  source: string;
  entities: string[];
  config_entry?: string | undefined;
  bands: unknown[];
  default_price?: number | undefined;
}

/** The parts of the parsed options these checks read. */
export interface CrossCheckedOptions {
  import_tariff: TariffLike;
  export_tariff?: TariffLike | undefined;
  solar: { source: string; entities: string[] };
  control: {
    method: string;
    profile: string;
    entities: Record<string, string>;
    entity_prefix?: string | undefined;
    values: Record<string, string>;
  };
}

type Issue = { path: (string | number)[]; message: string; fix: string };

const RATE_ENTITIES: Record<string, string> = {
  octopus:
    "List the Octopus Energy integration's current_day_rates and next_day_rates event entities (installs before its 9.0.1 created them disabled: enable them under the integration's entities)",
  nordpool: "List the Nord Pool sensor, e.g. sensor.nordpool_kwh_se3_sek_3_10_025",
};

function tariffIssues(key: "import_tariff" | "export_tariff", tariff: TariffLike): Issue[] {
  const hint = RATE_ENTITIES[tariff.source];
  if (hint && tariff.entities.length === 0) {
    return [
      {
        path: [key, "entities"],
        message: `source ${tariff.source} reads rate entities, and none is set`,
        fix: hint,
      },
    ];
  }
  if (tariff.source === "nordpool_core" && !tariff.config_entry) {
    return [
      {
        path: [key, "config_entry"],
        message: "source nordpool_core needs the Nord Pool config entry",
        fix: "Set it to the config entry id (Settings → Devices & services → Nord Pool → the entry's URL ends with it)",
      },
    ];
  }
  if (tariff.source === "amber" && tariff.entities.length === 0 && !tariff.config_entry) {
    return [
      {
        path: [key, "entities"],
        message: "source amber needs the Amber forecast sensor or the config entry",
        fix: `Set ${key}.entities to the forecast sensor, or ${key}.config_entry`,
      },
    ];
  }
  if (tariff.source === "fixed" && tariff.bands.length === 0 && tariff.default_price === undefined) {
    return [
      {
        path: [key, "default_price"],
        message: "source fixed has no bands and no default_price, so there is no price",
        fix: `Set ${key}.default_price (a flat price) or ${key}.bands`,
      },
    ];
  }
  return [];
}

// A Modbus method without a host is refused at start by the add-on (app.ts), which names
// control.modbus.host: test rigs hand the runtime a Modbus controller of their own.
function controlIssues(control: CrossCheckedOptions["control"]): Issue[] {
  if (control.method !== "ha_services") return [];
  const profile = HA_SERVICE_PROFILES[control.profile];
  if (!profile) return []; // control.profile's own enum check reports it
  const unknown = Object.keys(control.entities).filter((role) => !(role in profile.roles));
  if (unknown.length > 0) {
    return [
      {
        path: ["control", "entities", unknown[0]!],
        message: `the ${profile.name} profile has no role ${unknown[0]}`,
        fix: `Its roles are ${Object.keys(profile.roles).join(", ")}`,
      },
    ];
  }
  const binding = {
    profile,
    entities: control.entities,
    values: control.values,
    ...(control.entity_prefix !== undefined ? { prefix: control.entity_prefix } : {}),
  };
  if (profile.prefixNeeded && control.entity_prefix === undefined) {
    const unmapped = Object.entries(profile.roles).filter(
      ([role, { defaultEntity }]) => defaultEntity?.includes("{prefix}") && !control.entities[role],
    );
    if (unmapped.length > 0) {
      const [role] = unmapped[0]!;
      return [
        {
          path: ["control", "entity_prefix"],
          message: `the ${profile.name} profile needs the start of its entity ids (${role} would be ${entityIdFor(binding, role)})`,
          fix: `Set control.entity_prefix to ${profile.prefixNeeded}`,
        },
      ];
    }
  }
  const missing = missingSettings(binding);
  if (missing.length === 0) return [];
  return [
    {
      path: missing[0]!.split("."),
      message: `the ${profile.name} profile needs ${missing.join(", ")}`,
      fix: profile.notes.join(" ") || "Set them in the add-on's configuration",
    },
  ];
}

export function checkAcrossOptions(options: CrossCheckedOptions, ctx: z.RefinementCtx): void {
  const issues = [
    ...tariffIssues("import_tariff", options.import_tariff),
    ...(options.export_tariff ? tariffIssues("export_tariff", options.export_tariff) : []),
    ...(["solcast", "forecast_solar"].includes(options.solar.source) && options.solar.entities.length === 0
      ? [
          {
            path: ["solar", "entities"],
            message: `source ${options.solar.source} reads forecast sensors, and none is set`,
            fix: "List the forecast sensors (e.g. Solcast's forecast_today and forecast_tomorrow), or set solar.source to none",
          },
        ]
      : []),
    ...controlIssues(options.control),
  ];
  for (const issue of issues) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, params: { fix: issue.fix } });
  }
}
