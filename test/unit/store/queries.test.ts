/**
 * The query module the screens read through: the library's counts (checked against a recount on random edits),
 * the library search with its filters and grouping, and what an export reads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../extension/lib/store/annotation-store.ts';
import { type AnnotationFilter, StoreQueries } from '../../../extension/lib/store/queries.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { annotation, documentInfo, freshDatabase } from './fixtures.ts';

const DAY = 86_400_000;
const at = (date: string, hour = 12) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00`).getTime();

async function filled(records: Annotation[]) {
  const db = freshDatabase();
  const store = new AnnotationStore(db);
  for (const key of new Set(records.map((r) => r.documentKey))) {
    await store.putDocument(
      documentInfo({
        key,
        canonicalUrl: `example.gov.cn/${key}`,
        url: `https://example.gov.cn/${key}`,
        title: `文件${key}`,
      }),
    );
  }
  await store.put(records);
  return { db, store, queries: new StoreQueries(db) };
}

/** The ids found, sorted (the order of results is checked on its own). */
const ids = async (queries: StoreQueries, filter: AnnotationFilter) =>
  (await queries.find(filter)).groups.flatMap((g) => g.items.map((a) => a.id)).sort();

describe('library counts', () => {
  const edit = fc.record({
    slot: fc.integer({ min: 0, max: 9 }),
    document: fc.constantFrom('d1', 'd2', 'd3'),
    author: fc.constantFrom('m1', 'm2'),
    tags: fc.subarray(['体育', '教育', '双减'], { maxLength: 3 }),
    reply: fc.boolean(),
    deleted: fc.boolean(),
    removed: fc.boolean(),
  });

  it('equal a recount of the live records after any sequence of edits and removals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 25 }), async (edits) => {
        const { db, store, queries } = await filled([]);
        const current = new Map<string, Annotation>();
        for (const e of edits) {
          const id = `s${e.slot}`;
          if (e.removed) {
            await store.remove([id]);
            current.delete(id);
            continue;
          }
          const record = annotation({
            id,
            documentKey: e.document,
            author: { id: e.author, name: e.author === 'm1' ? '张伟' : '李娜' },
            tags: e.tags,
            replyTo: e.reply ? 'parent' : null,
            deleted: e.deleted,
          });
          await store.put([record]);
          current.set(id, record);
        }
        const live = [...current.values()].filter((a) => !a.deleted);
        const library = await queries.library(100);
        // Every document with a live annotation, replies included (its highlights may all be deleted).
        const expectedDocuments = [...new Set(live.map((a) => a.documentKey))].sort();
        expect(library.documents.map((d) => d.key).sort()).toEqual(expectedDocuments);
        expect(library.totalDocuments).toBe(expectedDocuments.length);
        for (const summary of library.documents) {
          const mine = live.filter((a) => a.documentKey === summary.key);
          expect(summary.annotations).toBe(mine.filter((a) => !a.replyTo).length);
          expect(summary.tags).toBe(new Set(mine.flatMap((a) => a.tags)).size);
        }
        const expectedTags = new Map<string, { count: number; documents: Set<string> }>();
        for (const a of live) {
          for (const tag of a.tags) {
            const entry = expectedTags.get(tag) ?? { count: 0, documents: new Set<string>() };
            entry.count++;
            entry.documents.add(a.documentKey);
            expectedTags.set(tag, entry);
          }
        }
        expect(Object.fromEntries(library.tags.map((t) => [t.tag, [t.count, t.documents]]))).toEqual(
          Object.fromEntries([...expectedTags].map(([tag, e]) => [tag, [e.count, e.documents.size]])),
        );
        const expectedAuthors = new Map<string, number>();
        for (const a of live) expectedAuthors.set(a.author.id, (expectedAuthors.get(a.author.id) ?? 0) + 1);
        expect(Object.fromEntries(library.authors.map((a) => [a.id, a.count]))).toEqual(
          Object.fromEntries(expectedAuthors),
        );
        db.close();
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('lists documents by last activity, page by page', async () => {
    const records = Array.from({ length: 7 }, (_, i) =>
      annotation({ documentKey: `d${i}`, updatedAt: 1_700_000_000_000 + (i % 2 ? 10 * i : -10 * i) }),
    );
    const { queries } = await filled(records);
    const first = await queries.library(3);
    expect(first.totalDocuments).toBe(7);
    expect(first.documents.map((d) => d.key)).toEqual(['d5', 'd3', 'd1']);
    expect(first.documents[0]!.document?.title).toBe('文件d5');
    expect((await queries.library(10)).documents).toHaveLength(7);
  });
});

describe('find', () => {
  it('combines text with tag, author, document and local dates; groups by document in clause order', async () => {
    const records = [
      annotation({
        id: 'a10',
        quote: '加强体育锻炼',
        clausePath: ['二、', '10.'],
        tags: ['体育'],
        createdAt: at('2024-03-05'),
      }),
      annotation({ id: 'a9', quote: '体育课程建设', clausePath: ['二、', '9.'], createdAt: at('2024-03-05', 23) }),
      annotation({
        id: 'b1',
        documentKey: 'd2',
        quote: '体育场馆开放',
        tags: ['体育'],
        author: { id: 'm2', name: '李娜' },
        createdAt: at('2024-03-06', 0),
      }),
      annotation({ id: 'c1', documentKey: 'd3', quote: '安全生产', note: '体育课安全', createdAt: at('2024-04-01') }),
    ];
    const { queries } = await filled(records);
    const found = await queries.find({ text: '体育' });
    expect(found.groups.map((g) => [g.documentKey, g.items.map((a) => a.id)])).toEqual([
      ['doc1', ['a9', 'a10']],
      ['d3', ['c1']],
      ['d2', ['b1']],
    ]);
    expect(found).toMatchObject({ total: 4, totalExact: true, terms: ['体育'] });
    expect(await ids(queries, { text: '体育', tag: '体育' })).toEqual(['a10', 'b1']);
    expect(await ids(queries, { text: '体育', authorId: 'm2' })).toEqual(['b1']);
    expect(await ids(queries, { text: '体育', documentKey: 'd3' })).toEqual(['c1']);
    // Dates are whole local days, both ends included.
    expect(await ids(queries, { text: '体育', from: '2024-03-05', to: '2024-03-05' })).toEqual(['a10', 'a9']);
    expect(await ids(queries, { from: '2024-03-06' })).toEqual(['b1', 'c1']);
    expect(await ids(queries, { to: '2024-03-04' })).toEqual([]);
    expect(await ids(queries, { tag: '体育', from: '2024-03-06', to: '2024-03-06' })).toEqual(['b1']);
    // A title word finds its document's annotations.
    expect(await ids(queries, { text: '文件d2' })).toEqual(['b1']);
  });

  it('asks nothing of an empty filter and stays bounded on hostile text', async () => {
    const { queries } = await filled([annotation({ quote: '体育', createdAt: Date.now() - DAY })]);
    expect(await queries.find({ text: '   ' })).toMatchObject({ groups: [], total: 0 });
    expect(await queries.find({ text: '，。、' })).toMatchObject({ groups: [], total: 0 });
    const pasted = await queries.find({ text: `体育 ${'长'.repeat(5_000)}` });
    expect(pasted.terms.join('').length).toBeLessThanOrEqual(100);
    expect(pasted.total).toBe(0);
  });

  it('returns at most the page asked for, counting all', async () => {
    const { queries } = await filled(Array.from({ length: 30 }, (_, i) => annotation({ id: `p${i}`, tags: ['体育'] })));
    const page = await queries.find({ tag: '体育' }, 10);
    expect(page).toMatchObject({ shown: 10, total: 30, totalExact: true });
    expect(page.groups.flatMap((g) => g.items.map((a) => a.id)).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `p${29 - i}`).sort(),
    );
  });
});

describe('briefingSource', () => {
  const records = [
    annotation({ id: 'x1', documentKey: 'd1', tags: ['体育'], author: { id: 'me', name: '我' } }),
    annotation({ id: 'x2', documentKey: 'd1', replyTo: 'x1', note: '同意', author: { id: 'li', name: '李娜' } }),
    annotation({ id: 'y1', documentKey: 'd2', tags: ['教育'], author: { id: 'li', name: '李娜' } }),
    annotation({ id: 'z1', documentKey: 'd3', author: { id: 'me', name: '我' }, createdAt: at('2020-01-01') }),
  ];
  const scope = { documents: [] as string[], tags: [] as string[], who: 'team' as 'team' | 'mine' };
  const read = async (
    queries: StoreQueries,
    options: Partial<typeof scope> & { who?: 'team' | 'mine' },
    viewer = 'me',
  ) => {
    const source = await queries.briefingSource({ ...scope, ...options }, viewer);
    return {
      annotations: source.annotations.map((a) => a.id).sort(),
      documents: source.documents.map((d) => d.key).sort(),
    };
  };

  it('reads only the documents that can hold a selected annotation, whole', async () => {
    const { queries } = await filled(records);
    expect(await read(queries, { tags: ['体育'] })).toEqual({ annotations: ['x1', 'x2'], documents: ['d1'] });
    expect(await read(queries, { documents: ['d2'] })).toEqual({ annotations: ['y1'], documents: ['d2'] });
    expect(await read(queries, { who: 'mine' })).toEqual({ annotations: ['x1', 'x2', 'z1'], documents: ['d1', 'd3'] });
    expect((await read(queries, {})).annotations).toEqual(['x1', 'x2', 'y1', 'z1']);
    const dated = await queries.briefingSource({ ...scope, from: '2019-12-31', to: '2020-01-02' }, 'me');
    expect(dated.annotations.map((a) => a.id)).toEqual(['z1']);
  });
});
