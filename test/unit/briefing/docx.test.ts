import { beforeAll, describe, expect, it } from 'vitest';
import { type Briefing, buildBriefing } from '../../../shared/briefing/model.ts';
import { renderDocx } from '../../../shared/briefing/render-docx.ts';
import { all, attr, bodyBlocks, type DocxParts, first, openDocx, style, textOf } from './docx-parts.ts';
import { englishSample, makeAnnotation, sampleData, vocational } from './sample.ts';

const twipsFor = (mm: number) => (mm * 1440) / 25.4;
const header = {
  unit: '市教育局办公室',
  issueNumber: '3',
  mark: '内部资料',
  date: '2024-03-07',
  reportTo: '市委办公室，市政府办公室',
  copyTo: '各区县教育局',
  copies: 20,
};

describe('DOCX in the GB/T 9704 layout', () => {
  let briefing: Briefing;
  let docx: DocxParts;
  let document: Document;
  let styles: Document;

  beforeAll(async () => {
    const sample = sampleData();
    briefing = buildBriefing({ ...sample, options: header, anchoring: { [sample.orphanId]: 'orphan' } });
    docx = openDocx(await renderDocx(briefing));
    document = docx.xml('word/document.xml');
    styles = docx.xml('word/styles.xml');
  });

  it('is A4 with the standard margins and text block, in twips', () => {
    const sectPr = first(document, 'sectPr');
    const size = first(sectPr, 'pgSz');
    expect(Number(attr(size, 'w'))).toBe(11906);
    expect(Number(attr(size, 'h'))).toBe(16838);
    const margin = first(sectPr, 'pgMar');
    const m = (name: string) => Number(attr(margin, name));
    expect(Math.abs(m('top') - twipsFor(37))).toBeLessThan(1);
    expect(Math.abs(m('left') - twipsFor(28))).toBeLessThan(1);
    expect(Math.abs(11906 - m('left') - m('right') - twipsFor(156))).toBeLessThan(2);
    expect(Math.abs(16838 - m('top') - m('bottom') - twipsFor(225))).toBeLessThan(2);
  });

  it('sets 仿宋_GB2312 3号 at exactly 28.95 pt, Latin in Times New Roman, as the document default', () => {
    const defaults = first(styles, 'docDefaults');
    const fonts = first(defaults, 'rFonts');
    expect(attr(fonts, 'eastAsia')).toBe('仿宋_GB2312');
    expect(attr(fonts, 'ascii')).toBe('Times New Roman');
    expect(attr(fonts, 'hAnsi')).toBe('Times New Roman');
    expect(attr(first(defaults, 'sz'), 'val')).toBe('32');
    const spacing = first(defaults, 'spacing');
    expect(attr(spacing, 'line')).toBe('579');
    expect(attr(spacing, 'lineRule')).toBe('exact');
    expect(attr(first(defaults, 'lang'), 'eastAsia')).toBe('zh-CN');
  });

  it('styles the title 小标宋 2号, headings 黑体 and 楷体, body with a two-character indent and 28 characters a line', () => {
    const eastAsia = (id: string) => attr(first(style(styles, id), 'rFonts'), 'eastAsia');
    expect(eastAsia('Title')).toBe('方正小标宋简体');
    expect(attr(first(style(styles, 'Title'), 'sz'), 'val')).toBe('44');
    expect(attr(first(style(styles, 'Title'), 'jc'), 'val')).toBe('center');
    expect(eastAsia('Heading1')).toBe('黑体');
    expect(eastAsia('Heading2')).toBe('楷体_GB2312');
    for (const id of ['Heading1', 'Heading2']) {
      expect(attr(first(style(styles, id), 'color'), 'val')).toBe('000000');
      expect(attr(first(style(styles, id), 'spacing'), 'lineRule')).toBe('exact');
    }
    const body = style(styles, 'BriefingBody');
    expect(attr(first(body, 'ind'), 'firstLineChars')).toBe('200');
    const runSpacing = all(first(body, 'rPr'), 'spacing')[0]!;
    expect(attr(runSpacing, 'val')).toBe('-5');
  });

  it('names the official fonts without embedding any', () => {
    expect(docx.files.some((f) => f.startsWith('word/fonts/'))).toBe(false);
    expect(docx.text('word/fontTable.xml')).not.toMatch(/embed(Regular|Bold)/);
  });

  it('numbers pages "— 1 —" in 宋体 4号, odd pages right and even pages left', () => {
    expect(all(docx.xml('word/settings.xml'), 'evenAndOddHeaders')).toHaveLength(1);
    const references = all(first(document, 'sectPr'), 'footerReference');
    expect(references.map((r) => attr(r, 'type')).sort()).toEqual(['default', 'even']);
    const rels = docx.text('word/_rels/document.xml.rels');
    const alignment: Record<string, string> = {};
    for (const ref of references) {
      const id = ref.getAttributeNS('http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'id');
      const target =
        new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ??
        new RegExp(`Target="([^"]+)"[^>]*Id="${id}"`).exec(rels)?.[1];
      const footer = docx.xml(`word/${target}`);
      expect(docx.text(`word/${target}`)).toMatch(/PAGE/);
      expect(textOf(footer.documentElement)).toBe('—  —');
      expect(attr(first(footer, 'rFonts'), 'eastAsia')).toBe('宋体');
      expect(attr(first(footer, 'sz'), 'val')).toBe('28');
      alignment[attr(ref, 'type')!] = attr(first(footer, 'jc'), 'val')!;
    }
    expect(alignment).toEqual({ default: 'right', even: 'left' });
  });

  it('opens with the mark, the red masthead, the issue and a red rule under the unit and date', () => {
    const blocks = bodyBlocks(document);
    expect(textOf(blocks[0]!)).toBe('内部资料');
    expect(textOf(blocks[1]!)).toBe('工作简报');
    expect(attr(first(blocks[1]!, 'color'), 'val')).toBe('FF0000');
    expect(textOf(blocks[2]!)).toBe('第3期');
    const rule = blocks[3]!;
    expect(textOf(rule)).toBe('市教育局办公室2024年3月7日');
    expect(all(rule, 'tab').length).toBeGreaterThanOrEqual(2);
    const border = first(first(rule, 'pBdr'), 'bottom');
    expect(attr(border, 'color')).toBe('FF0000');
    expect(attr(border, 'val')).toBe('single');
    const title = blocks.find((b) => all(b, 'pStyle').some((s) => attr(s, 'val') === 'Title'));
    expect(textOf(title!)).toBe(briefing.header.title);
  });

  it('has a summary table with a repeating header row and one row per clause', () => {
    const table = bodyBlocks(document).find((b) => b.localName === 'tbl')!;
    const rows = all(table, 'tr');
    expect(rows).toHaveLength(briefing.summary.length + 1);
    expect(all(rows[0]!, 'tblHeader')).toHaveLength(1);
    expect(all(rows[0]!, 'tc').map(textOf)).toEqual(['标签', '条款', '原文摘录', '批注人', '批注要点']);
    const row = rows.find((r) => textOf(r).includes('启动1+X证书制度试点工作'))!;
    expect(all(row, 'tc').map(textOf)).toEqual([
      '职业教育、证书制度',
      '二、（六）《国务院关于印发国家职业教育…》',
      '启动1+X证书制度试点工作',
      '王五、李四',
      '王五：试点院校名单需在3月底前上报；李四：与人社部门的职业技能等级认定如何衔接？',
    ]);
  });

  it('quotes every clause with its label path, then every annotator’s note with name and time', () => {
    const paragraphs = bodyBlocks(document)
      .filter((b) => b.localName === 'p')
      .map(textOf);
    for (const group of briefing.groups) {
      const g = paragraphs.indexOf(group.title);
      expect(g).toBeGreaterThan(0);
      for (const entry of group.entries) {
        const e = paragraphs.indexOf(entry.title, g);
        expect(e).toBeGreaterThan(g);
        for (const note of entry.notes) {
          const byline = `${note.author.name}（${note.isReply ? '回复，' : ''}${note.time}）：`;
          expect(paragraphs.slice(e).some((p) => p.startsWith(byline))).toBe(true);
        }
      }
    }
    expect(paragraphs).toContain('【原文未定位】原文页面已变化，未能在现行页面上定位该条款。');
    expect(paragraphs.some((p) => p.includes('张三（2024年3月4日 09:31）：本市职业教育条例修订可对照此条'))).toBe(true);
  });

  it('cites sources in footnotes: title, issuer, number, date, URL, date read', () => {
    const footnotes = docx.xml('word/footnotes.xml');
    const texts = all(footnotes, 'footnote').map(textOf).filter(Boolean);
    for (const source of briefing.sources) expect(texts).toContain(source.text);
    expect(texts).toContain(
      '《国务院关于印发国家职业教育改革实施方案的通知》，国务院，国发〔2019〕4号，2019年2月13日发布，http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm，2024年3月3日阅读。',
    );
    const references = all(document, 'footnoteReference').map((r) => attr(r, 'id'));
    expect(references).toHaveLength(briefing.sources.length);
    expect(new Set(references).size).toBe(briefing.sources.length);
  });

  it('links quotes back to their highlights', () => {
    const rels = docx.xml('word/_rels/document.xml.rels');
    const targets = new Map([...rels.getElementsByTagName('Relationship')].map((r) => [r.getAttribute('Id'), r]));
    // Word keeps a link's fragment in w:anchor and appends it to the relationship's target.
    const written = all(document, 'hyperlink').map((h) => {
      const rel = targets.get(
        h.getAttributeNS('http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'id'),
      )!;
      expect(rel.getAttribute('TargetMode')).toBe('External');
      const anchor = attr(h, 'anchor');
      return `${rel.getAttribute('Target')}${anchor ? `#${anchor}` : ''}`;
    });
    const links = briefing.groups
      .flatMap((g) => g.entries)
      .map((e) => e.link)
      .filter((l): l is string => l !== null);
    expect(links.length).toBeGreaterThan(5);
    expect(written).toEqual(links);
  });

  it('ends with the closing block between rules', () => {
    const blocks = bodyBlocks(document);
    const closing = blocks.at(-1)!;
    expect(closing.localName).toBe('tbl');
    expect(all(closing, 'tr').map(textOf)).toEqual([
      '报：市委办公室，市政府办公室',
      '送：各区县教育局',
      '市教育局办公室2024年3月7日印发',
      '（共印20份）',
    ]);
    const borders = first(closing, 'tblBorders');
    expect(attr(first(borders, 'top'), 'sz')).toBe('8');
    expect(attr(first(borders, 'bottom'), 'sz')).toBe('8');
    expect(attr(first(borders, 'insideH'), 'sz')).toBe('6');
  });
});

describe('DOCX: English variant and bad input', () => {
  it('uses plain Times New Roman headings for English documents', async () => {
    const docx = openDocx(await renderDocx(buildBriefing({ ...englishSample(), options: { issueNumber: '7' } })));
    const styles = docx.xml('word/styles.xml');
    expect(attr(first(first(styles, 'docDefaults'), 'rFonts'), 'ascii')).toBe('Times New Roman');
    expect(attr(first(first(styles, 'docDefaults'), 'rFonts'), 'eastAsia')).toBe('Times New Roman');
    for (const id of ['Heading1', 'Heading2', 'Title']) {
      expect(attr(first(style(styles, id), 'rFonts'), 'ascii')).toBe('Times New Roman');
      expect(all(style(styles, id), 'b')).toHaveLength(1);
    }
    const text = textOf(docx.xml('word/document.xml').documentElement);
    expect(text).toContain('Briefing');
    expect(text).toContain('No. 7');
    expect(text).not.toMatch(/[一-龥]/);
  });

  it('renders an empty briefing as a valid document that says so', async () => {
    const docx = openDocx(await renderDocx(buildBriefing({ annotations: [], documents: [], now: 0 })));
    const text = textOf(docx.xml('word/document.xml').documentElement);
    expect(text).toContain('本期无符合条件的批注。');
    expect(all(docx.xml('word/document.xml'), 'tbl')).toHaveLength(0);
  });

  it('stays well-formed with control characters, lone surrogates, markup and very long quotes', async () => {
    const nasty = 'a\u0001b\u0007c\u000bd\ud800e\udfff f\tg <w:p>&amp; ]]> <script>x</script>';
    const long = '长'.repeat(20_000);
    const annotations = [
      makeAnnotation({
        documentKey: vocational.key,
        quote: nasty,
        note: nasty,
        tags: [nasty.slice(0, 40)],
        author: { id: 'x', name: '<b>名</b>\u0002' },
      }),
      makeAnnotation({ documentKey: vocational.key, quote: long, note: long, tags: ['长'] }),
    ];
    const docx = openDocx(await renderDocx(buildBriefing({ annotations, documents: [vocational], now: 0 })));
    const text = textOf(docx.xml('word/document.xml').documentElement);
    expect(text).toContain('abcde f g <w:p>&amp; ]]> <script>x</script>');
    expect(text).toContain('<b>名</b>');
    expect(text).toContain(long);
  });

  it('handles a document without metadata', async () => {
    const annotation = makeAnnotation({ documentKey: 'unknown-key', quote: '无来源', note: '注', tags: ['t'] });
    const docx = openDocx(await renderDocx(buildBriefing({ annotations: [annotation], documents: [], now: 0 })));
    expect(all(docx.xml('word/footnotes.xml'), 'footnote').map(textOf)).toContain('《来源不详的文件》。');
    expect(docx.text('word/_rels/document.xml.rels')).not.toMatch(/TargetMode="External"/);
  });
});
