/**
 * Bad and awkward input: empty documents, a page without clauses or without numbering, 10,000 tiny clauses,
 * identical documents, one document a prefix of the other, and hostile snapshot JSON (which must be refused
 * with a readable error, never crash the comparison nor pass with lying hashes).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forgetPageIndex } from '../../../shared/anchoring/index.ts';
import {
  type ClauseChange,
  type ClauseSnapshot,
  type ComparableClause,
  compareClauseLists,
  compareClauses,
  compareSnapshots,
  parseSnapshot,
  SNAPSHOT_LIMITS,
  snapshotOf,
} from '../../../shared/compare/index.ts';
import { ValidationError } from '../../../shared/model/annotation.ts';
import { type LoadedPage, loadHtml } from '../anchoring/helpers/corpus.ts';

const open: LoadedPage[] = [];
afterEach(async () => {
  for (const page of open.splice(0)) {
    forgetPageIndex(page.document);
    await page.close();
  }
});

async function page(body: string): Promise<Document> {
  const loaded = await loadHtml(
    `<!DOCTYPE html><html><head><title>t</title></head><body>${body}</body></html>`,
    'jsdom',
  );
  open.push(loaded);
  return loaded.document;
}

const items = (texts: string[]) =>
  `<div class="content">${texts.map((t, i) => `<p>${i + 1}. ${t}</p>`).join('')}</div>`;
const statuses = (changes: ClauseChange[]) => changes.map((c) => c.status);

/** Every clause of both documents appears exactly once, the new ones in order. */
function expectComplete(changes: ClauseChange[], oldCount: number, newCount: number): void {
  expect(changes.filter((c) => c.after).map((c) => c.after!.index)).toEqual([...Array(newCount).keys()]);
  const olds = changes.filter((c) => c.before).map((c) => c.before!.index);
  expect(olds.sort((a, b) => a - b)).toEqual([...Array(oldCount).keys()]);
}

describe('empty and clause-less pages', () => {
  it('two empty pages: nothing to compare', async () => {
    expect(compareClauses(await page(''), await page(''))).toEqual([]);
  });

  it('an empty page against a notice: every clause added, or every clause removed', async () => {
    const notice = await page(items(['加强组织领导。', '做好统计工作。']));
    const empty = await page('');
    expect(statuses(compareClauses(empty, notice))).toEqual(['added', 'added']);
    expect(statuses(compareClauses(notice, empty))).toEqual(['removed', 'removed']);
  });

  it('a page without numbering compares its paragraphs, and never calls them renumbered', async () => {
    const before = await page('<div class="content"><p>第一段讲述背景和意义。</p><p>第二段提出工作要求。</p></div>');
    const after = await page(
      '<div class="content"><p>新增的开头一段说明。</p><p>第一段讲述背景和意义。</p><p>第二段提出工作要求。</p></div>',
    );
    const changes = compareClauses(before, after);
    expect(statuses(changes)).toEqual(['added', 'unchanged', 'unchanged']);
    expect(changes.some((c) => c.renumbered)).toBe(false);
    expect(changes[1]!.before!.label).toBe('¶1');
  });

  it('an element that is not a page is refused with an error, not a crash later', () => {
    expect(() => compareClauses(null as unknown as Document, null as unknown as Document)).toThrow(/root/);
  });
});

describe('identical documents and prefixes', () => {
  const texts = Array.from({ length: 12 }, (_, i) => `第${i + 1}项工作的具体要求和安排。`);

  it('identical documents: every clause unchanged, similarity 1, no edits', async () => {
    const changes = compareClauses(await page(items(texts)), await page(items(texts)));
    expect(statuses(changes)).toEqual(texts.map(() => 'unchanged'));
    expect(changes.every((c) => c.similarity === 1 && c.edits.length === 0 && !c.renumbered)).toBe(true);
  });

  it('one document a prefix of the other: the rest added (or removed)', async () => {
    const short = await page(items(texts.slice(0, 5)));
    const long = await page(items(texts));
    expect(statuses(compareClauses(short, long))).toEqual([...Array(5).fill('unchanged'), ...Array(7).fill('added')]);
    expect(statuses(compareClauses(long, short))).toEqual([...Array(5).fill('unchanged'), ...Array(7).fill('removed')]);
  });
});

describe('10,000 tiny clauses', () => {
  const COUNT = SNAPSHOT_LIMITS.clauses + 1;
  const texts = Array.from({ length: COUNT }, (_, i) => `第${i}项`);
  // every thousandth removed, every 997th edited, one inserted in the middle
  const edited = texts.filter((_, i) => i % 1000 !== 7).map((t, i) => (i % 997 === 3 ? `${t}改` : t));
  edited.splice(5000, 0, '新增一项');
  let pages: LoadedPage[];
  let before: Document;
  let after: Document;
  beforeAll(async () => {
    // built once for the describe (the file's afterEach would close pages made with page())
    pages = await Promise.all([texts, edited].map((list) => loadHtml(`<body>${items(list)}</body>`, 'jsdom')));
    [before, after] = pages.map((p) => p.document) as [Document, Document];
  }, 120_000);
  afterAll(async () => {
    for (const p of pages) {
      forgetPageIndex(p.document);
      await p.close();
    }
  });

  it('compares them completely, pairing only clauses of the same item', () => {
    const changes = compareClauses(before, after);
    expectComplete(changes, COUNT, edited.length);
    const number = (text: string) => /\d+/.exec(text)?.[0];
    for (const c of changes) if (c.before && c.after) expect(number(c.after.text)).toBe(number(c.before.text));
    const removed = changes.filter((c) => c.status === 'removed').map((c) => c.before!.text);
    expect(removed).toEqual(expect.arrayContaining(texts.filter((_, i) => i % 1000 === 7)));
    expect(changes.filter((c) => c.status === 'added').map((c) => c.after!.text)).toContain('新增一项');
    // an edited item is paired with its own edit or, when too short to tell, reported removed + added
    for (const c of changes.filter((c) => c.status === 'modified')) expect(c.after!.text).toBe(`${c.before!.text}改`);
  }, 60_000);

  it('refuses to snapshot more clauses than the limit, with a clear error', () => {
    expect(() => snapshotOf(before)).toThrow(ValidationError);
    expect(() => snapshotOf(before)).toThrow(/more than 10000 clauses/);
  }, 60_000);

  it('identical ones ("略。" ten thousand times) pair in order', () => {
    const clause = (index: number): ComparableClause => ({
      index,
      level: 1,
      parent: -1,
      label: `${index + 1}.`,
      path: [`${index + 1}.`],
      text: '略。',
      kind: 'numbered',
    });
    const many = Array.from({ length: 10_000 }, (_, i) => clause(i));
    const changes = compareClauseLists(many, many.slice(0, 9_990));
    expectComplete(changes, 10_000, 9_990);
    expect(changes.filter((c) => c.status === 'unchanged')).toHaveLength(9_990);
    expect(changes.filter((c) => c.before && c.after).every((c) => c.before!.index === c.after!.index)).toBe(true);
  });
});

describe('hostile snapshot JSON', () => {
  let valid: ClauseSnapshot;
  beforeAll(async () => {
    valid = snapshotOf(
      await page(`<div class="content"><p>一、总体要求</p>${items(['加强组织领导。', '做好统计工作。'])}</div>`),
    );
  });
  type Mutable = Record<string, unknown> & ClauseSnapshot;
  /** A fresh copy of the valid snapshot, changed by `change`. */
  const changed = (change: (s: Mutable) => unknown) => () => {
    const copy = JSON.parse(JSON.stringify(valid)) as Mutable;
    return change(copy) ?? copy;
  };

  it('a real snapshot passes', () => {
    expect(parseSnapshot(changed(() => undefined)())).toEqual(valid);
  });

  const cases: [string, () => unknown][] = [
    ['null', () => null],
    ['a string', () => 'snapshot'],
    ['an array', changed((s) => [s])],
    ['another version', changed((s) => ({ ...s, version: 2 }))],
    ['an unknown field', changed((s) => ({ ...s, extra: 1 }))],
    [
      'a __proto__ key',
      changed((s) => JSON.parse(JSON.stringify(s).replace('{"version"', '{"__proto__":{"x":1},"version"'))),
    ],
    ['no clauses field', changed(({ clauses: _, ...rest }) => rest)],
    ['a clause index out of place', changed((s) => void (s.clauses[1]!.index = 0))],
    ['a parent after the clause', changed((s) => void (s.clauses[0]!.parent = 2))],
    ['a clause its own parent', changed((s) => void (s.clauses[1]!.parent = 1))],
    ['a path not ending with the label', changed((s) => void (s.clauses[1]!.label = '9.'))],
    ['a level that is not the path length', changed((s) => void (s.clauses[1]!.level = 1))],
    ['text that does not match its hash', changed((s) => void (s.clauses[1]!.text = '改过的文字'))],
    ['a content hash that does not match the clauses', changed((s) => void (s.contentHash = 'AAAAAAAAAAAAAAAAAAAAAA'))],
    ['a hash with odd characters', changed((s) => void (s.clauses[0]!.hash = '<script>'))],
    ['a non-integer index', changed((s) => void (s.clauses[0]!.index = 0.5))],
    ['a numeric string for a number', changed((s) => void (s.clauses[0]!.level = '1' as unknown as number))],
    ['a label longer than the limit', changed((s) => void (s.clauses[0]!.label = '一'.repeat(65)))],
    ['a very deep path', changed((s) => void (s.clauses[0]!.path = Array(17).fill('一、')))],
    [
      'a clause text over the limit',
      changed((s) => void (s.clauses[0]!.text = '字'.repeat(SNAPSHOT_LIMITS.clauseChars + 1))),
    ],
    [
      'more clauses than the limit',
      changed((s) => ({ ...s, clauses: Array.from({ length: SNAPSHOT_LIMITS.clauses + 1 }, () => s.clauses[0]) })),
    ],
    [
      'texts adding up to more than the limit',
      changed((s) => ({
        ...s,
        clauses: Array.from({ length: 7 }, (_, index) => ({
          ...s.clauses[0]!,
          index,
          text: '字'.repeat(SNAPSHOT_LIMITS.clauseChars),
        })),
      })),
    ],
  ];

  it.each(cases)('refuses %s with a ValidationError', (_, make) => {
    expect(() => parseSnapshot(make())).toThrow(ValidationError);
  });

  it('a genuine snapshot of odd text (bidi controls, rare characters, long repeats) parses and compares', async () => {
    const odd = snapshotOf(
      await page(items(['正常的文字。', '含有\u202e反转\u2066隔离\u2069的文字𠀀😀。', '重复'.repeat(5000)])),
    );
    const stored = parseSnapshot(JSON.parse(JSON.stringify(odd)));
    expect(statuses(compareSnapshots(stored, odd))).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(statuses(compareSnapshots(valid, stored))).toContain('added');
  });
});
