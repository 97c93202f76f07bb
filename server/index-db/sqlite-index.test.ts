import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Annotation } from '../../shared/model/index.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { DATABASE_FILE, MIGRATIONS, openDatabase, type SqliteHandle } from '../storage/sqlite-db.ts';
import { clauseKey, searchable } from './index-rows.ts';
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

  it('indexes a large change in chunks, with turns of the event loop between them', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `n${i}`);
    let left = [...ids];
    const takes: number[] = [];
    const source = {
      takeIndexChange(max = Number.POSITIVE_INFINITY) {
        const chunk = left.slice(0, max);
        left = left.slice(chunk.length);
        takes.push(chunk.length);
        const change = {
          roomId: 't1.d1',
          teamId: 't1',
          documentKey: 'd1',
          upserts: chunk.map((id) => make(id)),
          removedIds: [],
          throughSeq: 42,
        };
        return left.length > 0 ? { ...change, partial: true as const } : change;
      },
    };
    index.markDirty('t1.d1', source);
    const throughSeen: number[] = [];
    let turns = 0;
    const done = (async () => {
      while (left.length > 0 || (await index.through('t1.d1')) === 0) {
        turns++;
        throughSeen.push(await index.through('t1.d1'));
        await new Promise((r) => setImmediate(r));
      }
    })();
    await done;
    expect(Math.max(...takes)).toBeLessThanOrEqual(100);
    expect(takes.reduce((a, b) => a + b, 0)).toBe(1000);
    // Other work ran while the chunks were written, and the room's position moved only with the last chunk.
    expect(turns).toBeGreaterThan(takes.length - 1);
    expect(new Set(throughSeen)).toEqual(new Set([0]));
    expect(await index.through('t1.d1')).toBe(42);
    expect((await index.list('t1', { limit: 1000 })).annotations).toHaveLength(1000);
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
      throughSeq: 1,
    });
    index.applyChange({
      roomId: 't2.d1',
      teamId: 't2',
      documentKey: 'd1',
      upserts: [make('x', { teamId: 't2', tags: ['重点任务'] })],
      removedIds: [],
      throughSeq: 2,
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
      throughSeq: 3,
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

describe('SqliteAnnotationIndex text filter (FTS5 trigram)', () => {
  const notes: [string, string, string][] = [
    ['budget', '关于做好2023年财政预算管理工作的通知', 'Budget review 预算'],
    ['tax', '税收优惠政策', 'TAX relief'],
    ['percent', '完成率100%以上', 'a_b and "quoted" text'],
    ['plain', '学校体育工作', 'nothing special'],
  ];
  beforeEach(async () => {
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: notes.map(([id, quote, note]) => make(id, { quote, note })),
      removedIds: [],
      throughSeq: 1,
    });
    index.applyChange({
      roomId: 't2.d1',
      teamId: 't2',
      documentKey: 'd1',
      upserts: [make('other-team', { teamId: 't2', quote: '财政预算', note: '' })],
      removedIds: [],
      throughSeq: 2,
    });
    await index.flush();
  });
  const search = async (text: string, teamId = 't1') =>
    (await index.list(teamId, { limit: 50, text })).annotations.map((a) => a.id).sort();

  it('finds Chinese and English text of three or more characters, folded for case and width', async () => {
    expect(await search('财政预算管理')).toEqual(['budget']);
    expect(await search('2023年')).toEqual(['budget']);
    expect(await search('budget REVIEW')).toEqual(['budget']);
    expect(await search('ＴＡＸ')).toEqual(['tax']);
    expect(await search('学校体育工作')).toEqual(['plain']);
    expect(await search('不存在的文字')).toEqual([]);
    expect(await search('财政预算', 't2')).toEqual(['other-team']);
  });

  it('finds queries shorter than a trigram (one or two Chinese characters)', async () => {
    expect(await search('税')).toEqual(['tax']);
    expect(await search('预算')).toEqual(['budget']);
    expect(await search('体育')).toEqual(['plain']);
    expect(await search('ta')).toEqual(['tax']);
    expect(await search('无')).toEqual([]);
  });

  it('reads LIKE wildcards, quotes and FTS syntax in the query literally', async () => {
    expect(await search('%')).toEqual(['percent']);
    expect(await search('0%')).toEqual(['percent']);
    expect(await search('100%以上')).toEqual(['percent']);
    expect(await search('_')).toEqual(['percent']);
    expect(await search('a_b')).toEqual(['percent']);
    expect(await search('a%b')).toEqual([]);
    expect(await search('"quoted"')).toEqual(['percent']);
    expect(await search('"')).toEqual(['percent']);
    expect(await search('\\')).toEqual([]);
    expect(await search("' OR 1=1 --")).toEqual([]);
    for (const hostile of ['" OR "', 'NEAR(a b)', 'tax*', '^tax', '-tax', 'tax AND relief', '*', '""', '\\%']) {
      expect(await search(hostile)).toEqual([]);
    }
  });

  it('follows edits and removals', async () => {
    index.applyChange({
      roomId: 't1.d1',
      teamId: 't1',
      documentKey: 'd1',
      upserts: [make('tax', { quote: '教育经费', note: '' })],
      removedIds: ['budget'],
      throughSeq: 3,
    });
    await index.flush();
    expect(await search('税收优惠')).toEqual([]);
    expect(await search('税')).toEqual([]);
    expect(await search('教育经费')).toEqual(['tax']);
    expect(await search('财政预算')).toEqual([]);
    await index.replaceRoom(
      't1.d1',
      { document: null, annotations: [make('fresh', { quote: '财政预算' })], invalid: [] },
      9,
    );
    expect(await search('财政预算')).toEqual(['fresh']);
    expect(await search('教育')).toEqual([]);
  });
});

describe('the text index on upgrade', () => {
  it('builds the FTS index from the annotations a schema 1 DATA_DIR already holds', async () => {
    const old = mkdtempSync(path.join(tmpdir(), 'pizhu-index-v1-'));
    try {
      const v1 = new Database(path.join(old, DATABASE_FILE));
      v1.exec(MIGRATIONS[0]!);
      v1.pragma('user_version = 1');
      const a = make('legacy', { quote: '关于做好财政预算管理工作', note: 'Old note' });
      v1.prepare(
        `INSERT INTO annotations (room, id, team_id, document_key, author_id, clause_key, search_text, created_at,
           updated_at, deleted, data) VALUES ('t1.d1', 'legacy', 't1', 'd1', ?, '', ?, 1, 1, 0, ?)`,
      ).run(a.author.id, searchable(`${a.quote}\n${a.note}`), JSON.stringify(a));
      v1.close();
      const upgraded = openDatabase(old);
      try {
        const queries = new SqliteAnnotationIndex(upgraded);
        for (const text of ['财政预算管理', '预算', 'old note']) {
          expect((await queries.list('t1', { limit: 5, text })).annotations.map((x) => x.id)).toEqual(['legacy']);
        }
      } finally {
        upgraded.close();
      }
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
});
