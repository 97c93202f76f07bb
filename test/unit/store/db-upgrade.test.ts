/**
 * Upgrading from the first schema version (what the thin path shipped) keeps every record, including ones the
 * current model would refuse, and builds the search index, tag library and clause index from them.
 */
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PizhuDatabase, SCHEMA_V1 } from '../../../extension/lib/store/db.ts';
import { StoreQueries } from '../../../extension/lib/store/queries.ts';
import { writeVersion1Annotation } from '../../fixtures/room-v1.ts';
import { annotation, documentInfo, fakeIndexedDb } from './fixtures.ts';

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
    expect(db.verno).toBe(2);
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

  it('builds the search index, the tag library and the clause index from the old records', async () => {
    const options = fakeIndexedDb();
    await fillVersion1(options);
    const db = new PizhuDatabase('pizhu', options);
    const queries = new StoreQueries(db);
    expect((await queries.search('体育锻炼')).annotations.map((a) => a.id)).toEqual(['p-1']);
    expect((await queries.search('harbor')).annotations.map((a) => a.id)).toEqual(['p-2']);
    expect((await queries.search('重点')).annotations.map((a) => a.id)).toEqual(['team-1']);
    // Deleted records are not searchable and not counted.
    expect(await queries.tagLibrary()).toEqual(
      [
        { tag: '教育', count: 2, usedAt: expect.any(Number) },
        { tag: '体育', count: 2, usedAt: expect.any(Number) },
      ].sort((a, b) => b.count - a.count || (a.tag < b.tag ? 1 : -1)),
    );
    const clause = await queries.byClause('doc1', ['二、', '8.']);
    expect(clause.annotations.map((a) => a.id).sort()).toEqual(['p-1', 'p-2', 'team-1']);
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
