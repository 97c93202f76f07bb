import { beforeAll, describe, expect, it } from 'vitest';
import { matchLabel } from '../../../shared/anchoring/labels.ts';
import { type Briefing, buildBriefing, notesToPrint } from '../../../shared/briefing/model.ts';
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

  it('declares every font it uses in the font table, with the usual fallbacks Word can follow', () => {
    const table = docx.xml('word/fontTable.xml');
    const entries = new Map(all(table, 'font').map((f) => [attr(f, 'name')!, f]));
    // every font a run or style names has an entry
    const used = new Set<string>();
    for (const part of ['word/document.xml', 'word/styles.xml', 'word/footer1.xml', 'word/footer2.xml']) {
      for (const fonts of all(docx.xml(part), 'rFonts'))
        for (const name of ['ascii', 'hAnsi', 'eastAsia', 'cs']) if (attr(fonts, name)) used.add(attr(fonts, name)!);
    }
    expect(used.size).toBeGreaterThanOrEqual(6);
    expect([...used].filter((name) => !entries.has(name))).toEqual([]);
    // the chains, one name per step (Word does not split altName on commas and reads at most 31 characters)
    const chain = (name: string): string[] => {
      const alt = entries.get(name) && all(entries.get(name)!, 'altName')[0];
      return alt ? [name, ...chain(attr(alt, 'val')!)] : [name];
    };
    expect(chain('仿宋_GB2312')).toEqual(['仿宋_GB2312', '仿宋', 'FangSong']);
    expect(chain('方正小标宋简体')).toEqual(['方正小标宋简体', '华文中宋', '宋体', 'SimSun']);
    expect(chain('楷体_GB2312')).toEqual(['楷体_GB2312', '楷体', 'KaiTi']);
    expect(chain('黑体')).toEqual(['黑体', 'SimHei']);
    for (const [name, entry] of entries) {
      for (const alt of all(entry, 'altName')) {
        expect(attr(alt, 'val')).not.toMatch(/,/);
        expect(attr(alt, 'val')!.length).toBeLessThanOrEqual(31);
      }
      // metrics for substitution when no name is found, in the schema's order
      expect(attr(first(entry, 'panose1'), 'val')).toMatch(/^[0-9A-F]{20}$/);
      expect(attr(first(entry, 'charset'), 'val')).toBe(name === 'Times New Roman' ? '00' : '86');
      expect(['roman', 'swiss', 'modern', 'script', 'decorative', 'auto']).toContain(
        attr(first(entry, 'family'), 'val'),
      );
      const order = [...entry.children].map((c) => c.localName);
      expect(order).toEqual(['altName', 'panose1', 'charset', 'family', 'pitch'].filter((n) => order.includes(n)));
    }
    // Song faces fall back by Song metrics
    expect(attr(first(entries.get('方正小标宋简体')!, 'panose1'), 'val')).toBe(
      attr(first(entries.get('宋体')!, 'panose1'), 'val'),
    );
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

  it('prints what changed since the earlier version after the lead, when given', async () => {
    const summary = '新增 1 条，修改 3 条，删除 0 条。';
    const withChanges = buildBriefing({ ...sampleData(), options: { ...header, changeSummary: summary } });
    const blocks = bodyBlocks(openDocx(await renderDocx(withChanges)).xml('word/document.xml')).map(textOf);
    expect(blocks[blocks.indexOf(withChanges.lead) + 1]).toBe(`与上一版本相比，${summary}`);
    expect(bodyBlocks(document).map(textOf)).not.toContain(expect.stringMatching(/^与上一版本相比/));
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

  it('heads each entry with the briefing’s number, then the clause’s label path, the quote and every note', () => {
    // headings end with a raised [n] where they cite a source first
    const paragraphs = bodyBlocks(document)
      .filter((b) => b.localName === 'p')
      .map((p) => textOf(p).replace(/\[\d+\]$/, ''));
    for (const group of briefing.groups) {
      const g = paragraphs.indexOf(group.title);
      expect(g).toBeGreaterThan(0);
      for (const entry of group.entries) {
        const e = paragraphs.indexOf(entry.title, g);
        expect(e).toBeGreaterThan(g);
        expect(paragraphs[e + 1]!.startsWith(`条款：${entry.reference}`)).toBe(true);
        for (const note of notesToPrint(entry, briefing.options)) {
          const byline = `${note.author.name}（${note.isReply ? '回复，' : ''}${note.time}）：`;
          expect(paragraphs.slice(e).some((p) => p.startsWith(byline))).toBe(true);
        }
      }
    }
    expect(paragraphs).toContain('【原文未定位】原文页面已变化，未能在现行页面上定位该条款。');
    expect(paragraphs.some((p) => p.includes('张三（2024年3月4日 09:31）：本市职业教育条例修订可对照此条'))).toBe(true);
    // highlights without a note print no line of their own
    expect(paragraphs.some((p) => p.includes('仅标注'))).toBe(false);
  });

  it('never numbers a heading twice', () => {
    const headings = bodyBlocks(document).filter((b) =>
      all(b, 'pStyle').some((s) => ['Heading1', 'Heading2'].includes(attr(s, 'val')!)),
    );
    const entries = briefing.groups.flatMap((g) => g.entries);
    expect(headings.length).toBe(briefing.groups.length + entries.length + 1); // + 资料来源
    for (const heading of headings) {
      const text = textOf(heading).replace(/\[\d+\]$/, '');
      // the briefing's own number, then words: no clause label (一、 （二） 3. 第十二条 ...) follows it
      const own = /^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)/.exec(text)?.[0] ?? '';
      expect(matchLabel(text, own.length), text).toBeNull();
    }
    const entryHeadings = headings.filter((h) => all(h, 'pStyle').some((s) => attr(s, 'val') === 'Heading2'));
    entries.forEach((entry, i) => {
      expect(textOf(entryHeadings[i]!).replace(/\[\d+\]$/, '')).toBe(entry.title);
      expect(entry.title).not.toContain(entry.clauseLabel);
    });
  });

  it('lets paragraphs and table rows break across pages; only headings keep with the next paragraph', () => {
    const table = bodyBlocks(document).find((b) => b.localName === 'tbl')!;
    const rows = all(table, 'tr');
    expect(all(rows[0]!, 'tblHeader')).toHaveLength(1);
    for (const row of rows.slice(1)) expect(all(row, 'cantSplit')).toHaveLength(0);
    const keeping = (p: Element) => all(p, 'keepNext').length + all(p, 'keepLines').length > 0;
    const kept = bodyBlocks(document)
      .filter((b) => b.localName === 'p' && keeping(b))
      .map((p) => (all(p, 'pStyle')[0] ? attr(all(p, 'pStyle')[0]!, 'val') : textOf(p)));
    // the table's caption and the reference lines (part of their entry's heading) besides the headings' styles
    expect(new Set(kept)).toEqual(new Set(['批注一览表', 'BriefingReference']));
    for (const id of ['BriefingBody', 'BriefingQuote', 'BriefingReference', 'BriefingSource'])
      expect(keeping(style(styles, id)), id).toBe(false);
    for (const id of ['Heading1', 'Heading2']) expect(all(style(styles, id), 'keepNext')).toHaveLength(1);
  });

  it('cites sources in a numbered list: title, issuer, number, date, URL, date read', () => {
    expect(all(document, 'footnoteReference')).toHaveLength(0);
    const blocks = bodyBlocks(document);
    const heading = blocks.findIndex((b) => textOf(b) === '资料来源');
    expect(heading).toBeGreaterThan(0);
    const list = blocks.slice(heading + 1, heading + 1 + briefing.sources.length);
    expect(list.map(textOf)).toEqual(briefing.sources.map((s) => `[${s.number}]${s.text}`));
    expect(textOf(list[0]!)).toContain(
      '《国务院关于印发国家职业教育改革实施方案的通知》，国务院，国发〔2019〕4号，2019年2月13日发布，http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm，2024年3月3日阅读。',
    );
    // each source is cited once, where it is first mentioned, by a raised link to its line
    const bookmarks = new Set(all(document, 'bookmarkStart').map((b) => attr(b, 'name')));
    const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const citations = all(document, 'hyperlink').filter((h) => !h.hasAttributeNS(R, 'id'));
    expect(citations.map(textOf)).toEqual(
      briefing.groups
        .flatMap((g) => [g, ...g.entries])
        .filter((x) => x.citesSource)
        .map((x) => `[${x.sourceNumber}]`),
    );
    expect(citations).toHaveLength(briefing.sources.length);
    for (const c of citations) {
      expect(bookmarks.has(attr(c, 'anchor'))).toBe(true);
      expect(attr(first(c, 'vertAlign'), 'val')).toBe('superscript');
    }
  });

  it('links quotes back to their highlights', () => {
    const rels = docx.xml('word/_rels/document.xml.rels');
    const targets = new Map([...rels.getElementsByTagName('Relationship')].map((r) => [r.getAttribute('Id'), r]));
    // Word keeps a link's fragment in w:anchor and appends it to the relationship's target.
    const external = all(document, 'hyperlink').filter((h) =>
      h.hasAttributeNS('http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'id'),
    );
    const written = external.map((h) => {
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

  it('ends with the closing block in a frame at the foot of the last page, its last rule on the last line', () => {
    const blocks = bodyBlocks(document);
    const framed = blocks.filter((b) => all(b, 'framePr').length > 0);
    // one frame: consecutive paragraphs, the last of the body but for its anchor
    const firstFramed = blocks.indexOf(framed[0]!);
    expect(blocks.slice(firstFramed, firstFramed + framed.length)).toEqual(framed);
    expect(firstFramed + framed.length).toBe(blocks.length - 1);
    expect(all(blocks.at(-1)!, 'framePr')).toHaveLength(0);
    // aligned to the bottom of the text block, as wide as it, nothing beside it
    const props = framed.map((p) => first(p, 'framePr'));
    const summary = (f: Element) =>
      ['vAnchor', 'yAlign', 'y', 'hAnchor', 'xAlign', 'w', 'wrap'].map((n) => `${n}=${attr(f, n)}`).join(' ');
    expect(new Set(props.map(summary)).size).toBe(1);
    expect(attr(props[0]!, 'vAnchor')).toBe('margin');
    expect(attr(props[0]!, 'yAlign')).toBe('bottom');
    expect(attr(props[0]!, 'y')).toBeNull();
    expect(attr(props[0]!, 'hAnchor')).toBe('margin');
    const margin = first(first(document, 'sectPr'), 'pgMar');
    expect(Number(attr(props[0]!, 'w'))).toBe(11906 - Number(attr(margin, 'left')) - Number(attr(margin, 'right')));
    expect(attr(props[0]!, 'wrap')).toBe('notBeside');
    // LibreOffice makes one frame only of paragraphs with identical borders: the rules are shaded paragraphs
    for (const p of framed) expect(all(p, 'pBdr')).toHaveLength(0);
    const isRule = (p: Element) => all(p, 'pStyle').some((s) => attr(s, 'val') === 'BriefingClosingRule');
    const rules = framed.filter(isRule);
    for (const rule of rules) {
      expect(attr(first(rule, 'shd'), 'fill')).toBe('000000');
      expect(attr(first(rule, 'spacing'), 'lineRule')).toBe('exact');
      expect(textOf(rule)).toBe('');
    }
    // thick first and last rule (0.35 mm), thin ones between the lines (0.25 mm); the last rule ends the frame
    expect(rules.map((p) => Number(attr(first(p, 'spacing'), 'line')))).toEqual([20, 14, 14, 14, 20]);
    expect(framed.map((p) => (isRule(p) ? '—' : textOf(p)))).toEqual([
      '—',
      '报：市委办公室，市政府办公室',
      '—',
      '送：各区县教育局',
      '—',
      '市教育局办公室2024年3月7日印发',
      '—',
      '（共印20份）',
      '—',
    ]);
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
    expect(bodyBlocks(docx.xml('word/document.xml')).map(textOf)).toContain('[1]《来源不详的文件》。');
    expect(docx.text('word/_rels/document.xml.rels')).not.toMatch(/TargetMode="External"/);
  });
});
