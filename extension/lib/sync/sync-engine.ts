/**
 * When the catch-up runs: at start, on the periodic alarm, after local changes to rooms no realtime connection
 * carries, and when asked. One run at a time (later requests join it). Failures back off exponentially with
 * jitter, and the backoff lives in IndexedDB (syncState), so a service worker stopped and restarted by the
 * browser neither hammers a server that is down nor forgets that a retry is due.
 */
import type { PizhuDatabase } from '../store/db.ts';
import type { SyncStateRow, TeamRow } from '../store/schema.ts';
import { isQuotaError } from '../store/storage-errors.ts';
import { ApiClient, ApiError } from './api-client.ts';
import type { CatchUp, CatchUpResult } from './catch-up.ts';
import type { SyncStatusTracker } from './status.ts';

const BACKOFF_MIN_MS = 15_000;
const BACKOFF_MAX_MS = 30 * 60_000;
/** Local changes are pushed this long after the last one (several quick edits travel together). */
const PUSH_DELAY_MS = 1_500;

export type SyncRun =
  | { ok: true; result: CatchUpResult }
  | { ok: false; error: string }
  | { ok: false; skipped: string };

export function backoffDelay(failures: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class SyncEngine {
  private running: Promise<SyncRun> | null = null;
  private again = false;
  private pushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: PizhuDatabase,
    private readonly catchUp: CatchUp,
    private readonly status: SyncStatusTracker,
    private readonly apiFor: (team: TeamRow) => ApiClient = (team) => new ApiClient(team.serverUrl, team.token),
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs a catch-up now (joining one that is running, then running again so nothing is missed). */
  syncNow(): Promise<SyncRun> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => (this.running = null));
    return this.running;
  }

  /** The alarm's entry point: runs only when the backoff allows. */
  async tick(): Promise<SyncRun> {
    const team = await this.team();
    if (!team) return { ok: false, skipped: 'not joined' };
    const state = await this.db.syncState.get(team.teamId);
    if (state?.nextAttemptAt && state.nextAttemptAt > this.now()) return { ok: false, skipped: 'backing off' };
    return this.syncNow();
  }

  /** Soon after local changes, push them (the alarm catches up if the worker stops first). */
  schedulePush(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      this.syncNow().catch(() => undefined);
    }, PUSH_DELAY_MS);
  }

  cancel(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = null;
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  private async loop(): Promise<SyncRun> {
    let run: SyncRun;
    do {
      this.again = false;
      run = await this.once();
    } while (this.again && run.ok);
    return run;
  }

  private async once(): Promise<SyncRun> {
    let team: TeamRow | undefined;
    try {
      team = await this.team();
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (!team) return { ok: false, skipped: 'not joined' };
    this.status.catchUpStarted();
    const started = this.now();
    try {
      const result = await this.catchUp.run(team, this.apiFor(team));
      await this.recordSuccess(team.teamId, started);
      for (const problem of result.problems) this.status.problem(problem);
      this.status.catchUpDone(this.now());
      this.status.storageRecovered();
      await this.refreshPending(team.teamId);
      return { ok: true, result };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.recordFailure(team.teamId, started, message).catch(() => undefined);
      if (isQuotaError(error) || (error instanceof Error && error.name === 'StorageFullError'))
        this.status.storageFailed(message);
      else this.status.catchUpFailed(isOffline(error) ? 'offline' : 'error', describe(error, team));
      await this.refreshPending(team.teamId).catch(() => undefined);
      return { ok: false, error: message };
    }
  }

  async refreshPending(teamId: string): Promise<void> {
    const pending = await this.db.rooms
      .where('dirty')
      .equals(1)
      .filter((r) => r.teamId === teamId)
      .count();
    this.status.setPending(pending);
  }

  private async team(): Promise<TeamRow | undefined> {
    return this.db.teams.toCollection().first();
  }

  private async recordSuccess(teamId: string, at: number): Promise<void> {
    await this.update(teamId, (row) => ({
      ...row,
      lastAttemptAt: at,
      lastSuccessAt: this.now(),
      failures: 0,
      nextAttemptAt: undefined,
      lastError: undefined,
    }));
  }

  private async recordFailure(teamId: string, at: number, message: string): Promise<void> {
    await this.update(teamId, (row) => {
      const failures = row.failures + 1;
      return {
        ...row,
        lastAttemptAt: at,
        failures,
        nextAttemptAt: this.now() + backoffDelay(failures),
        lastError: message,
      };
    });
  }

  private async update(teamId: string, change: (row: SyncStateRow) => SyncStateRow): Promise<void> {
    await this.db.transaction('rw', this.db.syncState, async () => {
      const row = (await this.db.syncState.get(teamId)) ?? { teamId, cursor: null, failures: 0 };
      await this.db.syncState.put(change(row));
    });
  }
}

function isOffline(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'unreachable' || error.code === 'timeout');
}

function describe(error: unknown, team: TeamRow): string {
  if (error instanceof ApiError && error.status === 401) {
    return `The server no longer accepts this browser for team "${team.teamName}" (token revoked or expired): join again with a new invite code`;
  }
  if (error instanceof ApiError && error.status === 403) {
    return `The server refused access to team "${team.teamName}": ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
