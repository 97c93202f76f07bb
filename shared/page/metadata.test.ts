// @vitest-environment node
import { readFileSync } from 'node:fs';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { readPageMetadata } from './metadata.ts';

function load(name: string): Document {
  const window = new Window({ url: 'https://www.gov.cn/zhengce/content/x.htm' });
  const html = readFileSync(new URL(`../../test/fixtures/corpus/pages/${name}.html`, import.meta.url), 'utf8');
  window.document.write(html.replace(/<script[\s\S]*?<\/script>/g, ''));
  return window.document as unknown as Document;
}

describe('readPageMetadata', () => {
  it('reads meta tags of a city portal page', () => {
    expect(readPageMetadata(load('01-suizhou-edu-2023'))).toEqual({
      title: '市委教育工委 市教育局关于印发2023年工作要点的通知',
      issuer: '市委教育工委 市教育局',
      publishedAt: '2023-03-06',
      language: 'zh-CN',
    });
  });

  it('reads the gov.cn metadata table, preferring the document date to the portal date', () => {
    const meta = readPageMetadata(load('02-gov-vocational-edu-reform-2019'));
    expect(meta.title).toBe('国务院关于印发国家职业教育改革实施方案的通知');
    expect(meta.issuer).toBe('国务院');
    expect(meta.docNumber).toBe('国发〔2019〕4号');
    expect(meta.publishedAt).toBe('2019-01-24');
  });

  it('reads table headers as labels', () => {
    const meta = readPageMetadata(load('08-gov-new-media-opinions-2018'));
    expect(meta.issuer).toBe('国务院办公厅');
    expect(meta.docNumber).toBe('国办发〔2018〕123号');
    expect(meta.publishedAt).toBe('2018-12-07');
  });

  it('falls back to the document title and body text', () => {
    const meta = readPageMetadata(load('12-us-uscg-safety-zone-2024'));
    expect(meta.title).toContain('Safety Zone');
    expect(meta.docNumber).toBe('FR Doc. 2024–02701');
  });

  it('copes with an empty page', () => {
    const window = new Window();
    expect(readPageMetadata(window.document as unknown as Document)).toEqual({ title: '' });
  });
});
