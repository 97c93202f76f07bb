/**
 * Whether the server can keep its promise to store every update it accepts: the database takes a write, and the
 * disk holding DATA_DIR has room. /health answers 503 with the reason when either fails, so a supervisor or a
 * load balancer stops sending people to a server that would refuse their edits.
 */
import { statfsSync } from 'node:fs';
import type { Logger } from '../log.ts';
import type { SqliteHandle } from './sqlite-db.ts';

export type HealthReport = { ok: true } | { ok: false; code: 'database_not_writable' | 'disk_full'; reason: string };

/** What GET /health asks; answers at once (a store that answers later probes in the background). */
export interface HealthCheck {
  check(): HealthReport;
}

/** A check writes to the database; its answer is reused this long, so polling /health costs at most one commit a second. */
const REUSE_MS = 1_000;
/** A write lock held elsewhere (a backup, the CLI) is waited for this long before the database counts as unwritable. */
const PROBE_BUSY_MS = 200;

export class StorageHealth implements HealthCheck {
  private readonly probe;
  private last: { at: number; report: HealthReport } | null = null;

  constructor(
    private readonly db: SqliteHandle,
    private readonly dataDir: string,
    private readonly minFreeDiskBytes: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.probe = db.prepare<[string]>(
      "INSERT INTO meta (key, value) VALUES ('health_checked_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  check(): HealthReport {
    const now = this.now();
    if (this.last && now - this.last.at < REUSE_MS) return this.last.report;
    const report = this.freeSpace() ?? this.writable(now);
    if (!report.ok && (this.last?.report.ok ?? true)) this.log.error('health', `unhealthy: ${report.reason}`);
    this.last = { at: now, report };
    return report;
  }

  private freeSpace(): HealthReport | null {
    const { bavail, bsize } = statfsSync(this.dataDir);
    const free = bavail * bsize;
    if (free >= this.minFreeDiskBytes) return null;
    const mib = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)} MiB`;
    return {
      ok: false,
      code: 'disk_full',
      reason: `the disk holding DATA_DIR has ${mib(free)} free, less than PIZHU_MIN_FREE_DISK_BYTES (${mib(this.minFreeDiskBytes)})`,
    };
  }

  private writable(now: number): HealthReport {
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma(`busy_timeout = ${PROBE_BUSY_MS}`);
    try {
      this.probe.run(String(now));
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        code: 'database_not_writable',
        reason: `the database cannot be written: ${(error as Error).message}`,
      };
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }
}
