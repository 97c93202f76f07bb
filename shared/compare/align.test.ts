import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../anchoring/index.ts';
import { type AlignSide, alignClauses, increasingPairs } from './align.ts';

/** A flat list of clauses (all top level). */
const flat = (texts: string[]): AlignSide => ({ texts: texts.map(normalizeText), parents: texts.map(() => -1) });
/** Clauses as [text, parent index]. */
const tree = (items: [string, number][]): AlignSide => ({
  texts: items.map(([t]) => normalizeText(t)),
  parents: items.map(([, p]) => p),
});
const pairs = (oldToNew: Int32Array) => Array.from(oldToNew);

const HOLIDAYS = [
  '全体公民放假的节日：',
  '新年，放假1天（1月1日）；',
  '春节，放假3天（农历正月初一、初二、初三）；',
  '清明节，放假1天（农历清明当日）；',
  '劳动节，放假1天（5月1日）；',
  '端午节，放假1天（农历端午当日）；',
  '中秋节，放假1天（农历中秋当日）；',
  '国庆节，放假3天（10月1日、2日、3日）。',
];

describe('alignClauses', () => {
  it('pairs identical documents clause by clause', () => {
    expect(pairs(alignClauses(flat(HOLIDAYS), flat(HOLIDAYS)))).toEqual(HOLIDAYS.map((_, i) => i));
  });

  it('pairs clauses that moved, by content', () => {
    const before = ['总则部分的规定内容甲', '审计职责的具体规定乙', '审计结果的运用规定丙', '法律责任的追究规定丁'];
    const after = [before[2]!, before[0]!, before[3]!, before[1]!];
    expect(pairs(alignClauses(flat(before), flat(after)))).toEqual([1, 3, 0, 2]);
  });

  it('pairs an item edited in place and leaves an inserted one unpaired', () => {
    const after = [...HOLIDAYS];
    after[1] = '元旦，放假1天（1月1日）；';
    after.splice(5, 0, '重阳节，放假1天（农历九月初九）；');
    const result = pairs(alignClauses(flat(HOLIDAYS), flat(after)));
    expect(result).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
  });

  it('does not pair two different items that share a template, even in the same place', () => {
    const after = [...HOLIDAYS];
    after[3] = '重阳节，放假1天（农历九月初九）；';
    const result = pairs(alignClauses(flat(HOLIDAYS), flat(after)));
    expect(result[3]).toBe(-1);
    expect(result.filter((j) => j >= 0)).toHaveLength(HOLIDAYS.length - 1);
  });

  it('pairs repeated identical texts in order', () => {
    const before = ['略。', '甲项工作要求', '略。', '乙项工作要求', '略。'];
    const after = ['略。', '甲项工作要求', '略。', '新增的丙项工作', '乙项工作要求', '略。'];
    expect(pairs(alignClauses(flat(before), flat(after)))).toEqual([0, 1, 2, 4, 5]);
  });

  it('pairs a section whose heading was rewritten through its items', () => {
    const items = [
      '深入学习贯彻党的二十大精神，推动理论学习走深走实。',
      '加强教育系统党的建设，健全党组织领导的校长负责制。',
      '纵深推进全面从严治党，持续深化作风建设。',
    ];
    const before = tree([
      ['坚持和加强党对教育工作的全面领导', -1],
      [items[0]!, 0],
      [items[1]!, 0],
      [items[2]!, 0],
    ]);
    const after = tree([
      ['加强党的领导构筑坚强阵地', -1],
      [items[0]!, 0],
      [items[1]!, 0],
      [items[2]!, 0],
    ]);
    expect(pairs(alignClauses(before, after))).toEqual([0, 1, 2, 3]);
  });

  it('does not pair, within a gap, clauses whose sections are paired elsewhere', () => {
    // the second part moved to the front and lost its item; the first part gained one with similar wording,
    // which falls in the same gap of the text as the lost item
    const before = tree([
      ['第一部分总体要求和基本原则', -1],
      ['完善审计整改联动机制，压实被审计单位整改责任', 0],
      ['第二部分重点任务和主要措施', -1],
      ['统筹推进各项工作任务，坚持稳中求进工作总基调', 2],
    ]);
    const after = tree([
      ['第二部分重点任务和主要措施', -1],
      ['第一部分总体要求和基本原则', -1],
      ['完善审计整改联动机制，压实被审计单位整改责任', 1],
      ['坚持稳中求进，统筹推进各项重点任务落实', 1],
    ]);
    expect(pairs(alignClauses(before, after))).toEqual([1, 2, 0, -1]);
  });

  it('never pairs empty or one-character texts with different ones', () => {
    expect(pairs(alignClauses(flat(['', '甲']), flat(['乙', ''])))).toEqual([1, -1]);
  });
});

describe('increasingPairs', () => {
  it('finds a longest run of pairs increasing on both sides', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 30 }), { maxLength: 30 }), (raw) => {
        // a valid pairing: each new index used once
        const used = new Set<number>();
        const oldToNew = Int32Array.from(raw, (j) => {
          if (j < 0 || used.has(j)) return -1;
          used.add(j);
          return j;
        });
        const run = increasingPairs(oldToNew);
        for (let k = 1; k < run.length; k++) {
          expect(run[k]![0]).toBeGreaterThan(run[k - 1]![0]);
          expect(run[k]![1]).toBeGreaterThan(run[k - 1]![1]);
        }
        for (const [i, j] of run) expect(oldToNew[i]).toBe(j);
        // no longer run exists (quadratic check)
        const paired = Array.from(oldToNew).filter((j) => j >= 0);
        const best = paired.map(() => 1);
        for (let a = 0; a < paired.length; a++)
          for (let b = 0; b < a; b++) if (paired[b]! < paired[a]!) best[a] = Math.max(best[a]!, best[b]! + 1);
        expect(run.length).toBe(Math.max(0, ...best));
      }),
    );
  });
});
