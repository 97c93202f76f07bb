/**
 * The 新旧对照表 as DOCX and Markdown: layout (landscape A4, the GB/T 9704 fonts and text block, a header row
 * repeated on every page), changes marked (deletions struck through, insertions underlined and bold), and
 * hostile text (characters XML forbids, bidi overrides, markup) neither breaking the file nor reordering or
 * injecting anything. Every XML part is read with a strict, namespace-aware parser (saxes).
 */
import { strFromU8, unzipSync } from 'fflate';
import { JSDOM } from 'jsdom';
import MarkdownIt from 'markdown-it';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import {
  type ComparableClause,
  type ComparisonExport,
  compareClauseLists,
  renderComparison,
  renderComparisonMarkdown,
} from '../../../shared/compare/index.ts';
import { renderComparisonDocx } from '../../../shared/compare/render-docx.ts';
import { all, attr, first, openDocx, textOf } from '../briefing/docx-parts.ts';

const clauses = (items: [string, string][]): ComparableClause[] =>
  items.map(([label, text], index) => ({ index, level: 1, parent: -1, label, path: [label], text, kind: 'numbered' }));

const BEFORE = clauses([
  ['第一条', '为统一全国年节及纪念日的假期，制定本办法。'],
  ['第二条', '全体公民放假的节日：春节，放假3天（农历正月初一、初二、初三）。'],
  ['第三条', '少数民族习惯的节日，由各少数民族聚居地区的地方人民政府规定放假日期。'],
  ['第四条', '本办法自公布之日起施行。'],
]);
const AFTER = clauses([
  ['第一条', '为统一全国年节及纪念日的假期，制定本办法。'],
  ['第二条', '全体公民放假的节日：春节，放假4天（农历除夕、正月初一至初三）。'],
  ['第三条', '全体公民放假的假日，可合理安排统一放假调休。'],
  ['第四条', '本办法自公布之日起施行。'],
]);

/** Characters XML 1.0 forbids, bidi overrides and isolates, markup, an astral character. */
const HOSTILE =
  '甲\u0000\u0001\u0008\u000b\u001f\ud800乙\udfff\ufffe\uffff]]><w:p>&amp;<script>x</script>|\u202e丙\u2066丁\u2069𠀀';
const HOSTILE_BEFORE = clauses([
  ['第一条', `原来的规定${HOSTILE}保持`],
  ['第二条', '将被删除的条款'],
]);
const HOSTILE_AFTER = clauses([
  ['第一条', `现在的规定${HOSTILE}保持`],
  ['第二条\u202e', `新增的条款${HOSTILE}`],
]);

function exportOf(before: ComparableClause[], after: ComparableClause[], extra: Partial<ComparisonExport> = {}) {
  return {
    before: { title: '全国年节及纪念日放假办法', issuer: '国务院', publishedAt: '2013-12-11' },
    after: { title: '全国年节及纪念日放假办法', issuer: '国务院', publishedAt: '2024-11-10' },
    changes: compareClauseLists(before, after),
    ...extra,
  } satisfies ComparisonExport;
}

/** Parses every XML part of a DOCX with saxes (strict, namespaces on); returns the names parsed. */
function parseAllParts(bytes: Uint8Array): string[] {
  const entries = unzipSync(bytes);
  const names = Object.keys(entries).filter((name) => /\.(xml|rels)$/.test(name));
  for (const name of names) {
    const parser = new SaxesParser({ xmlns: true });
    parser.on('error', (error) => {
      throw new Error(`${name}: ${error.message}`);
    });
    parser.write(strFromU8(entries[name]!)).close();
  }
  return names;
}

describe('新旧对照表 as DOCX', () => {
  it('is landscape A4 with the GB/T 9704 text block turned, 仿宋 text and a repeated header row', async () => {
    const docx = openDocx(await renderComparisonDocx(exportOf(BEFORE, AFTER)));
    const document = docx.xml('word/document.xml');
    const size = first(first(document, 'sectPr'), 'pgSz');
    expect(attr(size, 'orient')).toBe('landscape');
    expect([Number(attr(size, 'w')), Number(attr(size, 'h'))]).toEqual([16838, 11906]);
    const margin = first(first(document, 'sectPr'), 'pgMar');
    const mm = (twips: number) => (twips * 25.4) / 1440;
    const m = (name: string) => Number(attr(margin, name));
    expect(mm(16838 - m('left') - m('right'))).toBeCloseTo(225, 0);
    expect(mm(11906 - m('top') - m('bottom'))).toBeCloseTo(156, 0);
    const styles = docx.xml('word/styles.xml');
    expect(attr(first(first(styles, 'docDefaults'), 'rFonts'), 'eastAsia')).toBe('仿宋_GB2312');

    const table = first(document, 'tbl');
    const rows = all(table, 'tr');
    expect(rows).toHaveLength(1 + 5); // header, then 第一条, 第二条, 第三条 removed, 第三条 added, 第四条
    expect(all(rows[0]!, 'tblHeader')).toHaveLength(1);
    expect(all(rows[0]!, 'tc').map(textOf)).toEqual(['原条款', '新条款', '变化']);
    expect(all(rows[1]!, 'tc').map(textOf)).toEqual([
      '第一条 为统一全国年节及纪念日的假期，制定本办法。',
      '第一条 为统一全国年节及纪念日的假期，制定本办法。',
      '未变',
    ]);
  });

  it('strikes deleted text through and underlines inserted text in bold', async () => {
    const document = openDocx(await renderComparisonDocx(exportOf(BEFORE, AFTER))).xml('word/document.xml');
    const runs = all(document, 'r');
    const struck = runs.filter((r) => all(r, 'strike').length).map(textOf);
    const inserted = runs.filter((r) => all(r, 'u').length && all(r, 'b').length).map(textOf);
    expect(struck).toContain('3');
    expect(inserted).toContain('4');
    // the removed 第三条 is struck through as a whole, the added one underlined as a whole
    expect(struck).toContain('少数民族习惯的节日，由各少数民族聚居地区的地方人民政府规定放假日期。');
    expect(inserted).toContain('全体公民放假的假日，可合理安排统一放假调休。');
    const row = all(first(document, 'tbl'), 'tr')[2]!;
    expect(textOf(all(row, 'tc')[2]!)).toBe('修改');
  });

  it('says in its title, version lines and summary what is compared, in Chinese and in English', async () => {
    const zh = openDocx(await renderComparisonDocx(exportOf(BEFORE, AFTER))).xml('word/document.xml');
    const paragraphs = all(first(zh, 'body'), 'p').map(textOf);
    expect(paragraphs).toContain('《全国年节及纪念日放假办法》新旧对照表');
    expect(paragraphs).toContain('原版本：《全国年节及纪念日放假办法》（国务院，2013-12-11）');
    expect(paragraphs).toContain('新增 1 条，修改 1 条，删除 1 条：新增第三条；修改第二条；删除第三条。');
    const en = openDocx(await renderComparisonDocx(exportOf(BEFORE, AFTER, { language: 'en' }))).xml(
      'word/document.xml',
    );
    expect(all(first(all(en, 'tbl')[0]!, 'tr'), 'tc').map(textOf)).toEqual(['Old clause', 'New clause', 'Change']);
  });

  it('leaves unchanged clauses out when asked to show only changes', async () => {
    const document = openDocx(await renderComparisonDocx(exportOf(BEFORE, AFTER, { onlyChanges: true }))).xml(
      'word/document.xml',
    );
    expect(all(first(document, 'tbl'), 'tr')).toHaveLength(1 + 3);
  });

  it('stays well-formed XML in every part, whatever the text, with no bidi controls left', async () => {
    const input = exportOf(HOSTILE_BEFORE, HOSTILE_AFTER);
    input.before.title = `标题${HOSTILE}`;
    input.after.issuer = HOSTILE;
    const bytes = await renderComparisonDocx(input);
    const parts = parseAllParts(bytes);
    expect(parts).toEqual(expect.arrayContaining(['word/document.xml', 'word/styles.xml', '[Content_Types].xml']));
    const xml = strFromU8(unzipSync(bytes)['word/document.xml']!);
    expect(xml).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(xml).not.toContain('<script>');
    const text = textOf(first(openDocx(bytes).xml('word/document.xml'), 'body'));
    expect(text).toContain(']]><w:p>&amp;<script>x</script>|丙丁𠀀');
  });

  it('is what renderComparison gives for "docx", with a file name from the title', async () => {
    const file = await renderComparison(exportOf(BEFORE, AFTER), 'docx');
    expect(file.filename).toBe('《全国年节及纪念日放假办法》新旧对照表.docx');
    expect(file.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(parseAllParts(file.body as Uint8Array)).toContain('word/document.xml');
  });
});

const markdown = new MarkdownIt({ html: true });
const rendered = (md: string) => new JSDOM(markdown.render(md)).window.document;

describe('新旧对照表 as Markdown', () => {
  it('is a three-column table, one row per change, deletions in <del> and insertions in <ins>', () => {
    const doc = rendered(renderComparisonMarkdown(exportOf(BEFORE, AFTER)));
    expect(doc.querySelector('h1')?.textContent).toBe('《全国年节及纪念日放假办法》新旧对照表');
    expect([...doc.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['原条款', '新条款', '变化']);
    const rows = [...doc.querySelectorAll('tbody tr')];
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.querySelectorAll('td')).toHaveLength(3);
    const modified = rows[1]!;
    expect([...modified.querySelectorAll('del')].map((d) => d.textContent)).toContain('3');
    expect([...modified.querySelectorAll('ins')].map((d) => d.textContent)).toContain('4');
    expect(modified.querySelector('td')?.textContent).toBe(
      '第二条 全体公民放假的节日：春节，放假3天（农历正月初一、初二、初三）。',
    );
    expect(rows[2]!.querySelector('td del')?.textContent).toBe(
      '少数民族习惯的节日，由各少数民族聚居地区的地方人民政府规定放假日期。',
    );
    expect(rows[2]!.querySelectorAll('td')[1]!.textContent).toBe('（无）');
  });

  it('shows hostile text as text: no injected element, no broken row, no bidi control, no control character', () => {
    const input = exportOf(HOSTILE_BEFORE, HOSTILE_AFTER);
    input.before.title = `标题${HOSTILE}`;
    const md = renderComparisonMarkdown(input);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters that must not be in the file
    expect(md).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/);
    const doc = rendered(md);
    expect(doc.querySelector('script')).toBeNull();
    const rows = [...doc.querySelectorAll('tbody tr')];
    for (const row of rows) expect(row.querySelectorAll('td')).toHaveLength(3);
    expect(doc.body.textContent).toContain(']]><w:p>&amp;<script>x</script>|丙丁𠀀');
  });
});
