import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checksumOf } from './checksum.ts';
import { openDatabase, type SqliteHandle } from './sqlite-db.ts';
import { SqliteUpdateStore } from './sqlite-updates.ts';

let dir: string;
let db: SqliteHandle;
let store: SqliteUpdateStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-store-'));
  db = openDatabase(dir);
  store = new SqliteUpdateStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function updates(n: number): { doc: Y.Doc; list: Uint8Array[] } {
  const doc = new Y.Doc();
  const list: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => list.push(u));
  for (let i = 0; i < n; i++) doc.getMap('m').set(`k${i}`, i);
  return { doc, list };
}

describe('SqliteUpdateStore', () => {
  it('uses WAL journaling', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('appends, loads in order, and compacts into one row with state vector, delete set and checksum', async () => {
    const { doc, list } = updates(5);
    const ids = [];
    for (const u of list) ids.push((await store.append('t1.d1', 't1', u)).id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const loaded = (await store.load('t1.d1'))!;
    expect(loaded.rows.map((r) => r.id)).toEqual(ids);
    expect(loaded.lastId).toBe(ids.at(-1));
    expect(loaded.bytes).toBe(list.reduce((s, u) => s + u.byteLength, 0));

    const merged = Y.encodeStateAsUpdate(doc);
    const sv = Y.encodeStateVector(doc);
    await store.compact('t1.d1', loaded.lastId, { update: merged, stateVector: sv, deleteSet: Y.encodeStateAsUpdate(doc, sv) });
    const compacted = (await store.load('t1.d1'))!;
    expect(compacted.rows).toHaveLength(1);
    expect(compacted.rows[0]).toMatchObject({ id: loaded.lastId, stateVector: sv, checksum: checksumOf(merged) });
    expect(compacted.bytes).toBe(merged.byteLength);
    expect(compacted.lastId).toBe(loaded.lastId);
  });

  it('answers which rooms of a team changed since a cursor, without other teams', async () => {
    const { list } = updates(3);
    await store.append('t1.a', 't1', list[0]!);
    const cursor = await store.currentCursor();
    await store.append('t1.b', 't1', list[1]!);
    await store.append('t2.c', 't2', list[2]!);
    expect((await store.changedRooms('t1', cursor)).map((r) => r.roomId)).toEqual(['t1.b']);
    expect((await store.changedRooms('t1', 0)).map((r) => r.roomId)).toEqual(['t1.a', 't1.b']);
    expect((await store.changedRooms('t2', 0)).map((r) => r.roomId)).toEqual(['t2.c']);
    expect(await store.load('t3.none')).toBeNull();
    expect(await store.totalBytes()).toBe(list.reduce((s, u) => s + u.byteLength, 0));
  });

  it('keeps its instance id across reopening', async () => {
    const id = store.instanceId;
    db.close();
    db = openDatabase(dir);
    expect(new SqliteUpdateStore(db).instanceId).toBe(id);
  });
});
