// The add-on ("app") config.yaml and translation formats as HA's developer docs define them
// ("App configuration", optional/required keys) and as the Supervisor validates them. Strict:
// the Supervisor silently drops unknown keys, so a typo would otherwise go unnoticed.
import { z } from "zod";

const bool = z.boolean();
const versionTag = z.string().regex(/^\d+\.\d+\.\d+([-.][0-9A-Za-z.]+)?$/, "a version like 1.2.3");
const haVersion = z.string().regex(/^\d{4}\.\d{1,2}\.\d+$/, "a Home Assistant version like 2024.10.0");
const urlTemplate = /^(?:https?|\[PROTO:\w+\]|tcp):\/\/\[HOST\]:(\[PORT:\d+\]|\d+).*$/;

export const addonConfigFormat = z
  .object({
    name: z.string().min(1),
    version: versionTag,
    slug: z.string().regex(/^[-_.A-Za-z0-9]+$/, "URI friendly: letters, digits, - _ ."),
    description: z.string().min(1),
    arch: z.array(z.enum(["aarch64", "amd64"])).min(1),
    machine: z.array(z.string()).optional(),
    url: z.url().optional(),
    startup: z.enum(["initialize", "system", "services", "application", "once"]).optional(),
    webui: z
      .string()
      .regex(/^(?:https?|\[PROTO:\w+\]):\/\/\[HOST\]:\[PORT:\d+\].*$/)
      .optional(),
    boot: z.enum(["auto", "manual", "manual_only"]).optional(),
    ports: z
      .record(z.string().regex(/^\d+\/(tcp|udp)$/), z.number().int().min(1).max(65535).nullable())
      .optional(),
    ports_description: z.record(z.string(), z.string()).optional(),
    host_network: bool.optional(),
    host_ipc: bool.optional(),
    host_dbus: bool.optional(),
    host_pid: bool.optional(),
    host_uts: bool.optional(),
    devices: z.array(z.string()).optional(),
    homeassistant: haVersion.optional(),
    hassio_role: z.enum(["default", "homeassistant", "backup", "manager", "admin"]).optional(),
    hassio_api: bool.optional(),
    homeassistant_api: bool.optional(),
    docker_api: bool.optional(),
    privileged: z.array(z.string()).optional(),
    full_access: bool.optional(),
    apparmor: z.union([bool, z.string()]).optional(),
    map: z
      .array(
        z.union([
          z.string(),
          z.object({ type: z.string(), read_only: bool.optional(), path: z.string().optional() }),
        ]),
      )
      .optional(),
    environment: z.record(z.string(), z.string()).optional(),
    audio: bool.optional(),
    video: bool.optional(),
    gpio: bool.optional(),
    usb: bool.optional(),
    uart: bool.optional(),
    udev: bool.optional(),
    devicetree: bool.optional(),
    kernel_modules: bool.optional(),
    stdin: bool.optional(),
    legacy: bool.optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    schema: z.union([z.record(z.string(), z.unknown()), z.literal(false)]).optional(),
    image: z.string().optional(),
    timeout: z.number().int().min(10).max(300).optional(),
    tmpfs: bool.optional(),
    discovery: z.array(z.string()).optional(),
    services: z.array(z.string().regex(/^(mqtt|mysql):(provide|want|need)$/)).optional(),
    auth_api: bool.optional(),
    ingress: bool.optional(),
    ingress_port: z.number().int().min(0).max(65535).optional(),
    ingress_entry: z.string().optional(),
    ingress_stream: bool.optional(),
    panel_icon: z
      .string()
      .regex(/^mdi:[a-z0-9-]+$/, "an MDI icon like mdi:home-battery")
      .optional(),
    panel_title: z.string().optional(),
    panel_admin: bool.optional(),
    backup: z.enum(["hot", "cold"]).optional(),
    backup_pre: z.string().optional(),
    backup_post: z.string().optional(),
    backup_exclude: z.array(z.string()).optional(),
    stage: z.enum(["stable", "experimental", "deprecated"]).optional(),
    init: bool.optional(),
    watchdog: z.string().regex(urlTemplate).optional(),
    realtime: bool.optional(),
    journald: bool.optional(),
    breaking_versions: z.array(versionTag).optional(),
    ulimits: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

interface TranslationEntry {
  name: string;
  description?: string | null | undefined;
  fields?: Record<string, TranslationEntry> | undefined;
}

const translationEntry: z.ZodType<TranslationEntry> = z.lazy(() =>
  z
    .object({
      name: z.string().min(1),
      description: z.string().nullable().optional(),
      fields: z.record(z.string(), translationEntry).optional(),
    })
    .strict(),
);

export const addonTranslationFormat = z
  .object({
    configuration: z.record(z.string(), translationEntry).optional(),
    network: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type AddonTranslation = z.infer<typeof addonTranslationFormat>;

export const repositoryFormat = z
  .object({ name: z.string().min(1), url: z.url().optional(), maintainer: z.string().optional() })
  .strict();
