// addon/Dockerfile read as text: Docker cannot run in CI, so the rules that matter are checked here.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readAddonConfig, readRepoText, repoPath } from "./load-addon-files.js";

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** Instructions with continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of instructions(text)) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const body = rest.join(" ");
    if (keyword.toUpperCase() === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(body);
      const image = (m?.[1] ?? body).replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_s, a: string, b: string) => args[a ?? b] ?? "",
      );
      const stage: Stage = { from: image, lines: [] };
      if (m?.[2]) stage.name = m[2];
      stages.push(stage);
    } else if (keyword.toUpperCase() === "ARG" && stages.length === 0) {
      const [name = "", value = ""] = body.split("=");
      args[name] = value;
    } else {
      stages[stages.length - 1]?.lines.push(line);
    }
  }
  return { args, stages };
}

const text = readRepoText("addon/Dockerfile");
const { stages } = parseDockerfile(text);
const config = readAddonConfig();
const runtime = stages[stages.length - 1]!;
const runtimeText = runtime.lines.join("\n");

describe("addon/Dockerfile", () => {
  it("pins every base image to an exact Node 22 Alpine release and relies on no BUILD_FROM", () => {
    expect(instructions(text).join("\n")).not.toMatch(/BUILD_FROM/);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage.from).toMatch(/^node:22\.\d+\.\d+-alpine\d+\.\d+(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it("compiles the TypeScript in a build stage and ships only production dependencies", () => {
    expect(
      stages.some((s) => s.lines.some((l) => /npm run build|tsc -p tsconfig\.build\.json/.test(l))),
    ).toBe(true);
    const depsStage = stages.find((s) => s.lines.some((l) => /npm ci\b.*--omit=dev/.test(l)));
    expect(depsStage?.name).toBeDefined();
    const copiedModules = runtime.lines.filter((l) => /^COPY\b.*node_modules/.test(l));
    expect(copiedModules).toEqual([`COPY --from=${depsStage?.name} /app/node_modules ./node_modules`]);
    expect(runtimeText).not.toMatch(/npm (ci|install)(?!.*--omit=dev)/);
  });

  it("runs the compiled add-on under an init, as config.yaml's init: false requires", () => {
    expect(config.init).toBe(false);
    expect(runtimeText).toMatch(/ENTRYPOINT \["\/sbin\/tini", "--"\]/);
    const cmd = /CMD (\[.*\])/.exec(runtimeText)?.[1];
    const argv = JSON.parse(cmd ?? "[]") as string[];
    expect(argv[0]).toBe("node");
    expect(argv.at(-1)).toBe("dist/main.js");
  });

  it("starts node with the flags whose footprint bench/footprint.ts measures", () => {
    const cmd = JSON.parse(/CMD (\[.*\])/.exec(runtimeText)?.[1] ?? "[]") as string[];
    const bench = readRepoText("bench/footprint.ts");
    const flags = /NODE_FLAGS = (\[[^\]]*\])/.exec(bench)?.[1];
    expect(flags).toBeDefined();
    const benchFlags = [...flags!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(benchFlags.length).toBeGreaterThan(0);
    expect(cmd.slice(1, -1)).toEqual(benchFlags);
  });

  it("labels the image as the add-on's version and arches", () => {
    expect(runtimeText).toContain(`ARG BUILD_VERSION=${config.version}`);
    expect(runtimeText).toMatch(/io\.hass\.version="\$\{BUILD_VERSION\}"/);
    expect(runtimeText).toMatch(/io\.hass\.type="addon"/);
    const arches = /io\.hass\.arch="([^"]+)"/.exec(runtimeText)?.[1]?.split("|").sort();
    expect(arches).toEqual([...(config.arch as string[])].sort());
  });

  it("health-checks the ingress port", () => {
    expect(runtimeText).toContain(`http://127.0.0.1:${config.ingress_port}/healthz`);
    expect(runtimeText).toContain(`EXPOSE ${config.ingress_port}`);
  });

  it("copies only files that exist and that the ignore file lets through", () => {
    const ignore = readRepoText("addon/Dockerfile.dockerignore");
    const sources = stages
      .flatMap((s) => s.lines)
      .filter((l) => /^COPY\b/.test(l) && !/--from=/.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(repoPath(source)), source).toBe(true);
      expect(ignore, source).toMatch(new RegExp(`^!${source.replace(/[.]/g, "\\.")}(/\\*\\*)?$`, "m"));
    }
  });
});
