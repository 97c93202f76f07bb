/**
 * Upgrading from the first schema version (what the thin path shipped) and from the second keeps every record,
 * including ones the current model would refuse, and builds the search index and the library's counts from them;
 * from the third it adds the versions' tables (issue 20), from the fourth the team's vocabulary, and keeps
 * everything else; from the fifth, rooms are read again so tasks they already hold reach the store.
 */
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import { type AnnotationFilter, StoreQueries } from '../../../extension/lib/store/queries.ts';
import { SnapshotStore } from '../../../extension/lib/store/snapshots.ts';
import { AnnotationStore } from '../../../extension/lib/store/annotation-store.ts';
import { SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5 } from '../../../extension/lib/store/schema.ts';
import { RoomRegistry } from '../../../extension/lib/sync/rooms.ts';
import { writeTask } from '../../../shared/tasks/index.ts';
import { sampleSnapshot } from '../../fixtures/snapshot.ts';
import { writeVersion1Annotation } from '../../fixtures/room-v1.ts';
import { annotation, documentInfo, fakeIndexedDb } from './fixtures.ts';
import { sampleTask } from '../../fixtures/tasks/sample.ts';

async function fillVersion1(options: ReturnType<typeof fakeIndexedDb>) {
  const v1 = new Dexie('pizhu', options);
  v1.version(1).stores(SCHEMA_V1);
  const teamAnnotation = annotation({
    id: 'team-1',
    teamId: 't1',
    visibility: 'team',
    tags: ['体育'],
    note: '重点',
    quote: '促进学生身心健康全面发展',
  });
  const records = {
    annotations: [
      annotation({ id: 'p-1', tags: ['体育', '教育'], quote: '加强义务教育阶段学生体育锻炼' }),
      annotation({ id: 'p-2', tags: ['教育'], quote: 'Safety zone for the harbor', note: '英文' }),
      annotation({ id: 'p-3', tags: ['教育'], deleted: true }),
      teamAnnotation,
      // A record the model refuses (v1 wrote rows unchecked): kept as it is, never indexed.
      { id: 'broken', documentKey: 'doc1', quote: 42 },
    ],
    documents: [
      documentInfo(),
      documentInfo({ key: 'doc2', canonicalUrl: 'example.gov.cn/2', url: 'https://example.gov.cn/2' }),
    ],
    roomUpdates: [] as { room: string; update: Uint8Array; at: number }[],
    rooms: [{ room: 't1.doc1', teamId: 't1', documentKey: 'doc1', dirty: 1, syncedAt: 0 }],
    settings: [
      { key: 'localAuthorId', value: 'local-1' },
      { key: 'displayName', value: '张伟' },
    ],
    teams: [
      {
        teamId: 't1',
        teamName: '教育局',
        serverUrl: 'http://127.0.0.1:1',
        memberId: 'm1',
        displayName: '张伟',
        role: 'editor',
        token: 'secret-token-0123456789',
        joinedAt: 1,
      },
    ],
  };
  const doc = new Y.Doc();
  // Stored by an extension of that time: room layout version 1 too.
  writeVersion1Annotation(doc, teamAnnotation);
  records.roomUpdates.push({ room: 't1.doc1', update: Y.encodeStateAsUpdate(doc), at: 1 });
  for (const [table, rows] of Object.entries(records)) await v1.table(table).bulkAdd(rows);
  v1.close();
  return records;
}

describe('schema upgrade from version 1', () => {
  it('keeps every record of every table', async () => {
    const options = fakeIndexedDb();
    const records = await fillVersion1(options);
    const db = new PizhuDatabase('pizhu', options);
    await db.open();
    expect(db.verno).toBe(6);
    for (const [table, rows] of Object.entries(records)) {
      const stored = await db.table(table).toArray();
      const withoutKeys = stored.map((row: Record<string, unknown>) => {
        const { seq: _seq, projected: _projected, localChanges: _changes, ...rest } = row;
        return rest;
      });
      expect(withoutKeys, table).toEqual(expect.arrayContaining(rows as unknown[]));
      expect(stored, table).toHaveLength(rows.length);
    }
  });

  it('builds the search index and the library counts from the old records', async () => {
    const options = fakeIndexedDb();
    await fillVersion1(options);
    const db = new PizhuDatabase('pizhu', options);
    const queries = new StoreQueries(db);
    expect(await foundIds(queries, { text: '体育锻炼' })).toEqual(['p-1']);
    expect(await foundIds(queries, { text: 'harbor' })).toEqual(['p-2']);
    expect(await foundIds(queries, { text: '重点' })).toEqual(['team-1']);
    // The document's title is searchable; deleted records are not searchable and not counted.
    expect(await foundIds(queries, { text: '工作要点' })).toEqual(['p-1', 'p-2', 'team-1']);
    expect(await queries.tagLibrary()).toEqual(
      [
        { tag: '教育', count: 2, documents: 1, usedAt: expect.any(Number) },
        { tag: '体育', count: 2, documents: 1, usedAt: expect.any(Number) },
      ].sort((a, b) => b.count - a.count || (a.tag < b.tag ? 1 : -1)),
    );
    const library = await queries.library();
    expect(library.documents.map((d) => [d.key, d.annotations, d.tags])).toEqual([['doc1', 3, 2]]);
    expect(library.authors).toEqual([{ id: 'm1', name: '张伟', count: 3 }]);
    // The refused record is reported (not passed on, not deleted) where it is read.
    const page = await queries.byDocument('doc1');
    expect(page.problems).toEqual([{ id: 'broken', error: expect.stringContaining('quote') }]);
    expect(await db.annotations.get('broken')).toEqual({ id: 'broken', documentKey: 'doc1', quote: 42 });
  });

  it('marks rooms for re-projection and keeps their unsent flag', async () => {
    const options = fakeIndexedDb();
    await fillVersion1(options);
    const db = new PizhuDatabase('pizhu', options);
    expect(await db.rooms.get('t1.doc1')).toMatchObject({ dirty: 1, projected: 0, localChanges: 1 });
  });
});

describe('schema upgrade from version 2', () => {
  /** A version-2 store as that version left it: entries with text and tags only, tags without documents. */
  async function fillVersion2(options: ReturnType<typeof fakeIndexedDb>) {
    const v2 = new Dexie('pizhu', options);
    v2.version(1).stores(SCHEMA_V1);
    v2.version(2).stores(SCHEMA_V2);
    const records = [
      annotation({ id: 'x-1', tags: ['双减'], quote: '扎实推进“双减”工作', author: { id: 'li', name: '李娜' } }),
      annotation({ id: 'x-2', documentKey: 'doc2', quote: '坚持需求引领', note: '列入简报' }),
      annotation({ id: 'x-3', documentKey: 'doc2', quote: '同意', replyTo: 'x-2' }),
      annotation({ id: 'x-4', documentKey: 'doc2', quote: '已删除', deleted: true, tags: ['双减'] }),
    ];
    await v2.table('annotations').bulkAdd(records);
    await v2.table('documents').bulkAdd([
      documentInfo(),
      documentInfo({
        key: 'doc2',
        canonicalUrl: 'example.gov.cn/2',
        url: 'https://example.gov.cn/2',
        title: '政务新媒体意见',
      }),
    ]);
    await v2.table('tags').bulkAdd([{ tag: '双减', count: 1, usedAt: 1 }]);
    await v2
      .table('searchEntries')
      .bulkAdd([{ annotationId: 'x-1', text: '扎实推进“双减”工作', tags: ['双减'], updatedAt: 1 }]);
    v2.close();
    return records;
  }

  it('keeps the records and rebuilds the index with titles, filters and dates, and the counts', async () => {
    const options = fakeIndexedDb();
    const records = await fillVersion2(options);
    const db = new PizhuDatabase('pizhu', options);
    await db.open();
    expect(db.verno).toBe(6);
    expect(await db.annotations.toArray()).toEqual(expect.arrayContaining(records));
    const queries = new StoreQueries(db);
    expect(await foundIds(queries, { text: '新媒体' })).toEqual(['x-2', 'x-3']);
    expect(await foundIds(queries, { text: '双减' })).toEqual(['x-1']);
    expect(await foundIds(queries, { authorId: 'li' })).toEqual(['x-1']);
    expect(await foundIds(queries, { documentKey: 'doc2', text: '简报' })).toEqual(['x-2']);
    const library = await queries.library();
    expect(library.documents.map((d) => [d.key, d.annotations, d.tags]).sort()).toEqual([
      ['doc1', 1, 1],
      ['doc2', 1, 0],
    ]);
    expect(library.tags).toEqual([{ tag: '双减', count: 1, documents: 1 }]);
    expect(await db.searchEntries.count()).toBe(3);
  });
});

describe('schema upgrade from version 3', () => {
  it('keeps every record and adds the empty versions and snapshots tables, ready for use', async () => {
    const options = fakeIndexedDb();
    const v3 = new Dexie('pizhu', options);
    v3.version(1).stores(SCHEMA_V1);
    v3.version(2).stores(SCHEMA_V2);
    v3.version(3).stores(SCHEMA_V3);
    const kept = annotation({ id: 'v3-1', tags: ['体育'] });
    await v3.table('annotations').add(kept);
    await v3.table('documents').add(documentInfo());
    v3.close();

    const db = new PizhuDatabase('pizhu', options);
    await db.open();
    expect(db.verno).toBe(6);
    expect(await db.annotations.toArray()).toEqual([kept]);
    expect(await db.versions.count()).toBe(0);
    const snapshot = sampleSnapshot();
    expect(await new SnapshotStore(db).keep('doc1', snapshot)).toBe(true);
    expect((await new StoreQueries(db).versions.of('doc1')).map((v) => v.contentHash)).toEqual([snapshot.contentHash]);
  });
});

describe('schema upgrade from version 4', () => {
  it('adds the team’s vocabulary tables and keeps the index and counts as they were (tags read as written)', async () => {
    const options = fakeIndexedDb();
    // A version-4 store with a tagged record, its index and counts as that version kept them.
    const v4 = new Dexie('pizhu', options);
    v4.version(4).stores(SCHEMA_V4);
    const record = annotation({ id: 'v4-1', tags: ['重点任务'], quote: '扎实推进重点任务' });
    await v4.table('annotations').add(record);
    await v4.table('tags').add({ tag: '重点任务', count: 1, documents: 1, usedAt: 1 });
    v4.close();
    const db = new PizhuDatabase('pizhu', options);
    await db.open();
    expect(db.verno).toBe(6);
    expect(await db.annotations.get('v4-1')).toEqual(record);
    expect(await db.tagRenames.count()).toBe(0);
    expect(await db.units.count()).toBe(0);
    expect((await new StoreQueries(db).library()).tags).toEqual([{ tag: '重点任务', count: 1, documents: 1 }]);
    db.close();
  });
});

describe('schema upgrade from version 5', () => {
  it('reads tasks that rooms synced before version 6 already hold: every room is marked to be read again', async () => {
    const options = fakeIndexedDb();
    const v5 = new Dexie('pizhu', options);
    v5.version(1).stores(SCHEMA_V1);
    v5.version(2).stores(SCHEMA_V2);
    v5.version(3).stores(SCHEMA_V3);
    v5.version(4).stores(SCHEMA_V4);
    v5.version(5).stores(SCHEMA_V5);
    const doc = new Y.Doc();
    writeTask(doc, sampleTask({ id: 'task-1' }));
    await v5.table('roomUpdates').add({ room: 't1.doc1', update: Y.encodeStateAsUpdate(doc), at: 1 });
    await v5
      .table('rooms')
      .add({ room: 't1.doc1', teamId: 't1', documentKey: 'doc1', dirty: 0, syncedAt: 1, projected: 1 });
    v5.close();
    const db = new PizhuDatabase('pizhu', options);
    await db.open();
    expect(db.verno).toBe(6);
    expect(await db.rooms.get('t1.doc1')).toMatchObject({ projected: 0, dirty: 0 });
    const registry = new RoomRegistry(db, new AnnotationStore(db), { onChange() {}, onProblem() {} }, 5);
    await registry.use('t1.doc1', async () => undefined);
    expect(await db.tasks.get(['doc1', 'task-1'])).toMatchObject({ task: '全面学习宣传贯彻', teamId: 't1' });
    await registry.flushAll();
  });
});

async function foundIds(queries: StoreQueries, filter: AnnotationFilter): Promise<string[]> {
  const found = await queries.find(filter);
  return found.groups.flatMap((g) => g.items.map((a) => a.id)).sort();
}
