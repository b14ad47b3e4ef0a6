// Human-readable log lines for the add-on log, one namespace per part. Lines go to stderr so that
// CLI output on stdout (JSON plans, tables) stays machine-readable.

export type LogLevel = "trace" | "debug" | "info" | "notice" | "warning" | "error" | "fatal";

const RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  notice: 3,
  warning: 4,
  error: 5,
  fatal: 6,
};

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(namespace: string): Logger;
}

export type LogSink = (line: string) => void;

let threshold: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? "info";
let sink: LogSink = (line) => process.stderr.write(`${line}\n`);

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Tests capture log lines with this; returns a function that restores the previous sink. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

// Secrets must never reach the log, whatever a library puts into an error message: JWTs (HA's
// access and Supervisor tokens), a URL's user:password@ (HA_URL may carry it for a reverse proxy),
// bearer headers, token query parameters and JSON token fields.
const SECRETS: [RegExp, string][] = [
  [/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{5,}/g, "***"],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, "$1***@"],
  [/\b(bearer\s+)[\w.~+/-]+=*/gi, "$1***"],
  [/([?&](?:access_token|token|password|api_key|apikey)=)[^&#\s]+/gi, "$1***"],
  [/("(?:access_token|token|password|refresh_token)"\s*:\s*)"[^"]*"/gi, '$1"***"'],
];

/** `text` with every secret we recognise replaced by ***. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  return out;
}

export function createLogger(namespace: string): Logger {
  const write = (level: LogLevel, message: string) => {
    if (RANK[level] < RANK[threshold]) return;
    const time = new Date().toISOString();
    sink(`${time} ${level.toUpperCase().padEnd(7)} [${namespace}] ${redactSecrets(message)}`);
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warning", m),
    error: (m) => write("error", m),
    child: (sub) => createLogger(`${namespace}:${sub}`),
  };
}
