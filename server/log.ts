/**
 * A rate-limited logger: each kind of line (e.g. "malformed message") may be written a few times per minute;
 * the rest are counted and summarised once the minute is over. A flood of bad messages cannot flood the log,
 * and client mistakes are logged as one line without a stack trace.
 */
export type LogLevel = 'info' | 'warn' | 'silent';

export type Logger = {
  info(kind: string, message: string): void;
  warn(kind: string, message: string): void;
  /** For server faults: one line with the error's message; the stack only for the first of its kind. */
  error(kind: string, message: string, error?: unknown): void;
};

type Bucket = { windowStart: number; written: number; suppressed: number };

export function createLogger(options: {
  level: LogLevel;
  linesPerMinute: number;
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const stackShown = new Set<string>();

  function allow(kind: string): boolean {
    const time = now();
    let bucket = buckets.get(kind);
    if (!bucket || time - bucket.windowStart >= 60_000) {
      if (bucket && bucket.suppressed > 0) {
        write(
          `${new Date(time).toISOString()} [log] ${bucket.suppressed} more "${kind}" lines suppressed in the last minute`,
        );
      }
      bucket = { windowStart: time, written: 0, suppressed: 0 };
      buckets.set(kind, bucket);
    }
    if (bucket.written < options.linesPerMinute) {
      bucket.written++;
      return true;
    }
    bucket.suppressed++;
    return false;
  }

  function line(level: string, kind: string, message: string): void {
    if (options.level === 'silent') return;
    if (level === 'info' && options.level !== 'info') return;
    if (!allow(kind)) return;
    write(`${new Date(now()).toISOString()} [${level}] ${kind}: ${message}`);
  }

  return {
    info: (kind, message) => line('info', kind, message),
    warn: (kind, message) => line('warn', kind, message),
    error(kind, message, error) {
      const detail = error instanceof Error ? `${message}: ${error.message}` : message;
      line('error', kind, detail);
      if (error instanceof Error && error.stack && !stackShown.has(kind) && options.level !== 'silent') {
        stackShown.add(kind);
        write(error.stack);
      }
    },
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
