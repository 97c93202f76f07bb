/**
 * The UpdateStore contract, run against every store: per-room seqs, loading, gap repair reads, compaction
 * that never removes an update after its seq, and the per-team change cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendIn, PgUpdateStore } from '../../../server/storage/pg/pg-updates.ts';
import { openPostgres, storeFactories } from '../../server/stores.ts';
import type { UpdateStore } from '../../../server/storage/types.ts';

function edits(n: number): { doc: Y.Doc; list: Uint8Array[] } {
  const doc = new Y.Doc();
  const list: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => list.push(u));
  for (let i = 0; i < n; i++) doc.getMap('m').set(`k${i}`, i);
  return { doc, list };
}

function stateOf(doc: Y.Doc) {
  const stateVector = Y.encodeStateVector(doc);
  return { update: Y.encodeStateAsUpdate(doc), stateVector, deleteSet: Y.encodeStateAsUpdate(doc, stateVector) };
}

let counter = 0;
/** A team of its own per test, so tests share one database without seeing each other. */
const freshTeam = () => `t${process.pid}x${++counter}x${Date.now().toString(36)}`;

describe.each(storeFactories())('UpdateStore contract: $name', (factory) => {
  let store: UpdateStore;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ store, close } = await factory.open());
  });
  afterAll(async () => close());

  it('numbers the updates of each room 1, 2, 3… and loads them in seq order', async () => {
    const team = freshTeam();
    const { list } = edits(4);
    const a = [];
    for (const u of list.slice(0, 3)) a.push(...(await store.append(`${team}.a`, team, [u])));
    const [b] = await store.append(`${team}.b`, team, [list[3]!]);
    expect(a.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(b!.seq).toBe(1);
    expect(a[2]!.roomBytes).toBe(list.slice(0, 3).reduce((s, u) => s + u.byteLength, 0));
    const loaded = (await store.load(`${team}.a`))!;
    expect(loaded).toMatchObject({ teamId: team, lastSeq: 3 });
    expect(loaded.rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(loaded.rows.map((r) => [...r.update])).toEqual(list.slice(0, 3).map((u) => [...u]));
    expect(await store.load(`${team}.none`)).toBeNull();
  });

  it('hands concurrent appends to one room distinct seqs without gaps', async () => {
    const team = freshTeam();
    const { list } = edits(20);
    const results = (await Promise.all(list.map((u) => store.append(`${team}.a`, team, [u])))).flat();
    expect(results.map((r) => r.seq).sort((x, y) => x - y)).toEqual(list.map((_, i) => i + 1));
  });

  it('stores a batch in order with consecutive seqs, each with the room bytes after it (group commit)', async () => {
    const team = freshTeam();
    const room = `${team}.a`;
    const { list } = edits(5);
    const [first] = await store.append(room, team, [list[0]!]);
    const batch = await store.append(room, team, list.slice(1));
    expect(batch.map((r) => r.seq)).toEqual([2, 3, 4, 5]);
    expect(new Set([first!.id, ...batch.map((r) => r.id)]).size).toBe(5);
    let bytes = list[0]!.byteLength;
    expect(batch.map((r) => r.roomBytes)).toEqual(list.slice(1).map((u) => (bytes += u.byteLength)));
    const loaded = (await store.load(room))!;
    expect(loaded.rows.map((r) => [r.seq, [...r.update]])).toEqual(list.map((u, i) => [i + 1, [...u]]));
    expect(loaded).toMatchObject({ lastSeq: 5, bytes });
    expect(await store.append(room, team, [])).toEqual([]);
    expect((await store.head(room))!.lastSeq).toBe(5);
  });

  it('never interleaves concurrent batches of one room', async () => {
    const team = freshTeam();
    const room = `${team}.a`;
    const { list } = edits(12);
    const batches = [list.slice(0, 4), list.slice(4, 8), list.slice(8)];
    const results = await Promise.all(batches.map((batch) => store.append(room, team, batch)));
    for (const result of results) {
      const seqs = result.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
    expect(
      results
        .flat()
        .map((r) => r.seq)
        .sort((x, y) => x - y),
    ).toEqual(list.map((_, i) => i + 1));
    const bySeq = new Map((await store.load(room))!.rows.map((r) => [r.seq, [...r.update]]));
    for (const [b, result] of results.entries()) {
      for (const [i, r] of result.entries()) expect(bySeq.get(r.seq)).toEqual([...batches[b]![i]!]);
    }
  });

  it('answers the updates after a seq, and null once compaction folded some of them', async () => {
    const team = freshTeam();
    const room = `${team}.a`;
    const { doc, list } = edits(5);
    for (const u of list.slice(0, 3)) await store.append(room, team, [u]);
    expect((await store.updatesSince(room, 1))!.map((r) => r.seq)).toEqual([2, 3]);
    expect((await store.updatesSince(room, 3))!).toEqual([]);
    const through3 = new Y.Doc();
    for (const u of list.slice(0, 3)) Y.applyUpdate(through3, u);
    await store.compact(room, 3, stateOf(through3));
    for (const u of list.slice(3)) await store.append(room, team, [u]);
    expect(await store.updatesSince(room, 1)).toBeNull();
    expect((await store.updatesSince(room, 3))!.map((r) => r.seq)).toEqual([4, 5]);
    const reloaded = new Y.Doc();
    for (const row of (await store.load(room))!.rows) Y.applyUpdate(reloaded, row.update);
    expect(reloaded.getMap('m').toJSON()).toEqual(doc.getMap('m').toJSON());
  });

  it('compacts exactly through the given seq and never removes an update after it', async () => {
    const team = freshTeam();
    const room = `${team}.a`;
    const { list } = edits(4);
    for (const u of list) await store.append(room, team, [u]);
    const through2 = new Y.Doc();
    for (const u of list.slice(0, 2)) Y.applyUpdate(through2, u);
    const state = stateOf(through2);
    const { roomBytes } = await store.compact(room, 2, state);
    const loaded = (await store.load(room))!;
    expect(loaded.rows.map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(loaded.rows[0]!.checksum).not.toBeNull();
    expect(loaded.lastSeq).toBe(4);
    expect(roomBytes).toBe(state.update.byteLength + list[2]!.byteLength + list[3]!.byteLength);
    expect(loaded.bytes).toBe(roomBytes);
    // A compaction through an earlier seq, arriving after one through a later seq, changes nothing.
    const through1 = new Y.Doc();
    Y.applyUpdate(through1, list[0]!);
    await store.compact(room, 1, stateOf(through1));
    expect((await store.load(room))!.rows.map((r) => r.seq)).toEqual([2, 3, 4]);
  });

  it('lists the rooms of a team changed after a cursor, oldest change first, without other teams', async () => {
    const team = freshTeam();
    const other = freshTeam();
    const { list } = edits(4);
    await store.append(`${team}.a`, team, [list[0]!]);
    const cursor = await store.currentCursor();
    await store.append(`${team}.b`, team, [list[1]!]);
    await store.append(`${other}.c`, other, [list[2]!]);
    await store.append(`${team}.a`, team, [list[3]!]);
    expect((await store.changedRooms([team], cursor)).map((r) => r.roomId)).toEqual([`${team}.b`, `${team}.a`]);
    expect((await store.changedRooms([team], 0)).map((r) => r.roomId)).toEqual([`${team}.b`, `${team}.a`]);
    expect((await store.changedRooms([other], 0)).map((r) => r.roomId)).toEqual([`${other}.c`]);
    expect(await store.changedRooms([team], await store.currentCursor())).toEqual([]);
    // Several teams in one call (an instance's check of the rooms it holds), still oldest change first.
    expect((await store.changedRooms([other, team], cursor)).map((r) => r.roomId)).toEqual([
      `${team}.b`,
      `${other}.c`,
      `${team}.a`,
    ]);
    expect(await store.changedRooms([], 0)).toEqual([]);
    expect((await store.teamRooms(team)).map((r) => [r.roomId, r.lastSeq])).toEqual([
      [`${team}.a`, 2],
      [`${team}.b`, 1],
    ]);
    expect(await store.head(`${team}.a`)).toMatchObject({ roomId: `${team}.a`, lastSeq: 2 });
    expect((await store.allHeads()).filter((h) => h.roomId.startsWith(`${team}.`))).toHaveLength(2);
  });

  it('keeps room bytes across compaction and counts them in the total', async () => {
    const team = freshTeam();
    const { list } = edits(2);
    const before = await store.totalBytes();
    await store.append(`${team}.a`, team, [list[0]!]);
    await store.append(`${team}.a`, team, [list[1]!]);
    expect((await store.totalBytes()) - before).toBe(list[0]!.byteLength + list[1]!.byteLength);
  });
});

describe('PostgreSQL change cursor', () => {
  let opened: Awaited<ReturnType<typeof openPostgres>>;
  beforeAll(async () => {
    opened = await openPostgres();
  });
  afterAll(async () => opened.close());

  it('never skips a change that commits after a later one', async () => {
    const store = await PgUpdateStore.open(opened.pool);
    const team = freshTeam();
    const { list } = edits(2);
    const late = await opened.pool.connect();
    try {
      await late.query('BEGIN');
      await appendIn(late, `${team}.late`, team, [list[0]!]);
      await store.append(`${team}.early`, team, [list[1]!]);
      const cursor = await store.currentCursor();
      expect((await store.changedRooms([team], 0)).map((r) => r.roomId)).toEqual([`${team}.early`]);
      await late.query('COMMIT');
      expect((await store.changedRooms([team], cursor)).map((r) => r.roomId)).toContain(`${team}.late`);
    } finally {
      late.release();
    }
  });
});
