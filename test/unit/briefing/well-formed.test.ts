/**
 * Hostile text in every field a person can fill (title, unit, 期号, masthead, mark, recipients, tags, notes,
 * author names, quotes, document titles and metadata, clause labels): every XML part of the DOCX is well-formed
 * for a strict parser (saxes), the HTML serialises to well-formed XHTML, and no format carries a character XML
 * forbids or a bidirectional control that could make a note read differently from what was written.
 */
import { strFromU8, unzipSync } from 'fflate';
import { JSDOM, VirtualConsole } from 'jsdom';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { type BriefingOptionsInput, buildBriefing, renderBriefing } from '../../../shared/briefing/index.ts';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { makeAnnotation, vocational } from './sample.ts';

/** Characters XML 1.0 forbids or discourages, a lone surrogate of each kind. */
const XML_FORBIDDEN = '\u0000\u0001\u0008\u000B\u000C\u001F\u007F\u0085\u009F\uDFFF\uD800\uFFFE\uFFFF';
/** Bidirectional controls, deprecated format characters and interlinear annotation characters. */
const REORDERING =
  '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u206E\u206F\uFFF9\uFFFA\uFFFB';
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters no export may contain
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF\u202A-\u202E\u2066-\u206F\u200E\u200F\u061C\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;
const MARKUP = '<w:p>&amp; ]]> "\'';

/** A field's text: a readable word, every unsafe character, markup, and the word again. */
const hostile = (word: string) => `${word}${XML_FORBIDDEN}${REORDERING}${MARKUP}${word}`;
/** What an export shows for it: the same without the unsafe characters. */
const shown = (word: string) => `${word}${MARKUP}${word}`;
/** The same for fields limited to a few characters (期号, mark, tags, names). */
const short = (word: string) => `${word}\uFFFF\u0001\uD800\u202E<&${word}`;
const shownShort = (word: string) => `${word}<&${word}`;

const options: BriefingOptionsInput = {
  title: hostile('标题'),
  unit: hostile('单位'),
  issueNumber: short('期号'),
  masthead: short('报头'),
  mark: short('密'),
  reportTo: hostile('报送'),
  copyTo: hostile('抄送'),
  distributeTo: hostile('分发'),
  copies: 3,
  summaryTable: true,
  includeEmptyNotes: true,
};

const document: DocumentInfo = {
  ...vocational,
  title: hostile('文件标题'),
  issuer: hostile('发文机关'),
  docNumber: hostile('文号'),
  publishedAt: hostile('发布日期'),
  url: 'https://example.gov.cn/a\u202Eb/\uFFFF?q=\u0001#frag\uD800',
};

function annotations(): Annotation[] {
  const highlight = makeAnnotation({
    id: 'hostile-1',
    documentKey: document.key,
    clausePath: [hostile('一、'), hostile('（二）')],
    quote: hostile('原文'),
    note: `${hostile('批注')}\n${hostile('第二行')}`,
    tags: [short('标签')],
    author: { id: 'a1', name: short('作者') },
  });
  const reply = makeAnnotation({
    id: 'hostile-2',
    documentKey: document.key,
    clausePath: highlight.clausePath,
    quote: highlight.quote,
    replyTo: highlight.id,
    note: '',
    author: { id: 'a2', name: `${REORDERING}回复人` },
  });
  // "Trojan Source": the override would show "invoice.exe" as "invoice.txt" read backwards
  const trojan = makeAnnotation({
    id: 'hostile-3',
    documentKey: document.key,
    clausePath: ['二、'],
    quote: '附件名称',
    note: 'invoice\u202Etxt.exe',
    tags: ['t'],
    author: { id: 'a3', name: '王五' },
  });
  return [highlight, reply, trojan];
}

function parseStrictly(name: string, xml: string): void {
  const parser = new SaxesParser({ xmlns: true, fileName: name });
  let failure: Error | null = null;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.write(xml).close();
  if (failure) throw failure;
}

const briefing = () =>
  buildBriefing({ annotations: annotations(), documents: [document], now: Date.UTC(2024, 2, 7), options });

describe('the strict parser used here', () => {
  it('rejects what the exports must never contain', () => {
    expect(() => parseStrictly('x.xml', '<a>\uFFFF</a>')).toThrow();
    expect(() => parseStrictly('x.xml', '<a>\u0001</a>')).toThrow();
    expect(() => parseStrictly('x.xml', '<a b="\uFFFE"/>')).toThrow();
    expect(() => parseStrictly('x.xml', '<a>ok</a>')).not.toThrow();
  });
});

describe('hostile text in every field', () => {
  it('DOCX: every XML part is well-formed, and the text reads as written', async () => {
    const file = await renderBriefing(briefing(), 'docx');
    const parts = unzipSync(file.body as Uint8Array);
    const names = Object.keys(parts).filter((name) => /\.(xml|rels)$/.test(name));
    expect(names).toEqual(
      expect.arrayContaining(['[Content_Types].xml', 'docProps/core.xml', 'word/document.xml', 'word/fontTable.xml']),
    );
    for (const name of names) {
      const xml = strFromU8(parts[name]!);
      expect(() => parseStrictly(name, xml), name).not.toThrow();
      expect(UNSAFE.test(xml), name).toBe(false);
    }
    const documentXml = strFromU8(parts['word/document.xml']!);
    const text = [...documentXml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
    const unescaped = text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'");
    const plain = unescaped.replace(/&amp;/g, '&');
    for (const word of ['单位', '报送', '抄送', '分发', '文件标题', '原文', '批注', '第二行', '一、', '（二）'])
      expect(plain, word).toContain(shown(word));
    for (const word of ['期号', '报头', '密', '标签', '作者']) expect(plain, word).toContain(shownShort(word));
    expect(unescaped).toContain('invoicetxt.exe');
    const core = strFromU8(parts['docProps/core.xml']!);
    expect(core).toContain('<dc:title>标题&lt;w:p&gt;&amp;amp; ]]&gt; &quot;&apos;标题</dc:title>');
    expect(core).toContain('<dc:creator>单位&lt;w:p&gt;');
  });

  it('HTML: no unsafe character anywhere, and the page serialises to well-formed XHTML', async () => {
    const html = (await renderBriefing(briefing(), 'html')).body as string;
    expect(UNSAFE.test(html)).toBe(false);
    const dom = new JSDOM(html, { virtualConsole: new VirtualConsole() });
    const xhtml = new dom.window.XMLSerializer().serializeToString(dom.window.document);
    expect(() => parseStrictly('briefing.xhtml', xhtml)).not.toThrow();
    const text = dom.window.document.body.textContent ?? '';
    for (const word of ['标题', '单位', '报送', '文件标题', '原文', '批注']) expect(text).toContain(shown(word));
    for (const word of ['期号', '标签', '作者']) expect(text).toContain(shownShort(word));
    expect(dom.window.document.querySelector('[data-annotation="hostile-3"] .text')!.textContent).toBe(
      'invoicetxt.exe',
    );
  });

  it('Markdown: no unsafe character anywhere, and the text reads as written', async () => {
    const md = (await renderBriefing(briefing(), 'md')).body as string;
    expect(UNSAFE.test(md)).toBe(false);
    expect(md).toContain('invoicetxt.exe');
    expect(md).toContain('回复人');
  });
});
