import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { checksumOf } from './checksum.ts';
import { openDatabase, type SqliteHandle } from './sqlite-db.ts';
import { type Journaling, SqliteUpdateStore } from './sqlite-updates.ts';
import { encodeFrame, JOURNAL_FILE, type JournalRecord, parseJournal, UpdateJournal } from './update-journal.ts';

let dir: string;
let db: SqliteHandle;
let store: SqliteUpdateStore;
let journaled = false;
const batchErrors: unknown[] = [];

function journaling(batchDelayMs = 20): Journaling {
  return {
    journal: new UpdateJournal(path.join(dir, JOURNAL_FILE), { fsync: false }),
    batchDelayMs,
    onBatchError: (error) => batchErrors.push(error),
  };
}

function openStore(): SqliteUpdateStore {
  return new SqliteUpdateStore(db, journaled ? journaling() : undefined);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-store-'));
  db = openDatabase(dir);
  batchErrors.length = 0;
  store = openStore();
});
afterEach(() => {
  store.close();
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

describe.each([
  ['without a journal', false],
  ['with a journal', true],
])('SqliteUpdateStore %s', (_name, withJournal) => {
  beforeEach(() => {
    journaled = withJournal;
    store.close();
    store = openStore();
  });

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
    await store.compact('t1.d1', loaded.lastId, {
      update: merged,
      stateVector: sv,
      deleteSet: Y.encodeStateAsUpdate(doc, sv),
    });
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
    store.close();
    db.close();
    db = openDatabase(dir);
    store = openStore();
    expect(store.instanceId).toBe(id);
  });
});

describe('SqliteUpdateStore with a journal', () => {
  /** What another connection to the same file sees: only what reached SQLite. */
  const rowsInSqlite = () => (db.prepare('SELECT COUNT(*) AS n FROM updates').get() as { n: number }).n;

  beforeEach(() => {
    journaled = true;
    store.close();
    store = openStore();
  });

  it('is durable once journaled, and moves the updates into SQLite in one batch shortly after', async () => {
    const { list } = updates(3);
    for (const u of list) store.appendNow('t1.d1', 't1', u);
    expect(rowsInSqlite()).toBe(0);
    expect(parseJournal(readFileSync(path.join(dir, JOURNAL_FILE))).records).toHaveLength(3);
    await vi.waitFor(() => expect(rowsInSqlite()).toBe(3));
    expect(batchErrors).toEqual([]);
  });

  it('leaves a small journal as it is after a batch, and empties it once it passes 1 MiB', async () => {
    const journalBytes = () => readFileSync(path.join(dir, JOURNAL_FILE)).byteLength;
    store.appendNow('t1.d1', 't1', new Uint8Array(1_000));
    await vi.waitFor(() => expect(rowsInSqlite()).toBe(1));
    expect(journalBytes()).toBeGreaterThan(1_000); // stored, and skipped by id at the next start
    for (let i = 0; i < 11; i++) store.appendNow('t1.d1', 't1', new Uint8Array(100_000));
    expect(journalBytes()).toBeGreaterThan(1 << 20);
    await vi.waitFor(() => expect(rowsInSqlite()).toBe(12));
    expect(journalBytes()).toBe(0);
  });

  it('gives readers the journaled updates at once (they are stored before any read)', async () => {
    const { doc, list } = updates(2);
    const ids = list.map((u) => store.appendNow('t1.d1', 't1', u).id);
    const loaded = (await store.load('t1.d1'))!;
    expect(loaded.rows.map((r) => r.id)).toEqual(ids);
    expect(await store.currentCursor()).toBe(ids[1]);
    const rebuilt = new Y.Doc();
    for (const row of loaded.rows) Y.applyUpdate(rebuilt, row.update);
    expect(rebuilt.getMap('m').toJSON()).toEqual(doc.getMap('m').toJSON());
  });

  /** The files a killed process leaves: SQLite as it was, and a journal holding these records. */
  function crashLeaving(records: JournalRecord[]): void {
    store.close();
    writeFileSync(path.join(dir, JOURNAL_FILE), Buffer.concat(records.map((r) => encodeFrame(r))));
    store = openStore();
  }

  it('after a crash, stores what was only journaled; ids keep growing', async () => {
    const { list } = updates(4);
    const first = store.appendNow('t1.d1', 't1', list[0]!);
    const at = Date.now();
    crashLeaving([
      { id: first.id + 1, roomId: 't1.d1', teamId: 't1', at, update: list[1]! },
      { id: first.id + 2, roomId: 't2.d2', teamId: 't2', at, update: list[2]! },
    ]);
    const room1 = (await store.load('t1.d1'))!;
    expect(room1.rows.map((r) => r.id)).toEqual([first.id, first.id + 1]);
    expect(room1.bytes).toBe(list[0]!.byteLength + list[1]!.byteLength);
    expect((await store.changedRooms('t2', 0)).map((r) => r.roomId)).toEqual(['t2.d2']);
    expect(store.appendNow('t1.d1', 't1', list[3]!).id).toBe(first.id + 3);
    expect(readFileSync(path.join(dir, JOURNAL_FILE)).byteLength).toBeGreaterThan(0); // only the new one
  });

  it('replays nothing twice when a crash fell between a batch and emptying the journal', async () => {
    const { list } = updates(2);
    for (const u of list) store.appendNow('t1.d1', 't1', u);
    const records = parseJournal(readFileSync(path.join(dir, JOURNAL_FILE))).records;
    crashLeaving(records); // close() stored both; the journal still names them
    expect((await store.load('t1.d1'))!.rows).toHaveLength(2);
    expect(rowsInSqlite()).toBe(2);
  });

  it('recovers after compaction deleted the rows the journal still names', async () => {
    const { doc, list } = updates(3);
    for (const u of list) store.appendNow('t1.d1', 't1', u);
    const records = parseJournal(readFileSync(path.join(dir, JOURNAL_FILE))).records;
    const head = (await store.load('t1.d1'))!;
    const sv = Y.encodeStateVector(doc);
    await store.compact('t1.d1', head.lastId, {
      update: Y.encodeStateAsUpdate(doc),
      stateVector: sv,
      deleteSet: new Uint8Array([0, 0]),
    });
    crashLeaving(records);
    expect((await store.load('t1.d1'))!.rows).toHaveLength(1);
  });

  it('keeps a batch SQLite refused in the journal and stores it with the next one', async () => {
    const { list } = updates(2);
    db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON updates BEGIN SELECT RAISE(ABORT, 'disk is full'); END");
    store.appendNow('t1.d1', 't1', list[0]!);
    await vi.waitFor(() => expect(batchErrors.length).toBeGreaterThan(0));
    expect(String(batchErrors[0])).toMatch(/disk is full/);
    expect(parseJournal(readFileSync(path.join(dir, JOURNAL_FILE))).records).toHaveLength(1);
    db.exec('DROP TRIGGER refuse');
    store.appendNow('t1.d1', 't1', list[1]!);
    await vi.waitFor(() => expect(rowsInSqlite()).toBe(2));
  });

  it('counts room bytes for the room size limit, also across batches and compaction', async () => {
    const { doc, list } = updates(3);
    expect(store.appendNow('t1.d1', 't1', list[0]!).roomBytes).toBe(list[0]!.byteLength);
    store.storePending();
    expect(store.appendNow('t1.d1', 't1', list[1]!).roomBytes).toBe(list[0]!.byteLength + list[1]!.byteLength);
    const head = (await store.load('t1.d1'))!;
    const merged = Y.encodeStateAsUpdate(doc);
    await store.compact('t1.d1', head.lastId, {
      update: merged,
      stateVector: Y.encodeStateVector(doc),
      deleteSet: new Uint8Array([0, 0]),
    });
    expect(store.appendNow('t1.d1', 't1', list[2]!).roomBytes).toBe(merged.byteLength + list[2]!.byteLength);
  });
});
