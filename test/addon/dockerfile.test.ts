// addon/Dockerfile and the add-on's install route read as text. .ci/image-rehearsal.sh builds and
// runs the image for real; these are the rules that keep it buildable by the Supervisor (context
// addon/ alone) and in step with config.yaml, package.json, the release workflow and the bench.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readAddonConfig, readRepoText, repoPath } from "./load-addon-files.js";

interface Instruction {
  keyword: string;
  body: string;
}

/** Instructions with continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), body: rest.join(" ").replace(/\s+/g, " ") };
    });
}

function argDefault(list: Instruction[], name: string): string | undefined {
  const arg = list.find((i) => i.keyword === "ARG" && i.body.startsWith(`${name}=`));
  return arg?.body.slice(name.length + 1);
}

function labels(list: Instruction[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of list.filter((i) => i.keyword === "LABEL"))
    for (const m of i.body.matchAll(/([\w.-]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

const list = instructions(readRepoText("addon/Dockerfile"));
const config = readAddonConfig();
const pkg = JSON.parse(readRepoText("package.json")) as { name: string; files: string[] };
/** A Dockerfile variable reference, `${NAME}`. */
const ref = (name: string): string => "$" + `{${name}}`;
const ingressPort = (config.ingress_port as number | undefined) ?? 8099;
const cmd = JSON.parse(list.find((i) => i.keyword === "CMD")?.body ?? "[]") as string[];

describe("addon/Dockerfile builds from addon/ alone, as the Supervisor builds it", () => {
  it("takes nothing from its context and sends none of it to the builder", () => {
    expect(list.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")).toEqual([]);
    expect(readRepoText("addon/Dockerfile.dockerignore")).toMatch(/^\*\*$/m);
  });

  it("is one stage on BUILD_FROM, whose default is an exact Node 22 Debian release", () => {
    const froms = list.filter((i) => i.keyword === "FROM");
    expect(froms.map((i) => i.body)).toEqual([ref("BUILD_FROM")]);
    expect(list.indexOf(list.find((i) => i.keyword === "ARG" && i.body.startsWith("BUILD_FROM="))!)).toBe(0);
    // glibc like the rehearsal's stand-in base (and serialport's prebuilt binding); multi-arch.
    expect(argDefault(list, "BUILD_FROM")).toMatch(
      /^node:22\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/,
    );
    // The rehearsal's stand-in base carries the same Node release.
    const standIn = /^NODE_VERSION=(\S+)$/m.exec(readRepoText("test/image/base.env"))?.[1];
    expect(argDefault(list, "BUILD_FROM")).toMatch(new RegExp(`^node:${standIn?.replace(/\./g, "\\.")}-`));
    // Since Supervisor 2026.04 a build.yaml only brings a deprecation warning.
    expect(existsSync(repoPath("addon/build.yaml")) || existsSync(repoPath("addon/build.json"))).toBe(false);
  });

  it("installs this package at the add-on's version from the npm registry", () => {
    const install = list.find((i) => i.keyword === "RUN" && /npm install\b/.test(i.body));
    expect(install?.body).toContain(`"${pkg.name}@${ref("BUILD_VERSION")}"`);
    expect(install?.body).toMatch(/--omit=dev/);
    expect(install?.body).toContain(`--registry "${ref("NPM_REGISTRY")}"`);
    expect(argDefault(list, "NPM_REGISTRY")).toBe("https://registry.npmjs.org/");
    expect(argDefault(list, "BUILD_VERSION")).toBe(config.version);
    expect(config.arch as string[]).toContain(argDefault(list, "BUILD_ARCH"));
  });

  it("runs the installed package's dist/main.js, which the npm package ships", () => {
    const workdir = list.filter((i) => i.keyword === "WORKDIR").at(-1)?.body;
    expect(workdir).toBe(`/usr/local/lib/node_modules/${pkg.name}`);
    expect(cmd[0]).toBe("node");
    expect(cmd.at(-1)).toBe("dist/main.js");
    expect(pkg.files).toContain("dist");
  });

  it("starts node with the flags whose footprint bench/footprint.ts measures", () => {
    const bench = readRepoText("bench/footprint.ts");
    const flags = /NODE_FLAGS = (\[[^\]]*\])/.exec(bench)?.[1];
    expect(flags).toBeDefined();
    const benchFlags = [...flags!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(benchFlags.length).toBeGreaterThan(0);
    expect(cmd.slice(1, -1)).toEqual(benchFlags);
  });

  it("runs under tini as PID 1, as config.yaml's init: false requires", () => {
    expect(config.init).toBe(false);
    const entrypoint = JSON.parse(list.find((i) => i.keyword === "ENTRYPOINT")?.body ?? "[]");
    expect(entrypoint).toEqual(["/usr/bin/tini", "--"]);
    expect(list.some((i) => i.keyword === "RUN" && /apt-get install .*\btini\b/.test(i.body))).toBe(true);
  });

  it("labels the image with the version and arch it was built for, as an app", () => {
    const l = labels(list);
    expect(l["io.hass.version"]).toBe(ref("BUILD_VERSION"));
    expect(l["io.hass.arch"]).toBe(ref("BUILD_ARCH"));
    // The Supervisor stamps its own builds "app" now; "addon" is its legacy name.
    expect(l["io.hass.type"]).toBe("app");
    expect(l["io.hass.url"]).toBe(config.url);
  });

  it("health-checks /healthz on the ingress port, which is the Supervisor's watchdog now", () => {
    const health = list.find((i) => i.keyword === "HEALTHCHECK")?.body ?? "";
    expect(health).toContain(`http://127.0.0.1:${ingressPort}/healthz`);
    expect(list.some((i) => i.keyword === "EXPOSE" && i.body === String(ingressPort))).toBe(true);
    // The add-on linter rejects `watchdog`: Docker's health state replaced it.
    expect(config.watchdog).toBeUndefined();
  });
});

describe("addon/config.yaml's install keys", () => {
  it("leaves out keys at the Supervisor's defaults, which the add-on linter rejects", () => {
    const defaults: Record<string, unknown> = {
      startup: "application",
      boot: "auto",
      init: true,
      apparmor: true,
      ingress_port: 8099,
      timeout: 10,
      uart: false,
      stage: "stable",
    };
    const atDefault = Object.entries(defaults).filter(([key, value]) => config[key] === value);
    expect(atDefault).toEqual([]);
  });

  it("gives the stop path time to put the inverter back to self-use", () => {
    // The stop path's own deadline is ~25 s (restore ~20 s); the Supervisor kills at `timeout`.
    expect(config.timeout).toBeGreaterThanOrEqual(30);
  });

  it("maps no serial ports wholesale: the chosen adapter is a device option", () => {
    expect(config.uart).toBeUndefined();
    expect(JSON.stringify(config.schema)).toContain("device(subsystem=tty)");
  });

  it("ships one AppArmor profile, named for the slug, and leaves AppArmor on", () => {
    expect(config.apparmor).not.toBe(false);
    const profile = readFileSync(repoPath("addon/apparmor.txt"), "utf8");
    const names = [...profile.matchAll(/^profile (\S+)/gm)].map((m) => m[1]);
    expect(names).toEqual([config.slug]);
    for (const path of ["/usr/bin/tini", "/usr/local/bin/node", "/data/**"])
      expect(profile).toContain(`${path} `);
  });

  it("pulls the image the release workflow pushes, for the arches it builds", () => {
    const release = parse(readRepoText(".github/workflows/release.yaml")) as {
      env: { ARCHITECTURES: string; IMAGE_NAME: string };
    };
    expect(config.image).toBe(`ghcr.io/battery-planner/{arch}-${release.env.IMAGE_NAME}`);
    expect([...(JSON.parse(release.env.ARCHITECTURES) as string[])].sort()).toEqual(
      [...(config.arch as string[])].sort(),
    );
    const repository = parse(readRepoText("repository.yaml")) as { url: string };
    expect(config.url).toBe(repository.url);
  });
});
