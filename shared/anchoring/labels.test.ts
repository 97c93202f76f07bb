import { describe, expect, it } from 'vitest';
import { matchLabel, numeralValue, romanValue } from './labels.ts';

describe('numerals', () => {
  it('reads Chinese numerals, full-width and ASCII digits', () => {
    expect(numeralValue('一')).toBe(1);
    expect(numeralValue('十')).toBe(10);
    expect(numeralValue('十二')).toBe(12);
    expect(numeralValue('二十')).toBe(20);
    expect(numeralValue('二十三')).toBe(23);
    expect(numeralValue('一百零五')).toBe(105);
    expect(numeralValue('三百四十')).toBe(340);
    expect(numeralValue('六百八十四')).toBe(684);
    expect(numeralValue('１２')).toBe(12);
    expect(numeralValue('12')).toBe(12);
    expect(numeralValue('是')).toBe(-1);
  });

  it('reads roman numerals', () => {
    expect(romanValue('IV')).toBe(4);
    expect(romanValue('xii')).toBe(12);
    expect(romanValue('XLIX')).toBe(49);
    expect(romanValue('IIII')).toBe(-1);
    expect(romanValue('ABC')).toBe(-1);
  });
});

describe('labels', () => {
  const at0 = (text: string) => matchLabel(text, 0);

  it('recognises Chinese numbering and gives its style and value', () => {
    expect(at0('一、总体要求')).toMatchObject({ label: '一、', style: 'cn-dun', value: 1 });
    expect(at0('（十二）多措并举')).toMatchObject({ label: '（十二）', style: 'cn-paren', value: 12 });
    expect(at0('(三)加强')).toMatchObject({ label: '(三)', style: 'cn-paren', value: 3 });
    expect(at0('㈣ 加强')).toMatchObject({ label: '㈣', style: 'cn-paren', value: 4 });
    expect(at0('（3）及时')).toMatchObject({ label: '（3）', style: 'ar-paren', value: 3 });
    expect(at0('⑤ 其他')).toMatchObject({ label: '⑤', style: 'circled', value: 5 });
    expect(at0('12. 强化')).toMatchObject({ label: '12.', style: 'ar-dot', value: 12 });
    expect(at0('１２．强化')).toMatchObject({ label: '１２．', style: 'ar-dot', value: 12 });
    expect(at0('3、坚持')).toMatchObject({ label: '3、', style: 'ar-dun', value: 3 });
  });

  it('recognises 第X编/章/节/条 (and 之一) as one family with an order of its own', () => {
    expect(at0('第三章　回避')).toMatchObject({ label: '第三章', style: 'law-章', family: 'law', rank: 1 });
    expect(at0('第二节 一般规定')).toMatchObject({ style: 'law-节', rank: 2 });
    expect(at0('第十三条之一　纳税人')).toMatchObject({ label: '第十三条之一', style: 'law-条', rank: 3 });
    expect(at0('第一编 总则')).toMatchObject({ style: 'law-编', rank: 0 });
    expect(at0('第一部分 总体要求')).toMatchObject({ label: '第一部分', style: 'cn-part' });
  });

  it('recognises decimal numbering by depth; a bare number is weak', () => {
    expect(at0('1.2.1　国家级')).toMatchObject({
      label: '1.2.1',
      style: 'decimal-3',
      family: 'decimal',
      rank: 3,
      value: 1,
    });
    expect(at0('5.1.2 省级')).toMatchObject({ label: '5.1.2', style: 'decimal-3' });
    expect(at0('1　总则')).toMatchObject({ label: '1', style: 'decimal-1', weak: true });
    // amounts and years are not labels
    expect(at0('3.5亿元用于')).toBeNull();
    expect(at0('2018年12月')).toBeNull();
    expect(at0('1 000元')).toBeNull();
  });

  it('recognises English numbering; single letters that are also roman numerals are marked ambiguous', () => {
    expect(at0('II. Background')).toMatchObject({ label: 'II.', style: 'roman-upper-dot', value: 2 });
    expect(at0('A. Regulatory')).toMatchObject({ label: 'A.', style: 'alpha-upper-dot', value: 1 });
    expect(at0('C. Collection')).toMatchObject({ style: 'alpha-upper-dot', value: 3 });
    expect(at0('I. Table')).toMatchObject({
      style: 'roman-upper-dot',
      alternative: { style: 'alpha-upper-dot', value: 9 },
    });
    expect(at0('(a) Location')).toMatchObject({ label: '(a)', style: 'alpha-lower-paren', value: 1 });
    expect(at0('(iv) Other')).toMatchObject({ style: 'roman-lower-paren', value: 4 });
    expect(at0('(1) Under')).toMatchObject({ style: 'ar-paren', value: 1 });
    expect(at0('§ 165.T11–157 Safety')).toMatchObject({ label: '§ 165.T11–157', style: 'section-sign' });
    expect(at0('Article 5. Scope')).toMatchObject({ label: 'Article 5.', style: 'en-article', value: 5 });
    expect(at0('Section IV The')).toMatchObject({ style: 'en-section', value: 4 });
  });

  it('does not take words, references or soft enumerations for labels', () => {
    expect(at0('一是加强领导')).toBeNull();
    expect(at0('U.S.C. United States Code')).toBeNull();
    expect(at0('§ Section')).toBeNull();
    expect(at0('Mix. of')).toBeNull();
    expect(at0('统一领导')).toBeNull();
  });
});
