/**
 * One sync status for the UI, composed from what is going on: whether a team is joined, the background
 * catch-up, the realtime connections of the pages being read, and storage failures. Problems that do not stop
 * syncing (a record that failed validation, a room the server refused) are listed without changing the state.
 */
import type { ErrorInfo } from '../errors.ts';
import type { SyncStatus } from '../messages.ts';
import type { ConnectionState } from './connection.ts';

const MAX_PROBLEMS = 5;

type CatchUpState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; at: number }
  | { state: 'offline' | 'error'; error: ErrorInfo };

export class SyncStatusTracker {
  private joined = false;
  private catchUp: CatchUpState = { state: 'idle' };
  private readonly connections = new Map<string, { state: ConnectionState; error?: ErrorInfo }>();
  private storageProblem: ErrorInfo | null = null;
  private problems: ErrorInfo[] = [];
  private pending = 0;
  private unsent = 0;
  private lastSyncedAt: number | undefined;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private last = '';

  subscribe(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setJoined(joined: boolean): void {
    this.joined = joined;
    if (!joined) {
      this.catchUp = { state: 'idle' };
      this.connections.clear();
      this.problems = [];
      this.pending = 0;
      this.unsent = 0;
    }
    this.emit();
  }

  setLastSyncedAt(at: number | undefined): void {
    this.lastSyncedAt = at;
    this.emit();
  }

  catchUpStarted(): void {
    this.catchUp = { state: 'running' };
    this.emit();
  }

  catchUpDone(at: number): void {
    this.catchUp = { state: 'done', at };
    this.lastSyncedAt = at;
    this.emit();
  }

  catchUpFailed(state: 'offline' | 'error', error: ErrorInfo): void {
    this.catchUp = { state, error };
    this.emit();
  }

  /** The last catch-up failed, or changes made here wait for one: a sign of the server should start one. */
  get catchUpWanted(): boolean {
    return this.catchUp.state === 'offline' || this.catchUp.state === 'error' || this.pending > 0;
  }

  connection(room: string, state: ConnectionState, error?: ErrorInfo): void {
    this.connections.set(room, { state, error });
    this.emit();
  }

  connectionClosed(room: string): void {
    this.connections.delete(room);
    this.emit();
  }

  storageFailed(error: ErrorInfo): void {
    this.storageProblem = error;
    this.emit();
  }

  storageRecovered(): void {
    if (this.storageProblem === null) return;
    this.storageProblem = null;
    this.emit();
  }

  problem(error: ErrorInfo): void {
    const key = JSON.stringify(error);
    this.problems = [error, ...this.problems.filter((p) => JSON.stringify(p) !== key)].slice(0, MAX_PROBLEMS);
    this.emit();
  }

  /** Rooms with changes the server may not have, and how many changes they hold. */
  setPending(rooms: number, changes = rooms): void {
    this.pending = rooms;
    this.unsent = rooms ? Math.max(rooms, changes) : 0;
    this.emit();
  }

  get(): SyncStatus {
    const extra = {
      ...(this.lastSyncedAt !== undefined ? { lastSyncedAt: this.lastSyncedAt } : {}),
      ...(this.pending ? { pending: this.pending, unsent: this.unsent } : {}),
      ...(this.problems.length ? { problems: [...this.problems] } : {}),
    };
    if (!this.joined) return { state: 'not-joined' };
    if (this.storageProblem) return { state: 'error', error: this.storageProblem, ...extra };
    if (this.catchUp.state === 'error') return { state: 'error', error: this.catchUp.error, ...extra };
    const connections = [...this.connections.values()];
    const failed = connections.find((c) => c.state === 'error');
    if (failed) return { state: 'error', ...(failed.error ? { error: failed.error } : {}), ...extra };
    const busy =
      this.catchUp.state === 'running' || connections.some((c) => c.state === 'connecting' || c.state === 'syncing');
    if (busy) return { state: 'syncing', ...extra };
    const offline = connections.find((c) => c.state === 'offline');
    if (this.catchUp.state === 'offline') return { state: 'offline', error: this.catchUp.error, ...extra };
    if (offline) return { state: 'offline', ...(offline.error ? { error: offline.error } : {}), ...extra };
    if (this.catchUp.state === 'done' || connections.some((c) => c.state === 'online'))
      return { state: 'online', ...extra };
    return { state: 'connecting', ...extra };
  }

  private emit(): void {
    const status = this.get();
    const key = JSON.stringify(status);
    if (key === this.last) return;
    this.last = key;
    for (const listener of this.listeners) listener(status);
  }
}
