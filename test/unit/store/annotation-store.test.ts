/**
 * The one write path into the annotations table: validation, the search index (checked against a brute-force
 * scan on random data), the library's counts, and a full disk.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../extension/lib/store/annotation-store.ts';
import { StoreQueries } from '../../../extension/lib/store/queries.ts';
import { searchIndex } from '../../../extension/lib/store/search-index.ts';
import { matchesPlan, planQuery, searchableText } from '../../../extension/lib/store/search-text.ts';
import { StorageFullError } from '../../../extension/lib/store/storage-errors.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { annotation, documentInfo, freshDatabase } from './fixtures.ts';
import { simulateQuota } from './fixtures-quota.ts';

describe('AnnotationStore.put', () => {
  it('refuses an invalid record with a clear error and writes nothing of the batch', async () => {
    const db = freshDatabase();
    const store = new AnnotationStore(db);
    const good = annotation();
    const bad = { ...annotation(), color: 'octarine', selectors: [] };
    await expect(store.put([good, bad])).rejects.toThrow(/Invalid annotation: (selectors|color)/);
    expect(await db.annotations.count()).toBe(0);
    expect(await db.searchEntries.count()).toBe(0);
    expect(await db.tags.count()).toBe(0);
  });

  it('normalises tags and keeps the tag library counting live annotations', async () => {
    const db = freshDatabase();
    const store = new AnnotationStore(db);
    const queries = new StoreQueries(db);
    const a = annotation({ tags: ['ＰＰＰ 项目', '体育'] });
    const b = annotation({ tags: ['ppp 项目'] });
    await store.put([a, b]);
    expect((await queries.tagLibrary()).map((t) => [t.tag, t.count])).toEqual([
      ['ppp 项目', 2],
      ['体育', 1],
    ]);
    await store.put([{ ...a, tags: ['体育', '教育'] }]);
    await store.put([{ ...b, deleted: true }]);
    expect((await queries.tagLibrary()).map((t) => [t.tag, t.count]).sort()).toEqual([
      ['体育', 1],
      ['教育', 1],
    ]);
    expect((await queries.find({ tag: 'ＰＰＰ 项目' })).groups).toEqual([]);
    await store.remove([a.id]);
    expect(await queries.tagLibrary()).toEqual([]);
  });

  it('reports a full disk as StorageFullError and keeps what was stored', async () => {
    const db = freshDatabase();
    const full = simulateQuota(db);
    const store = new AnnotationStore(db);
    const kept = annotation({ tags: ['体育'] });
    await store.put([kept]);
    full.on = true;
    const error = await store.put([annotation({ tags: ['新'] }), { ...kept, note: 'changed' }]).catch((e) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect(error).toMatchObject({
      code: 'storage_full',
      detail: expect.stringMatching(/no more room.*nothing already saved/),
    });
    full.on = false;
    expect(await db.annotations.toArray()).toEqual([kept]);
    expect((await db.tags.toArray()).map((t) => t.tag)).toEqual(['体育']);
    expect((await new StoreQueries(db).find({ text: '体育' })).groups.flatMap((g) => g.items)).toEqual([kept]);
  });
});

describe('search index', () => {
  const alphabet = ['教', '育', '体', '安', '全', '区', 'a', 'b', 'c', ' ', '，', 'Ａ', '2'];
  const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((chars) => chars.join(''));
  const query = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 10 }).map((chars) => chars.join(''));
  const edit = fc.record({
    slot: fc.integer({ min: 0, max: 11 }),
    quote: text,
    note: text,
    tags: fc.subarray(['体育', '教育', 'ppp'], { maxLength: 3 }),
    deleted: fc.boolean(),
    document: fc.constantFrom('doc1', 'doc2'),
  });

  it('finds exactly what a scan of every live record finds (titles included), after any sequence of edits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(text, text, fc.option(text)),
        fc.array(edit, { minLength: 1, maxLength: 30 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        async ([title1, title2, renamed], edits, queries) => {
          const db = freshDatabase();
          const store = new AnnotationStore(db);
          const titles = new Map([
            ['doc1', title1],
            ['doc2', title2],
          ]);
          for (const [key, title] of titles) await store.putDocument(documentInfo({ key, title }));
          const current = new Map<string, Annotation>();
          for (const e of edits) {
            const record = annotation({
              id: `s${e.slot}`,
              documentKey: e.document,
              quote: e.quote,
              note: e.note,
              tags: e.tags,
              deleted: e.deleted,
              selectors: [{ type: 'TextPositionSelector', start: 0, end: 1 }],
            });
            await store.put([record]);
            current.set(record.id, record);
          }
          if (renamed !== null) {
            await store.putDocument(documentInfo({ key: 'doc1', title: renamed }));
            titles.set('doc1', renamed);
          }
          for (const q of queries) {
            const plan = planQuery(q);
            const hits = await searchIndex(db, { plan }, 1_000);
            const expected = plan.lookups.length
              ? [...current.values()]
                  .filter(
                    (a) => !a.deleted && matchesPlan(searchableText({ ...a, title: titles.get(a.documentKey) }), plan),
                  )
                  .map((a) => a.id)
              : [];
            expect([...hits.ids].sort(), `query "${q}"`).toEqual(expected.sort());
            expect(hits.total).toBe(expected.length);
            expect(hits.totalExact).toBe(true);
          }
          for (const tag of ['体育', '教育', 'ppp']) {
            const tagged = await searchIndex(db, { tag }, 1_000);
            const expected = [...current.values()].filter((a) => !a.deleted && a.tags.includes(tag)).map((a) => a.id);
            expect([...tagged.ids].sort(), `tag ${tag}`).toEqual(expected.sort());
            expect(tagged.total).toBe(expected.length);
          }
          db.close();
        },
      ),
      { numRuns: 50 },
    );
  }, 60_000);

  it('finds a long phrase through a few bigrams and rejects records that only share those bigrams', async () => {
    const db = freshDatabase();
    await new AnnotationStore(db).put([
      annotation({ id: 'phrase', quote: '关于个人所得税专项附加扣除的规定' }),
      annotation({ id: 'pieces', quote: '个人、税专、项附、扣除' }),
    ]);
    expect(planQuery('个人所得税专项附加扣除').lookups).toHaveLength(4);
    const result = await new StoreQueries(db).find({ text: '个人所得税专项附加扣除' });
    expect(result.groups.flatMap((g) => g.items).map((a) => a.id)).toEqual(['phrase']);
    expect(result).toMatchObject({ total: 1, totalExact: true });
  });

  it('returns newest first and honours the limit, counting every match or estimating when it stopped early', async () => {
    const db = freshDatabase();
    const store = new AnnotationStore(db);
    await store.put(
      Array.from({ length: 300 }, (_, i) =>
        annotation({
          id: `n${i}`,
          quote: i % 2 ? `第${i}项 安全生产` : `第${i}项 生产安全`,
          tags: i % 3 ? [] : ['安全'],
        }),
      ),
    );
    const all = await searchIndex(db, { plan: planQuery('安全生产') }, 1_000);
    expect(all).toMatchObject({ total: 150, totalExact: true });
    const first = await searchIndex(db, { plan: planQuery('安全生产') }, 5);
    expect(first.ids).toEqual(['n299', 'n297', 'n295', 'n293', 'n291']);
    expect(first.totalExact).toBe(false);
    expect(first.total).toBeGreaterThan(100);
    expect(first.total).toBeLessThan(200);
    const tagged = await searchIndex(db, { tag: '安全' }, 3);
    expect(tagged).toMatchObject({ total: 100, totalExact: true });
    expect(tagged.ids).toEqual(['n297', 'n294', 'n291']);
    const found = await new StoreQueries(db).find({ text: '安全生产' }, 5);
    expect(found).toMatchObject({ shown: 5, totalExact: false });
    expect(found.groups.flatMap((g) => g.items.map((a) => a.id)).sort()).toEqual(first.ids.sort());
  });
});
