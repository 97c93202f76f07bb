import { describe, expect, it } from 'vitest';
import { canonicalUrl, documentKeyFor } from './canonical-url.ts';
import { normaliseTag, normaliseTags } from './tags.ts';

describe('canonicalUrl', () => {
  const base = 'jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml';
  it.each([
    'http://jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml',
    'https://jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml',
    'https://JYJ.suizhou.gov.cn:443/fbjd_22/zwgk/t20230329_1089222.shtml#p3',
    'https://www.jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml/',
    'https://jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml?utm_source=wx&from=singlemessage',
    'https://jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml?print=1',
    'https://jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222_print.shtml',
  ])('%s is the same document', (url) => {
    expect(canonicalUrl(url)).toBe(base);
    expect(documentKeyFor(url)).toBe(documentKeyFor(`http://${base}`));
  });

  it('keeps parameters that choose the content, sorted', () => {
    expect(canonicalUrl('http://gov.cn/show.jsp?id=12&cat=3')).toBe('gov.cn/show.jsp?cat=3&id=12');
    expect(canonicalUrl('http://gov.cn/show.jsp?id=12')).not.toBe(canonicalUrl('http://gov.cn/show.jsp?id=13'));
  });

  it('folds index files and trailing slashes', () => {
    expect(canonicalUrl('http://gov.cn/zhengce/')).toBe('gov.cn/zhengce');
    expect(canonicalUrl('http://gov.cn/zhengce/index.htm')).toBe('gov.cn/zhengce');
    expect(canonicalUrl('http://gov.cn')).toBe('gov.cn/');
  });

  it('refuses what is not a web page, with a readable message', () => {
    expect(() => canonicalUrl('not a url')).toThrow(/Not a URL/);
    expect(() => canonicalUrl('file:///etc/passwd')).toThrow(/http and https/);
  });

  it('gives URL-safe keys', () => {
    expect(documentKeyFor('http://gov.cn/a')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('tags', () => {
  it('fold width, case and spaces', () => {
    expect(normaliseTag('  ＰＰＰ   项目 ')).toBe('ppp 项目');
    expect(normaliseTags(['体育', ' 体育', 'Sport', 'sport', ''])).toEqual(['体育', 'sport']);
  });
});
