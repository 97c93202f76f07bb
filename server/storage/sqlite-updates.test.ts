import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { CorruptRoomError, checksumOf } from './checksum.ts';
import { DATABASE_FILE, MIGRATIONS, openDatabase, type SqliteHandle } from './sqlite-db.ts';
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

/** What another connection to the same file sees. */
function rowsSeenByAnotherConnection(): number {
  const other = openDatabase(dir);
  try {
    return (other.prepare('SELECT COUNT(*) AS n FROM updates').get() as { n: number }).n;
  } finally {
    other.close();
  }
}

describe('SqliteUpdateStore', () => {
  it('uses WAL journaling', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('appends, loads in order, and compacts into one row with state vector, delete set and checksum', async () => {
    const { doc, list } = updates(5);
    const ids = [];
    for (const u of list) ids.push((await store.append('t1.d1', 't1', [u]))[0]!.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const loaded = (await store.load('t1.d1'))!;
    expect(loaded.rows.map((r) => r.id)).toEqual(ids);
    expect(loaded.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(loaded.lastSeq).toBe(5);
    expect(loaded.bytes).toBe(list.reduce((s, u) => s + u.byteLength, 0));

    const merged = Y.encodeStateAsUpdate(doc);
    const sv = Y.encodeStateVector(doc);
    await store.compact('t1.d1', loaded.lastSeq, {
      update: merged,
      stateVector: sv,
      deleteSet: Y.encodeStateAsUpdate(doc, sv),
    });
    const compacted = (await store.load('t1.d1'))!;
    expect(compacted.rows).toHaveLength(1);
    expect(compacted.rows[0]).toMatchObject({ id: ids.at(-1), seq: 5, stateVector: sv, checksum: checksumOf(merged) });
    expect(compacted.bytes).toBe(merged.byteLength);
    expect(compacted.lastSeq).toBe(5);
  });

  it('answers which rooms of a team changed since a cursor, without other teams', async () => {
    const { list } = updates(3);
    await store.append('t1.a', 't1', [list[0]!]);
    const cursor = await store.currentCursor();
    await store.append('t1.b', 't1', [list[1]!]);
    await store.append('t2.c', 't2', [list[2]!]);
    expect((await store.changedRooms(['t1'], cursor)).map((r) => r.roomId)).toEqual(['t1.b']);
    expect((await store.changedRooms(['t1'], 0)).map((r) => r.roomId)).toEqual(['t1.a', 't1.b']);
    expect((await store.changedRooms(['t2'], 0)).map((r) => r.roomId)).toEqual(['t2.c']);
    expect((await store.changedRooms(['t2', 't1'], cursor)).map((r) => r.roomId)).toEqual(['t1.b', 't2.c']);
    expect(await store.changedRooms([], 0)).toEqual([]);
    expect(await store.load('t3.none')).toBeNull();
    expect(await store.totalBytes()).toBe(list.reduce((s, u) => s + u.byteLength, 0));
  });

  it('keeps its instance id across reopening', async () => {
    const id = store.instanceId;
    db.close();
    db = openDatabase(dir);
    store = new SqliteUpdateStore(db);
    expect(store.instanceId).toBe(id);
  });

  it('commits each append before it returns', () => {
    const { list } = updates(3);
    for (const u of list) store.appendNow('t1.d1', 't1', u);
    expect(rowsSeenByAnotherConnection()).toBe(3);
  });

  it('counts room bytes for the room size limit, also across compaction', async () => {
    const { doc, list } = updates(3);
    expect(store.appendNow('t1.d1', 't1', list[0]!).roomBytes).toBe(list[0]!.byteLength);
    expect(store.appendNow('t1.d1', 't1', list[1]!).roomBytes).toBe(list[0]!.byteLength + list[1]!.byteLength);
    const head = (await store.load('t1.d1'))!;
    const merged = Y.encodeStateAsUpdate(doc);
    await store.compact('t1.d1', head.lastSeq, {
      update: merged,
      stateVector: Y.encodeStateVector(doc),
      deleteSet: new Uint8Array([0, 0]),
    });
    expect(store.appendNow('t1.d1', 't1', list[2]!).roomBytes).toBe(merged.byteLength + list[2]!.byteLength);
  });

  it('refuses to load a compacted row whose bytes fail their checksum', async () => {
    const { doc, list } = updates(2);
    for (const u of list) store.appendNow('t1.d1', 't1', u);
    const sv = Y.encodeStateVector(doc);
    const { lastSeq } = (await store.load('t1.d1'))!;
    await store.compact('t1.d1', lastSeq, { update: Y.encodeStateAsUpdate(doc), stateVector: sv, deleteSet: sv });
    const row = db.prepare("SELECT data FROM updates WHERE room = 't1.d1' AND seq = ?").get(lastSeq) as {
      data: Buffer;
    };
    row.data[1]! ^= 0x01;
    db.prepare("UPDATE updates SET data = ? WHERE room = 't1.d1' AND seq = ?").run(row.data, lastSeq);
    await expect(store.load('t1.d1')).rejects.toBeInstanceOf(CorruptRoomError);
  });
});

describe('SQLite schema upgrade to per-room seqs', () => {
  it('numbers the rows of each room in id order and moves the index marks from ids to seqs', async () => {
    const old = mkdtempSync(path.join(tmpdir(), 'pizhu-upgrade-'));
    try {
      const raw = new Database(path.join(old, DATABASE_FILE));
      raw.exec(MIGRATIONS[0]!);
      raw.pragma('user_version = 1');
      const insert = raw.prepare('INSERT INTO updates (id, room, data) VALUES (?, ?, ?)');
      insert.run(1, 't1.a', Buffer.from([1]));
      insert.run(2, 't1.b', Buffer.from([2]));
      insert.run(3, 't1.a', Buffer.from([3]));
      const room = raw.prepare(
        'INSERT INTO rooms (id, team_id, last_id, bytes, row_count, created_at, changed_at) VALUES (?, ?, ?, ?, ?, 0, 0)',
      );
      room.run('t1.a', 't1', 3, 2, 2);
      room.run('t1.b', 't1', 2, 1, 1);
      raw.prepare('INSERT INTO index_rooms (room, team_id, through) VALUES (?, ?, ?)').run('t1.a', 't1', 1);
      raw.close();

      const upgraded = openDatabase(old);
      const upgradedStore = new SqliteUpdateStore(upgraded);
      expect((await upgradedStore.load('t1.a'))!.rows.map((r) => [r.id, r.seq])).toEqual([
        [1, 1],
        [3, 2],
      ]);
      expect((await upgradedStore.load('t1.a'))!.lastSeq).toBe(2);
      expect((await upgradedStore.head('t1.b'))!).toEqual({ roomId: 't1.b', changeId: 2, lastSeq: 1 });
      expect(upgraded.prepare("SELECT through FROM index_rooms WHERE room = 't1.a'").get()).toEqual({ through: 1 });
      expect(upgradedStore.appendNow('t1.a', 't1', new Uint8Array([4]))).toMatchObject({ id: 4, seq: 3 });
      upgraded.close();
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
});
