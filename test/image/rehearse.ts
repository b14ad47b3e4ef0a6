// Runs the built add-on image as the Supervisor would run it and checks what a user's first start
// needs: it connects to Home Assistant (the simulator, on loopback, behind a stand-in for the
// Supervisor's proxy at http://supervisor/core with SUPERVISOR_TOKEN), plans, serves /healthz (also
// through the image's own HEALTHCHECK command) and the ingress page, and on SIGTERM puts the
// inverter back to self-use and exits 0 within config.yaml's `timeout`. Called by
// .ci/image-rehearsal.sh, which built the image; the container runs under runc (buildah run
// --isolation oci) in the host's network, tini as its PID 1.
//
//   npx tsx test/image/rehearse.ts --image localhost/battery-planner:0.1.0 --root <buildah root>
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { bindingFromOptions } from "../../src/control/ha-services/index.js";
import { entityIdFor } from "../../src/control/ha-services/resolve.js";
import { parseScenario } from "../../src/scenario/index.js";
import { startHaSimForScenario } from "../../src/sim/ha/index.js";
import { seedStates } from "../control/ha-services/sim-setup.js";
import { buildah, imageConfig, storeArgs } from "./buildah.js";
import { startSupervisorProxy } from "./supervisor-proxy.js";

const { values } = parseArgs({
  options: {
    image: { type: "string" },
    root: { type: "string" },
    runroot: { type: "string" },
    version: { type: "string" },
    arch: { type: "string" },
  },
});
if (!values.image || !values.root || !values.runroot || !values.version || !values.arch)
  throw new Error("--image, --root, --runroot, --version and --arch are needed");
const store = { root: values.root, runroot: values.runroot };
const repo = new URL("../../", import.meta.url);
const addon = parse(await readFile(new URL("addon/config.yaml", repo), "utf8")) as {
  timeout: number;
  ingress_port?: number;
};
const port = addon.ingress_port ?? 8099;

let failures = 0;
function check(ok: boolean, what: string, detail = ""): void {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ` (${detail})` : ""}`);
  if (!ok) failures++;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// A GivEnergy home on Octopus Agile with a Solcast forecast, moved to today: the add-on plans from
// the real clock.
const raw = JSON.parse(
  await readFile(
    new URL("test/fixtures/scenarios/real-agile-20180607-big-20-agile-forecast.json", repo),
    "utf8",
  ),
);
const dayMs = 86_400_000;
raw.start = new Date(Math.floor(Date.now() / dayMs) * dayMs).toISOString();
const scenario = parseScenario(raw);
const token = "rehearsal-token";
const { sim, seed } = await startHaSimForScenario(scenario, { token });
const options = {
  ...seed.options,
  control: { method: "ha_services", profile: "givtcp", entity_prefix: "givtcp_ce1234" },
  mqtt: { mode: "never" },
  log_level: "info",
};
const binding = bindingFromOptions(parseConfig(options).control);
for (const state of seedStates(binding)) {
  if (!sim.getState(state.entity_id)) sim.setState(state.entity_id, state.state, state.attributes);
}
const entity = (role: string) => entityIdFor(binding, role)!;

const dataDir = await mkdtemp(join(tmpdir(), "bp-image-data-"));
await writeFile(join(dataDir, "options.json"), JSON.stringify(options));
// "supervisor" is the Supervisor on the hassio network; here it is this proxy on loopback port 80.
const proxy = await startSupervisorProxy(sim.url, 80).catch((error: Error) => {
  throw new Error(`cannot listen on 127.0.0.1:80 for the Supervisor's stand-in: ${error.message}`);
});
const hostsFile = join(dataDir, "..", `${dataDir.split("/").at(-1)}.hosts`);
await writeFile(hostsFile, "127.0.0.1 localhost\n127.0.0.1 supervisor\n");

const config = await imageConfig(store, values.image);
const argv = [...config.entrypoint, ...config.cmd];
console.log(`image ${values.image}: ${argv.join(" ")} in ${config.workingDir}`);
const labels = config.labels;
check(
  labels["io.hass.version"] === values.version && labels["io.hass.arch"] === values.arch,
  "is labelled with the version and arch it was built for",
  `${labels["io.hass.version"]} ${labels["io.hass.arch"]}`,
);
check(labels["io.hass.type"] === "app", "is labelled an app", labels["io.hass.type"]);
check(config.exposedPorts.includes(`${port}/tcp`), `exposes ${port}`, config.exposedPorts.join(" "));
const created = await buildah(store, ["from", "--pull=never", values.image]);
if (created.code !== 0) throw new Error(`buildah from: ${created.stderr.trim()}`);
const container = created.stdout.trim();

const log: string[] = [];
let child: ChildProcess | undefined;
try {
  // What the Supervisor gives an add-on: /data with options.json, SUPERVISOR_TOKEN for its proxy
  // to Home Assistant, the network, a stop signal.
  child = spawn(
    "buildah",
    [
      ...storeArgs(store),
      "run",
      "--isolation",
      "oci",
      "--network",
      "host",
      "--volume",
      `${dataDir}:/data`,
      "--no-hosts",
      "--volume",
      `${hostsFile}:/etc/hosts:ro`,
      "--env",
      `SUPERVISOR_TOKEN=${token}`,
      container,
      "--",
      ...argv,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
  for (const stream of [child.stdout!, child.stderr!])
    stream.on("data", (chunk: Buffer) => log.push(...chunk.toString().split("\n").filter(Boolean)));

  const connected = await waitFor(() => sim.connectionCount() > 0, 60_000);
  check(
    connected === true,
    "connects to Home Assistant through http://supervisor/core with SUPERVISOR_TOKEN",
  );
  const plan = await waitFor(() => sim.getState("sensor.battery_planner_plan"), 90_000);
  const slots = (plan?.attributes.plan as unknown[] | undefined)?.length ?? 0;
  check(slots > 0, "plans and publishes the plan", `${slots} slots`);
  const status = await waitFor(() => sim.getState("sensor.battery_planner_status"), 60_000);
  check(status !== undefined && status.state !== "error", "publishes its status", status?.state ?? "none");

  const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch((error: Error) => error);
  check(
    !(health instanceof Error) && health.ok,
    `serves /healthz on port ${port}`,
    health instanceof Error ? health.message : `HTTP ${health.status}`,
  );
  const ingressPath = "/api/hassio_ingress/rehearsal";
  const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-ingress-path": ingressPath } })
    .then(async (r) => ({ status: r.status, body: await r.text() }))
    .catch((error: Error) => ({ status: 0, body: error.message }));
  check(
    page.status === 200 && page.body.includes(ingressPath),
    "serves the plan page under its ingress path",
    `HTTP ${page.status}`,
  );
  // Refusing peers other than the ingress proxy is tested in test/web against the same server; the
  // rehearsal stays on loopback (no traffic to this machine's other addresses).
  if (config.healthcheck) {
    const probe = await buildah(store, [
      "run",
      "--isolation",
      "oci",
      "--network",
      "host",
      container,
      "--",
      ...config.healthcheck,
    ]);
    check(
      probe.code === 0,
      "the image's HEALTHCHECK command passes inside the container",
      `exit ${probe.code}`,
    );
  } else check(false, "the image has a HEALTHCHECK (build with --format docker)");

  // Someone (an automation, the app) left the inverter exporting: the stop path must undo it.
  sim.setState(entity("mode"), "Timed Export", sim.getState(entity("mode"))?.attributes ?? {});
  sim.setState(
    entity("discharge_schedule"),
    "on",
    sim.getState(entity("discharge_schedule"))?.attributes ?? {},
  );
  const callsBefore = sim.serviceCalls.length;
  const init = await containerInit(child.pid!);
  check(
    init?.cmd.startsWith("/usr/bin/tini ") === true,
    "tini is the container's PID 1",
    init ? `host pid ${init.pid}: ${init.cmd}` : "not found",
  );
  const stopStartMs = Date.now();
  // As `docker stop` does: SIGTERM to PID 1, SIGKILL after the Supervisor's timeout.
  if (init) process.kill(init.pid, "SIGTERM");
  const killer = setTimeout(() => init && process.kill(init.pid, "SIGKILL"), addon.timeout * 1000);
  const code = await exited;
  clearTimeout(killer);
  const stopMs = Date.now() - stopStartMs;
  child = undefined;
  check(code === 0, "exits 0 on SIGTERM", `exit ${code}`);
  check(
    stopMs < addon.timeout * 1000,
    `stops within config.yaml's timeout of ${addon.timeout} s`,
    `${stopMs} ms`,
  );
  const mode = sim.getState(entity("mode"))?.state;
  const discharge = sim.getState(entity("discharge_schedule"))?.state;
  check(
    mode === "Eco" && discharge === "off",
    "puts the inverter back to self-use before it exits",
    `${entity("mode")}=${mode}, ${entity("discharge_schedule")}=${discharge}, ${sim.serviceCalls.length - callsBefore} service calls after SIGTERM`,
  );
  check(
    log.some((line) => line.includes("inverter back in self-use")),
    "says so in its log",
  );
} finally {
  if (child) child.kill("SIGKILL");
  await buildah(store, ["rm", container]);
  await proxy.close();
  await sim.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(hostsFile, { force: true });
}
if (failures > 0) {
  console.log("--- add-on log ---");
  for (const line of log) console.log(line);
}
process.exit(failures === 0 ? 0 : 1);

/** The container's PID 1 as the host sees it: a descendant of `buildah run` in its own PID
 * namespace (NSpid ends in 1). */
async function containerInit(ancestor: number): Promise<{ pid: number; cmd: string } | undefined> {
  const found = await waitFor(async () => {
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const status = await readFile(`/proc/${entry}/status`, "utf8").catch(() => "");
      const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/);
      if (!nspid || nspid.length < 2 || nspid.at(-1) !== "1") continue;
      if (!(await descends(Number(entry), ancestor))) continue;
      const cmd = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0").join(" ").trim();
      return { pid: Number(entry), cmd };
    }
    return undefined;
  }, 10_000);
  return found;
}

async function descends(pid: number, ancestor: number): Promise<boolean> {
  for (let p = pid; p > 1; ) {
    const status = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    if (parent === ancestor) return true;
    p = parent;
  }
  return false;
}
