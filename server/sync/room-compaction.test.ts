/**
 * Compaction with two instances holding one room over one store (here both in one process on one SQLite
 * file, each with its own fan-out so neither hears the other yet): a room compacts only through the seq below
 * which it holds every stored update, so an update another instance stored is never folded away unseen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { idsOfMemberKeys, notesMap, writeAnnotation } from '../../shared/model/index.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { resolveConfig } from '../config.ts';
import { LocalFanout } from '../fanout/local.ts';
import { testGuard } from '../guard/testing.ts';
import type { IndexSink } from '../index-db/types.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import { openDatabase, type SqliteHandle } from '../storage/sqlite-db.ts';
import { SqliteUpdateStore } from '../storage/sqlite-updates.ts';
import { Room, type RoomPeer } from './room.ts';

const ROOM = 'team.doc';

const noIndex: IndexSink = {
  through: async () => 0,
  applyChange: () => {},
  markDirty: () => {},
  replaceRoom: async () => null,
  flush: async () => {},
};

const writer: RoomPeer = { role: 'editor', memberId: 'm', send: () => {}, close: () => {} };

let dir: string;
let db: SqliteHandle;
let store: SqliteUpdateStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-compaction-'));
  db = openDatabase(dir);
  store = new SqliteUpdateStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One instance's copy of the room, with a fan-out of its own. */
function instance(fanout = new LocalFanout()): Promise<Room> {
  return Room.load(ROOM, {
    store,
    index: noIndex,
    fanout,
    fanoutSource: Symbol('instance'),
    config: resolveConfig({ dataDir: dir }),
    metrics: new Metrics(),
    log: silentLogger,
    onFailed: () => {},
    guard: testGuard().guard,
  });
}

function note(key: string): Uint8Array {
  const doc = new Y.Doc();
  writeAnnotation(doc, sampleAnnotation({ id: key, author: { id: 'm', name: '张三' } }), 'm');
  return Y.encodeStateAsUpdate(doc);
}

async function storedNotes(): Promise<string[]> {
  const doc = new Y.Doc();
  for (const row of (await store.load(ROOM))!.rows) Y.applyUpdate(doc, row.update);
  return [...idsOfMemberKeys(notesMap(doc).keys())].sort();
}

describe('Room compaction with another instance writing', () => {
  it('never folds away an update this instance has not received', async () => {
    const a = await instance();
    const b = await instance();
    expect(a.applyFrom(writer, writer, note('from-a'))).toEqual({ ok: true });
    expect(b.applyFrom(writer, writer, note('from-b'))).toEqual({ ok: true });
    await b.compact();
    expect(await storedNotes()).toEqual(['from-a', 'from-b']);
    await a.close();
    await b.close();
    expect(await storedNotes()).toEqual(['from-a', 'from-b']);
  });

  it('compacts through everything once the missing update has arrived', async () => {
    const a = await instance();
    const fanoutOfB = new LocalFanout();
    const b = await instance(fanoutOfB);
    a.applyFrom(writer, writer, note('from-a'));
    b.applyFrom(writer, writer, note('from-b'));
    expect(b.appliedSeq).toBe(0);
    const [first] = (await store.updatesSince(ROOM, 0))!;
    fanoutOfB.publish(ROOM, { kind: 'update', update: first!.update, seq: first!.seq }, Symbol('instance a'));
    expect(b.appliedSeq).toBe(2);
    await b.compact();
    const stored = (await store.load(ROOM))!;
    expect(stored.rows.map((r) => r.seq)).toEqual([2]);
    expect(await storedNotes()).toEqual(['from-a', 'from-b']);
    expect(await store.updatesSince(ROOM, 0)).toBeNull();
    expect(await store.updatesSince(ROOM, 2)).toEqual([]);
    await a.close();
    await b.close();
  });
});
