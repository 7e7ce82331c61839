// JSON lines on stdout: one object per line, easy to grep and to ship to a log store.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const at = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }) + '\n');
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Swallows everything: for tests that would otherwise drown the output. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A line that may repeat thousands of times a second (every scan refused while the disk is
 * full): written at most once per `windowMs`, saying how many were left out before it.
 * Logging each would fill the very disk that is full.
 */
export function throttledLog(log: Logger, level: LogLevel, msg: string, windowMs = 10_000, now: () => number = Date.now): (fields?: Record<string, unknown>) => void {
  let last = -Infinity;
  let left = 0;
  return (fields) => {
    const t = now();
    if (t - last < windowMs) { left++; return; }
    log[level](msg, { ...fields, ...(left ? { leftOut: left } : {}) });
    last = t;
    left = 0;
  };
}
