import { describe, expect, it } from 'vitest';
import { clauseComparator, parseChineseNumeral, parseLabel, parseRoman } from './clause-order.ts';

function sortLabels(labels: string[]): string[] {
  const paths = labels.map((l) => [l]);
  return [...paths].sort(clauseComparator(paths)).map((p) => p[0]!);
}

function shuffled<T>(items: T[]): T[] {
  // A fixed permutation (reverse, then rotate) so the test does not depend on the input order.
  const reversed = [...items].reverse();
  return [...reversed.slice(2), ...reversed.slice(0, 2)];
}

describe('parseChineseNumeral', () => {
  it.each([
    ['一', 1],
    ['十', 10],
    ['十一', 11],
    ['十二', 12],
    ['二十', 20],
    ['二十三', 23],
    ['九十九', 99],
    ['一百', 100],
    ['百', 100],
    ['一百零五', 105],
    ['一百一十', 110],
    ['两百', 200],
    ['一千零一', 1001],
    ['二〇二三', 2023],
    ['叁拾', 30],
    ['一万二千', 12_000],
  ])('%s = %i', (text, value) => {
    expect(parseChineseNumeral(text)).toBe(value);
  });

  it('refuses what is not a numeral', () => {
    expect(parseChineseNumeral('')).toBeNull();
    expect(parseChineseNumeral('第一')).toBeNull();
  });
});

describe('parseRoman', () => {
  it.each([
    ['I', 1],
    ['iv', 4],
    ['IX', 9],
    ['XIV', 14],
    ['XL', 40],
    ['MCMXCIV', 1994],
  ])('%s = %i', (text, value) => {
    expect(parseRoman(text)).toBe(value);
  });
  it('refuses invalid numerals', () => {
    expect(parseRoman('IIII')).toBeNull();
    expect(parseRoman('VX')).toBeNull();
    expect(parseRoman('')).toBeNull();
  });
});

describe('parseLabel', () => {
  it.each([
    ['一、', [1]],
    ['十、', [10]],
    ['二十一、', [21]],
    ['（二）', [2]],
    ['(十)', [10]],
    ['（１０）', [10]],
    ['1.', [1]],
    ['10．', [10]],
    ['3、', [3]],
    ['(1)', [1]],
    ['1.2', [1, 2]],
    ['1.10', [1, 10]],
    ['2.3.4.', [2, 3, 4]],
    ['第二条', [2]],
    ['第十二条', [12]],
    ['第一百零五条', [105]],
    ['第3章', [3]],
    ['第十二章', [12]],
    ['第二节', [2]],
    ['①', [1]],
    ['⑩', [10]],
    ['⑳', [20]],
    ['㉑', [21]],
    ['㈠', [1]],
    ['㈩', [10]],
    ['㊁', [2]],
    ['⑴', [1]],
    ['⒉', [2]],
    ['I.', [1]],
    ['II.', [2]],
    ['IV.', [4]],
    ['Ⅳ', [4]],
    ['XII.', [12]],
    ['A.', [1]],
    ['B.', [2]],
    ['(a)', [1]],
    ['(b)', [2]],
    ['(iv)', [4]],
    ['Article 12', [12]],
    ['Section 3', [3]],
    ['§ 165', [165]],
    ['Chapter IV', [4]],
  ])('%s → %j', (label, ordinal) => {
    expect(parseLabel(label)?.ordinal).toEqual(ordinal);
  });

  it('reads a lone I as a letter when asked to', () => {
    expect(parseLabel('I.', false)?.ordinal).toEqual([9]);
    expect(parseLabel('I.', true)?.ordinal).toEqual([1]);
  });

  it('returns null for text that is not a label', () => {
    expect(parseLabel('附件')).toBeNull();
    expect(parseLabel('')).toBeNull();
  });
});

describe('clauseComparator', () => {
  it.each([
    ['Chinese section numerals', ['一、', '二、', '三、', '九、', '十、', '十一、', '十二、', '二十、']],
    ['bracketed Chinese numerals', ['（一）', '（二）', '（九）', '（十）', '（十一）']],
    ['Arabic items', ['1.', '2.', '9.', '10.', '11.', '100.']],
    ['articles', ['第一条', '第二条', '第九条', '第十条', '第十二条', '第二十条', '第一百条']],
    ['decimals', ['1.1', '1.2', '1.9', '1.10', '2.1']],
    ['circled numbers', ['①', '②', '⑨', '⑩', '⑪']],
    ['parenthesised ideographs', ['㈠', '㈡', '㈩']],
    ['Roman numerals', ['I.', 'II.', 'III.', 'IV.', 'V.', 'IX.', 'X.', 'XI.']],
    ['letters with an I among them', ['A.', 'B.', 'C.', 'D.', 'E.', 'F.', 'G.', 'H.', 'I.', 'J.']],
    ['lowercase letters', ['(a)', '(b)', '(c)', '(h)', '(i)', '(j)', '(z)', '(aa)']],
    ['lowercase Roman', ['(i)', '(ii)', '(iii)', '(iv)', '(v)', '(x)']],
  ])('orders %s', (_name, labels) => {
    expect(sortLabels(shuffled(labels))).toEqual(labels);
  });

  it('orders paths component by component, parents before children', () => {
    const paths = [
      ['二、', '8.'],
      ['十、'],
      ['二、'],
      ['一、', '（十）', '2.'],
      ['一、', '（二）'],
      ['二、', '10.'],
      ['一、', '（十）', '1.'],
    ];
    expect([...paths].sort(clauseComparator(paths))).toEqual([
      ['一、', '（二）'],
      ['一、', '（十）', '1.'],
      ['一、', '（十）', '2.'],
      ['二、'],
      ['二、', '8.'],
      ['二、', '10.'],
      ['十、'],
    ]);
  });

  it('puts unknown labels after known ones, in natural order', () => {
    expect(sortLabels(['附件2', '二、', '附件10', '一、'])).toEqual(['一、', '二、', '附件2', '附件10']);
  });

  it('is consistent: sorting any permutation gives the same order', () => {
    const labels = ['A.', 'I.', 'B.', 'II.', '1.', '一、', '第二条', '(a)', '附件'];
    const paths = labels.map((l) => [l]);
    const compare = clauseComparator(paths);
    const reference = [...paths].sort(compare);
    for (let rotation = 0; rotation < labels.length; rotation++) {
      const rotated = [...paths.slice(rotation), ...paths.slice(0, rotation)];
      expect(rotated.sort(compare)).toEqual(reference);
    }
  });
});
