/**
 * Carrying annotations over to the new version ("沿用到新版"): the quote follows the clause's edits, and the
 * selectors built on a page rebuilt from the new version's snapshot anchor exactly on the real new page.
 * The corpus's republished notice (01, v1 → v2: typo fixes, an inserted item renumbering the rest).
 */
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchor, forgetPageIndex, normalizeText } from '../../../shared/anchoring/index.ts';
import {
  type ClauseChange,
  type ClauseSnapshot,
  carrySpan,
  compareSnapshots,
  SnapshotPage,
  snapshotOf,
} from '../../../shared/compare/index.ts';
import { type LoadedPage, loadPage } from '../anchoring/helpers/corpus.ts';

let v1: LoadedPage;
let v2: LoadedPage;
let after: ClauseSnapshot;
let changes: ClauseChange[];
let page: SnapshotPage;

beforeAll(async () => {
  v1 = await loadPage('pages/01-suizhou-edu-2023.html', 'jsdom');
  v2 = await loadPage('edits/01-suizhou-edu-2023.v2.html', 'jsdom');
  after = snapshotOf(v2.document);
  changes = compareSnapshots(snapshotOf(v1.document), after);
  page = new SnapshotPage(new JSDOM('').window.document.implementation, after);
});

afterAll(async () => {
  for (const loaded of [v1, v2]) {
    forgetPageIndex(loaded.document);
    await loaded.close();
  }
});

/** The change whose old clause holds this text. */
function changeHolding(text: string): ClauseChange {
  const found = changes.filter((c) => c.before && normalizeText(c.before.text).includes(normalizeText(text)));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Carries a quote over and anchors the result on the real new page. */
function carryAndAnchor(quote: string) {
  const change = changeHolding(quote.replace(/^\d+\.\s*/, ''));
  const span = carrySpan(change, quote);
  const target = page.describe(change.after!.index, span);
  const found = anchor(v2.document, target.selectors);
  return { change, span, target, found, text: found.range?.toString() ?? null };
}

describe('carrying a highlight to the new version', () => {
  it('follows a word replaced inside the quote (15. 行动 → 行为)', () => {
    const { target, found, text, span } = carryAndAnchor('强化招生入学行动管理');
    expect(span.wholeClause).toBe(false);
    expect(normalizeText(target.quote)).toBe('强化招生入学行为管理');
    expect(found.status).toBe('exact');
    expect(normalizeText(text!)).toBe('强化招生入学行为管理');
  });

  it('takes in what was inserted between the quoted words (11. 按期)', () => {
    const { target, found } = carryAndAnchor('确保城东文帝学校建成投用');
    expect(normalizeText(target.quote)).toBe('确保城东文帝学校按期建成投用');
    expect(found.status).toBe('exact');
  });

  it('lands a highlight of a renumbered clause on the same words under its new label (二、8. → 二、9.)', () => {
    const quote = '广泛开展学生阅读活动';
    const { change, target, found, text } = carryAndAnchor(quote);
    expect(change.renumbered).toBe(true);
    expect(target.clausePath).toEqual(['二、', '9.']);
    expect(found.status).toBe('exact');
    expect(normalizeText(text!)).toBe(normalizeText(quote));
    expect(found.clause?.path).toEqual(target.clausePath);
  });

  it('reads a clause-mode highlight (label included) as the whole clause text', () => {
    const change = changeHolding('强化招生入学行动管理');
    const whole = `${change.before!.label}${change.before!.text}`;
    const span = carrySpan(change, whole);
    expect(span).toEqual({ start: 0, end: change.after!.text.length, wholeClause: false });
  });
});

describe('when the words are gone', () => {
  const html = (items: string[]) =>
    new JSDOM(`<body><div id="content">${items.map((t, i) => `<p>${i + 1}. ${t}</p>`).join('')}</div></body>`).window
      .document;
  const oldDoc = html([
    '加强学校体育工作，保证学生每天校园体育活动时间不少于1小时。',
    '完善学生资助体系，落实国家资助政策，确保应助尽助。',
    '推进教师队伍建设，开展全员培训。',
  ]);
  const newDoc = html([
    '加强学校体育工作，保证学生每天综合体育活动时间不少于2小时。',
    '完善学生资助体系，确保应助尽助。',
    '推进教师队伍建设，开展全员培训。',
  ]);
  const newSnapshot = snapshotOf(newDoc);
  const compared = compareSnapshots(snapshotOf(oldDoc), newSnapshot);
  const second = compared.find((c) => c.before?.label === '2.')!;

  it('lands on the whole paired clause when the quoted words were deleted', () => {
    expect(second.status).toBe('modified');
    expect(carrySpan(second, '落实国家资助政策')).toEqual({
      start: 0,
      end: second.after!.text.length,
      wholeClause: true,
    });
  });

  it('lands on the whole clause when the quote is not in the clause at all', () => {
    expect(carrySpan(second, '不在此条中的文字').wholeClause).toBe(true);
  });

  it('keeps the surviving words around a deletion', () => {
    const span = carrySpan(second, '完善学生资助体系，落实国家资助政策，确保应助尽助');
    expect(second.after!.text.slice(span.start, span.end)).toBe('完善学生资助体系，确保应助尽助');
  });

  it('builds selectors that anchor exactly on the new page, for every span', () => {
    const rebuilt = new SnapshotPage(newDoc.implementation, newSnapshot);
    for (const change of compared.filter((c) => c.before && c.after)) {
      const target = rebuilt.describe(change.after!.index, carrySpan(change, change.before!.text.slice(2, 9)));
      const found = anchor(newDoc, target.selectors);
      expect(found.status).toBe('exact');
      expect(normalizeText(found.range!.toString())).toBe(normalizeText(target.quote));
    }
  });

  it('refuses a clause that exists on one side only', () => {
    const added = { ...second, status: 'added' as const, before: null };
    expect(() => carrySpan(added, '确保')).toThrow(/both versions/);
  });
});
