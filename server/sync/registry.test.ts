/**
 * The registry's check of the stored room heads (several instances): one query for all the teams held, and a
 * check asked for while one runs joins it, so a slow database is not handed a new check every second on top of
 * the ones still waiting.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.ts';
import { LocalFanout } from '../fanout/local.ts';
import { MemoryBudget } from '../guard/memory-budget.ts';
import { Refusals } from '../guard/refusals.ts';
import { testGuard } from '../guard/testing.ts';
import type { IndexSink } from '../index-db/types.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import type { RoomHead, StoredRoom, UpdateStore } from '../storage/types.ts';
import { RoomRegistry } from './registry.ts';

/** A store with no rooms whose `changedRooms` answers when the test says so. */
class SlowHeadsStore {
  readonly instanceId = 'test';
  changedCalls = 0;
  /** The teams each call asked about. */
  askedTeams: string[][] = [];
  private answers: (() => void)[] = [];
  async load(): Promise<StoredRoom | null> {
    return null;
  }
  async currentCursor(): Promise<number> {
    return 7;
  }
  changedRooms(teamIds: readonly string[]): Promise<RoomHead[]> {
    this.changedCalls++;
    this.askedTeams.push([...teamIds].sort());
    return new Promise((resolve) => this.answers.push(() => resolve([])));
  }
  answerAll(): void {
    for (const answer of this.answers.splice(0)) answer();
  }
}

const index: IndexSink = {
  async through() {
    return 0;
  },
  applyChange() {},
  markDirty() {},
  async replaceRoom() {
    return null;
  },
  async flush() {},
};

function registryOn(store: SlowHeadsStore): RoomRegistry {
  const metrics = new Metrics();
  return new RoomRegistry(
    {
      store: store as unknown as UpdateStore,
      index,
      fanout: new LocalFanout(),
      fanoutSource: Symbol('test'),
      config: resolveConfig({ dataDir: '/tmp/unused' }),
      metrics,
      log: silentLogger,
      guard: testGuard().guard,
    },
    silentLogger,
    new MemoryBudget({ maxOutboundBytes: 1 << 20, maxDecodedBytes: 1 << 20, maxRssBytes: 2 ** 40 }),
    new Refusals(metrics, silentLogger),
  );
}

describe('RoomRegistry.checkHeads', () => {
  it('joins the check that is running instead of starting another', async () => {
    const store = new SlowHeadsStore();
    const registry = registryOn(store);
    await registry.acquire('team.doc');
    const first = registry.checkHeads();
    await new Promise((r) => setTimeout(r, 0));
    const second = registry.checkHeads();
    const third = registry.checkHeads();
    expect(second).toBe(first);
    expect(third).toBe(first);
    await new Promise((r) => setTimeout(r, 0));
    expect(store.changedCalls).toBe(1);
    store.answerAll();
    await first;

    // Once it has ended, the next call checks again.
    const next = registry.checkHeads();
    expect(next).not.toBe(first);
    await new Promise((r) => setTimeout(r, 0));
    expect(store.changedCalls).toBe(2);
    store.answerAll();
    await next;
  });

  it('asks about every team it holds rooms of in one query', async () => {
    const store = new SlowHeadsStore();
    const registry = registryOn(store);
    for (const room of ['b.doc1', 'a.doc1', 'b.doc2', 'c.doc1']) await registry.acquire(room);
    const check = registry.checkHeads();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    store.answerAll();
    await check;
    expect(store.askedTeams).toEqual([['a', 'b', 'c']]);
  });
});
