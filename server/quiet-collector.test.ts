import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeYoungGeneration, QuietCollector } from './quiet-collector.ts';
import { SYNC_QUIET_MS } from './quiet-timer.ts';

/** A young generation whose fill the test sets; collecting empties it. */
function fakeYoung(initialFill: number) {
  const young = {
    level: initialFill,
    collectedAt: [] as number[],
    fill: () => young.level,
    collect: () => {
      young.collectedAt.push(performance.now());
      young.level = 0;
    },
  };
  return young;
}

describe('QuietCollector', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects in the first pause after an update, only when the young generation is past half full', () => {
    const young = fakeYoung(0.4);
    const collector = new QuietCollector(young);
    collector.noteUpdate();
    vi.advanceTimersByTime(100);
    expect(young.collectedAt).toEqual([]);

    young.level = 0.6;
    const start = performance.now();
    collector.noteUpdate();
    vi.advanceTimersByTime(SYNC_QUIET_MS - 1);
    expect(young.collectedAt).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(young.collectedAt).toEqual([start + SYNC_QUIET_MS]);
    expect(collector.collections).toBe(1);
  });

  it('waits for the gap after an update in a steady stream, not the middle of one', () => {
    const young = fakeYoung(0.9);
    const collector = new QuietCollector(young);
    // An update every 20 ms, each taking 2 ms to handle.
    for (let n = 0; n < 5; n++) {
      collector.noteUpdate();
      vi.advanceTimersByTime(2);
      collector.noteUpdate();
      vi.advanceTimersByTime(18);
      young.level = 0.9;
    }
    expect(young.collectedAt.length).toBeGreaterThan(0);
    for (const at of young.collectedAt) expect(at % 20).toBe(2 + SYNC_QUIET_MS);
  });

  it('does nothing without gc', () => {
    const collector = new QuietCollector(null);
    expect(collector.enabled).toBe(false);
    collector.noteUpdate();
    vi.advanceTimersByTime(1_000);
    expect(collector.collections).toBe(0);
  });

  it('stops', () => {
    const young = fakeYoung(0.9);
    const collector = new QuietCollector(young);
    collector.noteUpdate();
    collector.stop();
    vi.advanceTimersByTime(1_000);
    expect(young.collectedAt).toEqual([]);
  });
});

describe('nodeYoungGeneration', () => {
  it('reads the fill of V8 new space and collects it when gc is exposed', () => {
    const exposed = (globalThis as { gc?: unknown }).gc;
    const calls: unknown[] = [];
    (globalThis as { gc?: unknown }).gc = (options: unknown) => calls.push(options);
    try {
      const young = nodeYoungGeneration()!;
      const fill = young.fill();
      expect(fill).toBeGreaterThanOrEqual(0);
      expect(fill).toBeLessThanOrEqual(1);
      young.collect();
      expect(calls).toEqual([{ type: 'minor' }]);
    } finally {
      (globalThis as { gc?: unknown }).gc = exposed;
    }
  });

  it('empties the real young generation with the gc that --expose-gc gives', () => {
    setFlagsFromString('--expose-gc');
    const exposed = (globalThis as { gc?: unknown }).gc;
    (globalThis as { gc?: unknown }).gc = runInNewContext('gc');
    try {
      const young = nodeYoungGeneration()!;
      // Short-lived arrays: garbage in the young generation.
      for (let i = 0; i < 2_000; i++) JSON.stringify([i, i + 1, i + 2]);
      const before = young.fill();
      young.collect();
      expect(before).toBeGreaterThan(0);
      expect(young.fill()).toBeLessThan(before);
    } finally {
      (globalThis as { gc?: unknown }).gc = exposed;
    }
  });

  it('is null when gc is not exposed', () => {
    const exposed = (globalThis as { gc?: unknown }).gc;
    delete (globalThis as { gc?: unknown }).gc;
    try {
      expect(nodeYoungGeneration()).toBeNull();
    } finally {
      if (exposed) (globalThis as { gc?: unknown }).gc = exposed;
    }
  });
});
