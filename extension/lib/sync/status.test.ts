import { describe, expect, it } from 'vitest';
import { SyncStatusTracker } from './status.ts';

const UNREACHABLE = { code: 'unreachable', params: { server: 'http://127.0.0.1:8787' } };

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
    status.connection('t.d', 'offline', UNREACHABLE);
    expect(status.get()).toMatchObject({ state: 'offline', error: UNREACHABLE });
    status.connection('t.d', 'online');
    status.setPending(2, 5);
    status.problem({ code: 'record_invalid', params: { id: 'x' } });
    status.problem({ code: 'record_invalid', params: { id: 'x' } });
    expect(status.get()).toEqual({
      state: 'online',
      lastSyncedAt: 1_000,
      pending: 2,
      unsent: 5,
      problems: [{ code: 'record_invalid', params: { id: 'x' } }],
    });
    status.storageFailed({ code: 'storage_full' });
    expect(status.get()).toMatchObject({ state: 'error', error: { code: 'storage_full' } });
    status.storageRecovered();
    status.catchUpFailed('error', { code: 'token_rejected', params: { team: '教育局' } });
    expect(status.get()).toMatchObject({ state: 'error', error: { code: 'token_rejected' } });
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

  it('wants a catch-up after a failed one or while changes wait, and counts at least one change per room', () => {
    const status = new SyncStatusTracker();
    status.setJoined(true);
    expect(status.catchUpWanted).toBe(false);
    status.catchUpFailed('offline', UNREACHABLE);
    expect(status.catchUpWanted).toBe(true);
    status.catchUpDone(1);
    expect(status.catchUpWanted).toBe(false);
    status.setPending(3, 1);
    expect(status.catchUpWanted).toBe(true);
    expect(status.get()).toMatchObject({ pending: 3, unsent: 3 });
    status.setPending(0, 0);
    expect(status.get().unsent).toBeUndefined();
  });
});
