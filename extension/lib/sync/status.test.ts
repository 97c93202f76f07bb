import { describe, expect, it } from 'vitest';
import { SyncStatusTracker } from './status.ts';
import { backoffDelay } from './sync-engine.ts';

describe('SyncStatusTracker', () => {
  it('composes one status from the team, the catch-up, the connections and storage', () => {
    const status = new SyncStatusTracker();
    const seen: string[] = [];
    status.subscribe((s) => seen.push(s.state));
    expect(status.get()).toEqual({ state: 'not-joined' });
    status.setJoined(true);
    expect(status.get().state).toBe('connecting');
    status.catchUpStarted();
    expect(status.get().state).toBe('syncing');
    status.catchUpDone(1_000);
    expect(status.get()).toEqual({ state: 'online', lastSyncedAt: 1_000 });
    status.connection('t.d', 'offline', 'Cannot reach the server');
    expect(status.get()).toMatchObject({ state: 'offline', message: 'Cannot reach the server' });
    status.connection('t.d', 'online');
    status.setPending(2);
    status.problem('Annotation x failed validation');
    status.problem('Annotation x failed validation');
    expect(status.get()).toEqual({
      state: 'online',
      lastSyncedAt: 1_000,
      pending: 2,
      problems: ['Annotation x failed validation'],
    });
    status.storageFailed('The browser has no more room');
    expect(status.get()).toMatchObject({ state: 'error', message: 'The browser has no more room' });
    status.storageRecovered();
    status.catchUpFailed('error', 'join again');
    expect(status.get()).toMatchObject({ state: 'error', message: 'join again' });
    status.setJoined(false);
    expect(status.get()).toEqual({ state: 'not-joined' });
    // Listeners hear each change once.
    expect(seen).toEqual([
      'connecting',
      'syncing',
      'online',
      'offline',
      'online',
      'online',
      'online',
      'error',
      'online',
      'error',
      'not-joined',
    ]);
  });
});

describe('backoffDelay', () => {
  it('doubles from 15 s up to 30 min, with jitter in the upper half', () => {
    expect(backoffDelay(1, () => 0)).toBe(7_500);
    expect(backoffDelay(1, () => 1)).toBe(15_000);
    expect(backoffDelay(3, () => 1)).toBe(60_000);
    expect(backoffDelay(50, () => 0.5)).toBe(Math.round(30 * 60_000 * 0.75));
  });
});
