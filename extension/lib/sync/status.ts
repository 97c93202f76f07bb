/**
 * One sync status for the UI, composed from what is going on: whether a team is joined, the background
 * catch-up, the realtime connections of the pages being read, and storage failures. Problems that do not stop
 * syncing (a record that failed validation, a room the server refused) are listed without changing the state.
 */
import type { SyncStatus } from '../messages.ts';
import type { ConnectionState } from './connection.ts';

const MAX_PROBLEMS = 5;

type CatchUpState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; at: number }
  | { state: 'offline' | 'error'; message: string };

export class SyncStatusTracker {
  private joined = false;
  private catchUp: CatchUpState = { state: 'idle' };
  private readonly connections = new Map<string, { state: ConnectionState; message?: string }>();
  private storageProblem: string | null = null;
  private problems: string[] = [];
  private pending = 0;
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

  catchUpFailed(state: 'offline' | 'error', message: string): void {
    this.catchUp = { state, message };
    this.emit();
  }

  connection(room: string, state: ConnectionState, message?: string): void {
    this.connections.set(room, { state, message });
    this.emit();
  }

  connectionClosed(room: string): void {
    this.connections.delete(room);
    this.emit();
  }

  storageFailed(message: string): void {
    this.storageProblem = message;
    this.emit();
  }

  storageRecovered(): void {
    if (this.storageProblem === null) return;
    this.storageProblem = null;
    this.emit();
  }

  problem(message: string): void {
    this.problems = [message, ...this.problems.filter((p) => p !== message)].slice(0, MAX_PROBLEMS);
    this.emit();
  }

  setPending(rooms: number): void {
    this.pending = rooms;
    this.emit();
  }

  get(): SyncStatus {
    const extra = {
      ...(this.lastSyncedAt !== undefined ? { lastSyncedAt: this.lastSyncedAt } : {}),
      ...(this.pending ? { pending: this.pending } : {}),
      ...(this.problems.length ? { problems: [...this.problems] } : {}),
    };
    if (!this.joined) return { state: 'not-joined' };
    if (this.storageProblem) return { state: 'error', message: this.storageProblem, ...extra };
    if (this.catchUp.state === 'error') return { state: 'error', message: this.catchUp.message, ...extra };
    const connections = [...this.connections.values()];
    const failed = connections.find((c) => c.state === 'error');
    if (failed) return { state: 'error', ...(failed.message ? { message: failed.message } : {}), ...extra };
    const busy =
      this.catchUp.state === 'running' || connections.some((c) => c.state === 'connecting' || c.state === 'syncing');
    if (busy) return { state: 'syncing', ...extra };
    const offline = connections.find((c) => c.state === 'offline');
    if (this.catchUp.state === 'offline') return { state: 'offline', message: this.catchUp.message, ...extra };
    if (offline) return { state: 'offline', ...(offline.message ? { message: offline.message } : {}), ...extra };
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
