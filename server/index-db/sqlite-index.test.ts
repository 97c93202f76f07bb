import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Annotation } from '../../shared/model/index.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { openDatabase, type SqliteHandle } from '../storage/sqlite-db.ts';
import { clauseKey, SqliteAnnotationIndex } from './sqlite-index.ts';

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
      throughId: 5,
    });
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [],
      removedIds: ['a'],
      throughId: 7,
    });
    await index.flush();
    expect(await index.through('t1.d1')).toBe(7);
    expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['b']);
    // A late batch with an older position does not move `through` back.
    index.applyChange({ roomId: 't1.d1', teamId: 't1', documentKey: 'd1', upserts: [], removedIds: [], throughId: 6 });
    await index.flush();
    expect(await index.through('t1.d1')).toBe(7);
  });

  it('reads each room marked dirty once per batch, at write time; a read that throws leaves only that room behind', async () => {
    const errors: unknown[] = [];
    index = new SqliteAnnotationIndex(db, (error) => errors.push(error));
    let reads = 0;
    let throughId = 0;
    const source = {
      takeIndexChange: () => {
        reads++;
        return { roomId: 't1.d1', teamId: 't1', documentKey: 'd1', upserts: [make('a')], removedIds: [], throughId };
      },
    };
    for (throughId = 1; throughId <= 3; throughId++) index.markDirty('t1.d1', source);
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
      throughId: 1,
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
      throughId: 1,
    });
    index.applyChange({
      roomId: 't2.d1',
      teamId: 't2',
      documentKey: 'd1',
      upserts: [make('theirs', { teamId: 't2' })],
      removedIds: [],
      throughId: 2,
    });
    await index.flush();
    expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['mine']);
    expect((await index.teamAnnotations('t2')).annotations.map((a) => a.id)).toEqual(['theirs']);
  });

  it('reads tags through the team’s renames in lists, filters, counts and briefings, and keeps teams’ apart', async () => {
    const stamp = { by: 'm1', at: 1 };
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [
        make('a', { tags: ['重点任务'] }),
        make('b', { tags: ['ppp', '特许经营'] }),
        make('c', { tags: ['特许经营', '体育'] }),
      ],
      removedIds: [],
      throughId: 1,
    });
    index.applyChange({
      roomId: 't2.d1',
      teamId: 't2',
      documentKey: 'd1',
      upserts: [make('x', { teamId: 't2', tags: ['重点任务'] })],
      removedIds: [],
      throughId: 2,
    });
    index.applyChange({
      roomId: 't1._team',
      teamId: 't1',
      documentKey: '_team',
      upserts: [],
      removedIds: [],
      vocabulary: {
        tagRenames: new Map([
          ['重点任务', { to: '重点工作', ...stamp }],
          ['ppp', { to: '合作', ...stamp }],
          ['特许经营', { to: '合作', ...stamp }],
          // Two offline renames made a cycle: both read as themselves.
          ['甲', { to: '乙', ...stamp }],
          ['乙', { to: '甲', ...stamp }],
        ]),
        units: { u1: { name: '办公室', ...stamp } },
      },
      throughId: 3,
    });
    await index.flush();
    expect(await index.tags('t1')).toEqual([
      { tag: '合作', count: 2 },
      { tag: '体育', count: 1 },
      { tag: '重点工作', count: 1 },
    ]);
    const ids = async (tag: string) =>
      (await index.list('t1', { tag, limit: 10 })).annotations.map((a) => [a.id, a.tags]).sort();
    expect(await ids('合作')).toEqual([
      ['b', ['合作']],
      ['c', ['合作', '体育']],
    ]);
    expect(await ids('重点任务')).toEqual([['a', ['重点工作']]]);
    expect(await ids('甲')).toEqual([]);
    const briefing = await index.teamAnnotations('t1', { tags: ['ppp'] });
    expect(briefing.annotations.map((a) => a.id).sort()).toEqual(['b', 'c']);
    // Another team's renames do not apply.
    expect(await index.tags('t2')).toEqual([{ tag: '重点任务', count: 1 }]);
    expect(Object.keys(await index.units('t1'))).toEqual(['u1']);
    expect(await index.units('t2')).toEqual({});
    // The team room rebuilt without its renames: tags read as written again.
    await index.replaceRoom('t1._team', { document: null, annotations: [], invalid: [] }, 4, {
      tagRenames: new Map(),
      units: {},
    });
    expect((await index.tags('t1')).map((t) => t.tag).sort()).toEqual(['ppp', '体育', '特许经营', '重点任务'].sort());
  });
});
