import { describe, expect, it } from 'vitest';
import type { Annotation } from './annotation.ts';
import { deepLinkFor, parseDeepLinkHash, textDirectiveFor } from './deep-link.ts';

type Linkable = Pick<Annotation, 'id' | 'quote' | 'selectors'>;
const linkable = (quote: string, prefix?: string): Linkable => ({
  id: 'a_1-x',
  quote,
  selectors: [{ type: 'TextQuoteSelector', exact: quote || 'x', ...(prefix !== undefined ? { prefix } : {}) }],
});

/** Splits a text directive into decoded terms, as a browser would. */
function terms(directive: string): { prefix?: string; start: string; end?: string } {
  const parts = directive.split(',');
  const prefix = parts[0]!.endsWith('-') ? decodeURIComponent(parts.shift()!.slice(0, -1)) : undefined;
  const [start, end] = parts.map(decodeURIComponent);
  return { ...(prefix !== undefined ? { prefix } : {}), start: start!, ...(end !== undefined ? { end } : {}) };
}

describe('deepLinkFor', () => {
  it('puts the annotation id first and a text directive after it, replacing the page fragment', () => {
    const link = deepLinkFor('https://www.gov.cn/zhengce/content_1.htm?id=3#top', linkable('深化职业教育改革'));
    expect(link).toBe(
      `https://www.gov.cn/zhengce/content_1.htm?id=3#pizhu=a_1-x:~:text=${encodeURIComponent('深化职业教育改革')}`,
    );
    expect(parseDeepLinkHash(new URL(link).hash)).toBe('a_1-x');
  });

  it('leaves the directive out for an empty quote', () => {
    expect(deepLinkFor('https://example.gov/a', linkable(''))).toBe('https://example.gov/a#pizhu=a_1-x');
  });

  it('encodes the characters that are syntax in a text directive', () => {
    const directive = textDirectiveFor('cost-sharing, A&B');
    expect(directive).toBe('cost%2Dsharing%2C%20A%26B');
    expect(terms(directive)).toEqual({ start: 'cost-sharing, A&B' });
  });

  it('adds the words before the quote as a prefix, cut on a word boundary', () => {
    const directive = textDirectiveFor('shall apply', 'the provisions of this section ');
    expect(terms(directive)).toEqual({ prefix: 'of this section', start: 'shall apply' });
    expect(terms(textDirectiveFor('深化改革', '第一部分：'))).toEqual({ prefix: '第一部分：', start: '深化改革' });
  });

  it('uses no prefix across a block boundary', () => {
    expect(terms(textDirectiveFor('二、主要任务', '总体要求。\n'))).toEqual({ start: '二、主要任务' });
  });

  it('uses start and end terms for a long quote, cut at punctuation and spaces', () => {
    const chinese =
      '各地区各部门要充分认识职业教育改革的重要意义，加强组织领导，明确责任分工，完善配套政策，强化督导评估，营造良好氛围，确保各项改革举措落地见效，为经济社会发展提供有力的人才和技能支撑';
    expect(chinese.length).toBeGreaterThan(80);
    const t = terms(textDirectiveFor(chinese));
    expect(chinese.startsWith(t.start)).toBe(true);
    expect(chinese.endsWith(t.end!)).toBe(true);
    expect(t.start).toMatch(/，$/);
    expect(t.start.length).toBeLessThanOrEqual(40);
    expect(t.end).toBe('营造良好氛围，确保各项改革举措落地见效，为经济社会发展提供有力的人才和技能支撑');

    const english =
      'The Captain of the Port may authorize persons or vessels to enter the safety zone when conditions permit and the zone will be enforced';
    const e = terms(textDirectiveFor(english));
    expect(english.startsWith(e.start)).toBe(true);
    expect(english.endsWith(e.end!)).toBe(true);
    expect(english[e.start.length]).toBe(' ');
    expect(english[english.length - e.end!.length - 1]).toBe(' ');
  });

  it('never lets a term cross a line break', () => {
    const t = terms(textDirectiveFor('第一条 为了规范管理，\n制定本办法。\n第二条 适用范围'));
    expect(t).toEqual({ start: '第一条 为了规范管理，', end: '第二条 适用范围' });
  });

  it('survives lone surrogates', () => {
    expect(terms(textDirectiveFor('a\ud800b'))).toEqual({ start: 'a\ufffdb' });
    expect(() => deepLinkFor('https://example.gov/a', linkable('x\udfff'))).not.toThrow();
  });

  it('collapses whitespace and falls back to a fixed cut when there is no boundary', () => {
    expect(terms(textDirectiveFor('  a   b\tc  '))).toEqual({ start: 'a b c' });
    const unbroken = '甲'.repeat(300);
    const t = terms(textDirectiveFor(unbroken));
    expect(t.start).toBe('甲'.repeat(40));
    expect(t.end).toBe('甲'.repeat(40));
  });
});

describe('parseDeepLinkHash', () => {
  it.each([
    ['#pizhu=abc', 'abc'],
    ['pizhu=abc', 'abc'],
    ['#pizhu=abc:~:text=foo', 'abc'],
    ['#x=1&pizhu=a-b_c', 'a-b_c'],
    ['#pizhu=', null],
    ['#pizhu=bad%20id', null],
    ['#pizhu=<script>', null],
    ['#other', null],
    ['', null],
    ['#:~:text=pizhu=abc', null],
    [`#pizhu=${'a'.repeat(65)}`, null],
  ])('%s → %s', (hash, id) => {
    expect(parseDeepLinkHash(hash)).toBe(id);
  });
});
