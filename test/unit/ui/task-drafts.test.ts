/**
 * The task forms' starting rows (extension/lib/page/task-drafts.ts) and how typed fields are read
 * (extension/lib/task-input.ts), on the reference notice parsed by jsdom and segmented by shared/anchoring.
 */
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { clauseByPath, createPageIndex, type PageIndex } from '../../../shared/anchoring/index.ts';
import {
  draftFor,
  draftsOf,
  sectionItems,
  taskWording,
  withUnitsAsNamedNow,
} from '../../../extension/lib/page/task-drafts.ts';
import { noticeYear, parseDue, unitList } from '../../../extension/lib/task-input.ts';
import { REFERENCE_ITEMS } from '../../fixtures/tasks/sample.ts';

const PAGE = new URL('../../fixtures/corpus/pages/01-suizhou-edu-2023.html', import.meta.url);

function referenceIndex(): PageIndex {
  const dom = new JSDOM(readFileSync(PAGE, 'utf8'));
  return createPageIndex(dom.window.document);
}

describe('task drafts on the reference notice', () => {
  const index = referenceIndex();
  const section = (label: string) => clauseByPath(index, [label])!;

  it('breaks the six sections of the 工作要点 into its 27 numbered items, in order', () => {
    const counts = ['一、', '二、', '三、', '四、', '五、', '六、'].map((l) => sectionItems(section(l), index.clauses));
    expect(counts.map((items) => items.length)).toEqual([5, 4, 6, 3, 4, 5]);
    const rows = counts.flat().map((item) => draftFor(item, index.clauses, 2023));
    expect(rows.map((row) => row.task)).toEqual(REFERENCE_ITEMS.map((item) => item.replace(/。$/, '')));
    expect(rows[0]!.clause.path).toEqual(['一、', '1.']);
  });

  it('is the clause itself for an item without sub-items', () => {
    const item = clauseByPath(index, ['一、', '1.'])!;
    expect(sectionItems(item, index.clauses)).toEqual([item]);
  });

  it('sends only the rows kept, read the way the user typed them', () => {
    const item = clauseByPath(index, ['一、', '1.'])!;
    const row = {
      ...draftFor(item, index.clauses, 2023),
      leadUnits: '组织人事科， 机关党委、组织人事科',
      due: '6月底前',
      leader: '  ',
    };
    const skipped = { ...row, include: false };
    expect(draftsOf([row, skipped], 2023)).toEqual([
      expect.objectContaining({
        leadUnits: ['组织人事科', '机关党委'],
        due: { text: '6月底前', date: '2023-06-30' },
        leader: undefined,
      }),
    ]);
  });
});

describe('task fields as typed', () => {
  it('reads units split on 、，,; and line breaks, each once', () => {
    expect(unitList('办公室、 计划财务科,安全稳定科；\n办公室')).toEqual(['办公室', '计划财务科', '安全稳定科']);
    expect(unitList(' ')).toEqual([]);
  });

  it('keeps a deadline as written and resolves it against the notice year when it names a day', () => {
    expect(parseDue('', 2023)).toBeNull();
    expect(parseDue('2023-11-30', undefined)).toEqual({ text: '2023-11-30', date: '2023-11-30' });
    expect(parseDue('年底前', 2023)).toEqual({ text: '年底前', date: '2023-12-31' });
    expect(parseDue('长期坚持', 2023)).toEqual({ text: '长期坚持', date: null });
    expect(parseDue('x'.repeat(500), 2023)?.text).toHaveLength(100);
  });

  it('takes the notice year from its date, else from a year its title names', () => {
    expect(noticeYear({ publishedAt: '2023-02-20', title: '2022年总结' })).toBe(2023);
    expect(noticeYear({ title: '关于印发2023年工作要点的通知' })).toBe(2023);
    expect(noticeYear({ title: '工作要点' })).toBeUndefined();
  });

  it('words a task after the first sentence of its clause', () => {
    expect(taskWording('加强教育系统党的建设。全面落实……')).toBe('加强教育系统党的建设');
    expect(taskWording('x'.repeat(300))).toHaveLength(200);
  });
});

describe('unit names a clause suggests', () => {
  it('read as the team names those units now: renamed and merged ones follow, unknown ones stay as written', () => {
    const item = clauseByPath(referenceIndex(), ['一、', '1.'])!;
    const row = { ...draftFor(item, [item], 2023), leadUnits: '基教科、督导室', units: '基础 教育科、新科室、基教科' };
    const units = [
      { id: 'u-jc', name: '基础教育科', aliases: ['基教科', '督导室'] },
      // Another unit once called 基础教育科: the current name wins.
      { id: 'u-x', name: '综合科', aliases: ['基础教育科'] },
    ];
    const named = withUnitsAsNamedNow(row, units);
    expect([named.leadUnits, named.units]).toEqual(['基础教育科', '基础教育科、新科室']);
    expect(withUnitsAsNamedNow({ ...row, leadUnits: '', units: '' }, units)).toMatchObject({
      leadUnits: '',
      units: '',
    });
  });
});
