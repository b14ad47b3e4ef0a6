// A real MQTT broker for integration tests: Debian's mosquitto on a free loopback port with a
// generated config. Missing mosquitto fails loudly (never a skip): CI installs it via .ci/run.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CANDIDATES = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"];

export interface Mosquitto {
  host: string;
  port: number;
  url: string;
  /** Everything the broker wrote to stderr/stdout, for failure messages. */
  output(): string;
  /** Stops the broker (SIGTERM, so a persistent one saves its database) and starts it again on the
   * same port with the same config after `downMs`. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Keep retained messages and sessions across restart() in the broker's own database. */
  persistence?: boolean;
  /** Log every packet (`log_type all`), e.g. to see which client published what after a restart. */
  logPackets?: boolean;
}

function findBinary(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      "mosquitto is not installed (looked in " +
        CANDIDATES.join(", ") +
        "). Install the Debian package: apt-get install -y mosquitto (.ci/run does this).",
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) {
      throw new Error(`mosquitto exited with code ${child.exitCode}: ${output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on 127.0.0.1:${port}: ${output()}`);
}

/** Starts a broker; retries with another port when the chosen one was taken in the meantime. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = findBinary();
  const dir = await mkdtemp(join(tmpdir(), "bp-mosquitto-"));
  let lastError: unknown;
  let log = "";
  const launch = (configPath: string): ChildProcess => {
    const child = spawn(binary, ["-c", configPath], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    return child;
  };
  const halt = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configPath = join(dir, "mosquitto.conf");
    await writeFile(
      configPath,
      [
        `listener ${port} 127.0.0.1`,
        "allow_anonymous true",
        ...(options.persistence
          ? ["persistence true", `persistence_location ${dir}/`]
          : ["persistence false"]),
        // Started as root, mosquitto drops to user "mosquitto", which cannot write our 0700 temp dir.
        ...(options.persistence && process.getuid?.() === 0 ? ["user root"] : []),
        ...(options.logPackets ? ["log_type all"] : []),
        "log_dest stderr",
        "",
      ].join("\n"),
    );
    let child = launch(configPath);
    try {
      await waitForListening(port, child, () => log);
    } catch (error) {
      lastError = error;
      child.kill("SIGKILL");
      continue;
    }
    return {
      host: "127.0.0.1",
      port,
      url: `mqtt://127.0.0.1:${port}`,
      output: () => log,
      restart: async (downMs = 1_000) => {
        await halt(child);
        await new Promise((resolve) => setTimeout(resolve, downMs));
        child = launch(configPath);
        await waitForListening(port, child, () => log);
      },
      stop: async () => {
        await halt(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
