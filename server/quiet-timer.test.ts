import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuietTimer } from './quiet-timer.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const options = { gatherMs: 100, quietMs: 10, maxDelayMs: 200 };

/** A timer whose runs are recorded as times since the test started (fake clock). */
function recorded(timerOptions = options) {
  const start = performance.now();
  const runs: number[] = [];
  const timer = new QuietTimer(() => runs.push(performance.now() - start), timerOptions);
  return { timer, runs };
}

/** Requests every `everyMs` until `untilMs` (since the test started), advancing the fake clock. */
function requestEvery(timer: QuietTimer, everyMs: number, untilMs: number): void {
  for (let at = 0; at <= untilMs; at += everyMs) {
    timer.request();
    vi.advanceTimersByTime(everyMs);
  }
}

describe('QuietTimer', () => {
  it('runs once, after gathering and a quiet period, when nothing else comes', () => {
    const { timer, runs } = recorded();
    timer.request();
    timer.request();
    expect(timer.pending).toBe(true);
    vi.advanceTimersByTime(109);
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual([110]);
    expect(timer.pending).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(runs).toEqual([110]);
  });

  it('gathers requests without postponing, then waits for them to pause', () => {
    const { timer, runs } = recorded();
    requestEvery(timer, 5, 130); // the last request at 130
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(runs).toEqual([130 + 10]);
  });

  it('in a steady stream, runs in the gap after a request rather than when the next one is due', () => {
    const { timer, runs } = recorded();
    requestEvery(timer, 50, 400);
    // Due at 100, when a request arrives: the run waits for the pause after it.
    expect(runs[0]).toBe(110);
    for (const run of runs) expect(run % 50).toBe(10);
  });

  it('runs at the latest after the maximum delay when the requests never pause', () => {
    const { timer, runs } = recorded();
    requestEvery(timer, 4, 1_000);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs[0]).toBeLessThanOrEqual(200);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeLessThanOrEqual(200 + 4);
  });

  it('after a failure, retries after the full maximum delay, however many requests come in', () => {
    const { timer, runs } = recorded();
    timer.retryLater();
    requestEvery(timer, 3, 190);
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(runs).toEqual([200]);
  });

  it('runs nothing once cancelled', () => {
    const { timer, runs } = recorded();
    timer.request();
    vi.advanceTimersByTime(105); // due, waiting for a pause
    timer.cancel();
    expect(timer.pending).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(runs).toEqual([]);
  });
});
