import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Annotation } from '../../shared/model/index.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { openDatabase, type SqliteHandle } from '../storage/sqlite-db.ts';
import { clauseKey } from './index-rows.ts';
import { SqliteAnnotationIndex } from './sqlite-index.ts';

let dir: string;
let db: SqliteHandle;
let index: SqliteAnnotationIndex;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-index-'));
  db = openDatabase(dir);
  index = new SqliteAnnotationIndex(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const make = (id: string, extra: Partial<Annotation> = {}): Annotation =>
  sampleAnnotation({
    id,
    documentKey: 'd1',
    teamId: 't1',
    selectors: [{ type: 'TextQuoteSelector', exact: 'x' }],
    clausePath: ['一、'],
    quote: '引文',
    ...extra,
  });

describe('SqliteAnnotationIndex', () => {
  it('batches changes, tracks how far each room is indexed, and removes what left the room', async () => {
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [make('a'), make('b')],
      removedIds: [],
      throughSeq: 5,
    });
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [],
      removedIds: ['a'],
      throughSeq: 7,
    });
    await index.flush();
    expect(await index.through('t1.d1')).toBe(7);
    expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['b']);
    // A late batch with an older position does not move `through` back.
    index.applyChange({ roomId: 't1.d1', teamId: 't1', documentKey: 'd1', upserts: [], removedIds: [], throughSeq: 6 });
    await index.flush();
    expect(await index.through('t1.d1')).toBe(7);
  });

  it('reads each room marked dirty once per batch, at write time; a read that throws leaves only that room behind', async () => {
    const errors: unknown[] = [];
    index = new SqliteAnnotationIndex(db, (error) => errors.push(error));
    let reads = 0;
    let throughSeq = 0;
    const source = {
      takeIndexChange: () => {
        reads++;
        return { roomId: 't1.d1', teamId: 't1', documentKey: 'd1', upserts: [make('a')], removedIds: [], throughSeq };
      },
    };
    for (throughSeq = 1; throughSeq <= 3; throughSeq++) index.markDirty('t1.d1', source);
    index.markDirty('t1.d2', {
      takeIndexChange: () => {
        throw new Error('room gone');
      },
    });
    index.markDirty('t1.d3', { takeIndexChange: () => null });
    expect(reads).toBe(0);
    await index.flush();
    expect(reads).toBe(1);
    expect(await index.through('t1.d1')).toBe(4);
    expect(await index.through('t1.d2')).toBe(0);
    expect(await index.through('t1.d3')).toBe(0);
    expect(errors).toHaveLength(1);
    await index.flush();
    expect(reads).toBe(1);
  });

  it('replaces a room wholesale when rebuilt', async () => {
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [make('old')],
      removedIds: [],
      throughSeq: 1,
    });
    await index.flush();
    await index.replaceRoom('t1.d1', { document: null, annotations: [make('new', { tags: ['新'] })], invalid: [] }, 9);
    expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['new']);
    expect(await index.tags('t1')).toEqual([{ tag: '新', count: 1 }]);
    expect(await index.through('t1.d1')).toBe(9);
  });

  it('matches clause prefixes by whole labels', () => {
    expect(clauseKey(['一、', '（一）']).startsWith(clauseKey(['一、']))).toBe(true);
    expect(clauseKey(['十一、']).startsWith(clauseKey(['一、']))).toBe(false);
    expect(clauseKey(['1.', '2']).startsWith(clauseKey(['1']))).toBe(false);
  });

  it('keeps teams apart', async () => {
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [make('mine')],
      removedIds: [],
      throughSeq: 1,
    });
    index.applyChange({
      roomId: 't2.d1',
      teamId: 't2',
      documentKey: 'd1',
      upserts: [make('theirs', { teamId: 't2' })],
      removedIds: [],
      throughSeq: 2,
    });
    await index.flush();
    expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['mine']);
    expect((await index.teamAnnotations('t2')).annotations.map((a) => a.id)).toEqual(['theirs']);
    expect(await index.roomsWithTags('t1', ['体育'])).toEqual(['t1.d1']);
  });
});
