import { describe, expect, it } from 'vitest';
import type { SeqUpdate } from '../storage/types.ts';
import { AppliedSeqs } from './applied-seqs.ts';
import { RemoteUpdates } from './remote-updates.ts';

const u = (seq: number) => new Uint8Array([seq]);

/** A room's remote updates over a fake store holding updates 1..stored (compacted through `compactedThrough`). */
function setup(options: { through?: number; stored?: number; compactedThrough?: number; gapWaitMs?: number } = {}) {
  const applied: number[] = [];
  const state = {
    stored: options.stored ?? 0,
    compactedThrough: options.compactedThrough ?? 0,
    fetches: 0,
    reloads: 0,
    /** What /metrics would count: updates by how they came, gaps by how they were filled. */
    counted: { fanout: 0, store: 0, read: 0, reload: 0 },
  };
  const seqs = new AppliedSeqs(options.through ?? 0);
  const remote = new RemoteUpdates({
    applied: seqs,
    apply: (update) => applied.push(update[0]!),
    fetch: async (afterSeq): Promise<SeqUpdate[] | null> => {
      state.fetches++;
      if (afterSeq < state.compactedThrough) return null;
      const rows: SeqUpdate[] = [];
      for (let seq = afterSeq + 1; seq <= state.stored; seq++) rows.push({ seq, update: u(seq) });
      return rows;
    },
    reload: async () => {
      state.reloads++;
      applied.push(0); // the compacted state
      for (let seq = state.compactedThrough + 1; seq <= state.stored; seq++) applied.push(seq);
      return state.stored;
    },
    onError: (error) => {
      throw error;
    },
    onApplied: (via) => state.counted[via]++,
    onRepair: (how) => state.counted[how]++,
    gapWaitMs: options.gapWaitMs ?? 20,
  });
  return { remote, seqs, applied, state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RemoteUpdates', () => {
  it('applies in seq order, holding an update that arrives ahead of a missing one', () => {
    const { remote, seqs, applied, state } = setup();
    remote.received(2, u(2));
    expect(applied).toEqual([]);
    remote.received(1, u(1));
    remote.received(1, u(1)); // a duplicate
    expect(applied).toEqual([1, 2]);
    expect(seqs.through).toBe(2);
    expect(remote.hasGap).toBe(false);
    expect(state.counted).toEqual({ fanout: 2, store: 0, read: 0, reload: 0 });
  });

  it("skips the seqs of the room's own appends", () => {
    const { remote, seqs, applied } = setup();
    remote.appended(2);
    remote.received(3, u(3));
    expect(applied).toEqual([]);
    remote.received(1, u(1));
    expect(applied).toEqual([1, 3]);
    expect(seqs.through).toBe(3);
  });

  it('reads a gap that stays open from the store', async () => {
    const { remote, seqs, applied, state } = setup({ stored: 5 });
    remote.received(1, u(1));
    remote.received(4, u(4)); // 2 and 3 were lost
    await sleep(5);
    expect(applied).toEqual([1]);
    await sleep(40);
    await remote.settled();
    expect(applied).toEqual([1, 2, 3, 4, 5]);
    expect(seqs.through).toBe(5);
    expect(state.fetches).toBe(1);
    expect(remote.hasGap).toBe(false);
    // 4 came through the fan-out but waited for 2 and 3: the store's rows applied it.
    expect(state.counted).toEqual({ fanout: 1, store: 4, read: 1, reload: 0 });
  });

  it('reloads the stored room when the missing updates were compacted away', async () => {
    const { remote, seqs, applied, state } = setup({ through: 1, stored: 6, compactedThrough: 4 });
    remote.received(6, u(6));
    await sleep(40);
    await remote.settled();
    expect(state.reloads).toBe(1);
    expect(applied).toEqual([0, 5, 6]);
    expect(seqs.through).toBe(6);
    expect(state.counted).toMatchObject({ read: 0, reload: 1 });
  });

  it('catches up when the store is ahead and nothing arrived (the last entries were lost)', async () => {
    const { remote, seqs, applied, state } = setup({ through: 2, stored: 4 });
    remote.storedThrough(2);
    await remote.settled();
    expect(applied).toEqual([]);
    remote.storedThrough(4);
    await remote.settled();
    expect(applied).toEqual([3, 4]);
    expect(seqs.through).toBe(4);
    expect(state.counted).toEqual({ fanout: 0, store: 2, read: 1, reload: 0 });
  });

  it('applies nothing after it is closed', async () => {
    const { remote, applied } = setup({ stored: 3 });
    remote.received(3, u(3));
    remote.close();
    await sleep(40);
    expect(applied).toEqual([]);
  });
});
