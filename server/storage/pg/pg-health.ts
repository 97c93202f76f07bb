/**
 * Whether PostgreSQL takes a write, for GET /health. The probe runs in the background once a second, so /health
 * answers at once and polling it costs nothing more; a probe that takes longer than its timeout counts as a
 * failure (a database that hangs refuses edits as surely as one that is down).
 */
import type { Logger } from '../../log.ts';
import type { HealthCheck, HealthReport } from '../health.ts';
import type { PgPool } from './pool.ts';

const PROBE_EVERY_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

export class PgHealth implements HealthCheck {
  private report: HealthReport = { ok: true };
  private readonly timer: NodeJS.Timeout;
  private probing = false;

  constructor(
    private readonly pool: PgPool,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.probe(), PROBE_EVERY_MS);
    this.timer.unref();
  }

  check(): HealthReport {
    return this.report;
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    let timeout: NodeJS.Timeout | undefined;
    try {
      const write = this.pool.query(
        `INSERT INTO meta (key, value) VALUES ('health_checked_at', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [String(Date.now())],
      );
      const late = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      });
      await Promise.race([write, late]);
      this.report = { ok: true };
    } catch (error) {
      if (this.report.ok) this.log.error('health', `unhealthy: the database cannot be written`, error);
      this.report = {
        ok: false,
        code: 'database_not_writable',
        reason: `the database cannot be written: ${(error as Error).message}`,
      };
    } finally {
      clearTimeout(timeout);
      this.probing = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
