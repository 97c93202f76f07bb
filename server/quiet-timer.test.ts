import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuietTimer } from './quiet-timer.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A timer whose runs are recorded as fake-clock times. */
function recorded(options: { quietMs: number; maxDelayMs: number }) {
  const runs: number[] = [];
  const timer = new QuietTimer(() => runs.push(performance.now()), options);
  return { timer, runs };
}

describe('QuietTimer', () => {
  it('runs once, a quiet period after a request', () => {
    const { timer, runs } = recorded({ quietMs: 10, maxDelayMs: 100 });
    const start = performance.now();
    timer.request();
    timer.request();
    expect(timer.pending).toBe(true);
    vi.advanceTimersByTime(9);
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual([start + 10]);
    expect(timer.pending).toBe(false);
    vi.advanceTimersByTime(500);
    expect(runs).toHaveLength(1);
  });

  it('waits for the requests to pause: each one postpones the run', () => {
    const { timer, runs } = recorded({ quietMs: 10, maxDelayMs: 100 });
    const start = performance.now();
    for (let i = 0; i < 6; i++) {
      timer.request();
      vi.advanceTimersByTime(5);
    }
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(5);
    expect(runs).toEqual([start + 25 + 10]);
  });

  it('runs at the latest after the maximum delay when the requests never pause', () => {
    const { timer, runs } = recorded({ quietMs: 10, maxDelayMs: 50 });
    const start = performance.now();
    for (let i = 0; i < 40; i++) {
      timer.request();
      vi.advanceTimersByTime(4);
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs[0]! - start).toBeLessThanOrEqual(50);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeLessThanOrEqual(50 + 4);
  });

  it('after a failure, retries after the full maximum delay, however many requests come in', () => {
    const { timer, runs } = recorded({ quietMs: 10, maxDelayMs: 100 });
    const start = performance.now();
    timer.retryLater();
    for (let i = 0; i < 30; i++) {
      timer.request();
      vi.advanceTimersByTime(3);
    }
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(runs).toEqual([start + 100]);
  });

  it('runs nothing once cancelled', () => {
    const { timer, runs } = recorded({ quietMs: 10, maxDelayMs: 100 });
    timer.request();
    timer.cancel();
    expect(timer.pending).toBe(false);
    vi.advanceTimersByTime(500);
    expect(runs).toEqual([]);
  });
});
