import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { REALTIME_BACKOFF } from './sync/connection.ts';
import { CATCH_UP_BACKOFF } from './sync/sync-engine.ts';

describe('backoffDelay', () => {
  it('doubles from the minimum up to the cap, with jitter in the upper half', () => {
    const policy = { minMs: 15_000, maxMs: 30 * 60_000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(7_500);
    expect(backoffDelay(1, policy, () => 1)).toBe(15_000);
    expect(backoffDelay(3, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(50, policy, () => 0.5)).toBe(Math.round(30 * 60_000 * 0.75));
    expect(backoffDelay(0, policy, () => 1)).toBe(15_000);
  });

  it('keeps a room socket within 3 s of a server that came back, however long it was down', () => {
    for (let failures = 1; failures < 200; failures++) {
      expect(backoffDelay(failures, REALTIME_BACKOFF, () => 1)).toBeLessThanOrEqual(3_000);
    }
    expect(backoffDelay(1, REALTIME_BACKOFF, () => 0)).toBe(250);
    expect(backoffDelay(100, CATCH_UP_BACKOFF, () => 1)).toBe(5 * 60_000);
  });
});
