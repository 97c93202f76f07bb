/**
 * When the catch-up runs: at start, on the periodic alarm, after local changes to rooms no realtime connection
 * carries, when a room's connection reaches the server again, and when asked. One run at a time (later requests
 * join it). Failures back off exponentially with jitter, and the backoff lives in IndexedDB (syncState), so a
 * service worker stopped and restarted by the browser neither hammers a server that is down nor forgets that a
 * retry is due.
 */
import { type BackoffPolicy, backoffDelay } from '../backoff.ts';
import { type ErrorInfo, errorInfo, errorMessage } from '../errors.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { RoomStateRow, SyncStateRow, TeamRow } from '../store/schema.ts';
import { isQuotaError } from '../store/storage-errors.ts';
import { ApiClient, ApiError } from './api-client.ts';
import type { CatchUp, CatchUpResult } from './catch-up.ts';
import type { SyncStatusTracker } from './status.ts';

/**
 * The alarm's catch-up after failures: from 15 s up to 5 minutes. Coming back sooner does not wait for it: a
 * room's connection reaching the server, the browser going online, the side panel opening and "Reconnect now"
 * all start a catch-up at once.
 */
export const CATCH_UP_BACKOFF: BackoffPolicy = { minMs: 15_000, maxMs: 5 * 60_000 };
/** Local changes are pushed this long after the last one (several quick edits travel together). */
const PUSH_DELAY_MS = 1_500;

export type SyncRun =
  | { ok: true; result: CatchUpResult }
  | { ok: false; error: string }
  | { ok: false; skipped: string };

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
      return { ok: false, error: errorMessage(error) };
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
      const message = errorMessage(error);
      await this.recordFailure(team.teamId, started, message).catch(() => undefined);
      if (isQuotaError(error) || (error instanceof Error && error.name === 'StorageFullError'))
        this.status.storageFailed(errorInfo(error));
      else this.status.catchUpFailed(isOffline(error) ? 'offline' : 'error', describe(error, team));
      await this.refreshPending(team.teamId).catch(() => undefined);
      return { ok: false, error: message };
    }
  }

  /** Counts the rooms with changes the server may not have, and the changes they hold. */
  async refreshPending(teamId: string): Promise<void> {
    const dirty = await this.db.rooms
      .where('dirty')
      .equals(1)
      .filter((r) => r.teamId === teamId)
      .toArray();
    this.status.setPending(
      dirty.length,
      dirty.reduce((sum, row) => sum + unsentChanges(row), 0),
    );
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
        nextAttemptAt: this.now() + backoffDelay(failures, CATCH_UP_BACKOFF),
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

/** A dirty room's changes since its last push; a room from before the count was kept holds at least one. */
function unsentChanges(row: RoomStateRow): number {
  if (row.pushedChanges === undefined) return 1;
  return Math.max(1, (row.localChanges ?? 0) - row.pushedChanges);
}

function isOffline(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'unreachable' || error.code === 'timeout');
}

function describe(error: unknown, team: TeamRow): ErrorInfo {
  if (error instanceof ApiError && error.status === 401) {
    return {
      code: 'token_rejected',
      params: { team: team.teamName },
      ...(error.detail ? { detail: error.detail } : {}),
    };
  }
  return errorInfo(error);
}
