import { beforeAll, describe, expect, it } from 'vitest';
import {
  all,
  allText,
  first,
  type OoxmlParts,
  openOoxml,
  textOf,
  type XmlElement,
} from '../../test/fixtures/tasks/ooxml.ts';
import {
  containsUnsafeText,
  HOSTILE,
  hostileRows,
  referenceTasks,
  SAMPLE_UNITS,
} from '../../test/fixtures/tasks/sample.ts';
import { type TaskRow, toTaskRows } from './model.ts';
import { renderTaskTable } from './render.ts';

const twips = (mm: number) => (mm * 1440) / 25.4;
const attr = (element: XmlElement, name: string) => element.attrs[`w:${name}`];

function body(document: XmlElement): XmlElement[] {
  return first(document, 'w:body').children.filter((c) => c.name === 'w:p' || c.name === 'w:tbl');
}

function style(styles: XmlElement, id: string): XmlElement {
  const found = all(styles, 'w:style').find((s) => attr(s, 'styleId') === id);
  if (!found) throw new Error(`No style ${id}`);
  return found;
}

describe('DOCX task table in the GB/T 9704 attachment layout', () => {
  let rows: TaskRow[];
  let docx: OoxmlParts;
  let document: XmlElement;
  let styles: XmlElement;

  beforeAll(async () => {
    rows = toTaskRows(referenceTasks(), { units: SAMPLE_UNITS });
    docx = openOoxml(
      await renderTaskTable(rows, { format: 'docx', title: '2023年工作要点任务分解表', today: '2023-07-01' }),
    );
    document = docx.xml('word/document.xml');
    styles = docx.xml('word/styles.xml');
  });

  it('is one landscape A4 section with the standard text block turned', () => {
    const sections = all(document, 'w:sectPr');
    expect(sections).toHaveLength(1);
    const size = first(sections[0]!, 'w:pgSz');
    expect(attr(size, 'w')).toBe('16838');
    expect(attr(size, 'h')).toBe('11906');
    expect(attr(size, 'orient')).toBe('landscape');
    const margin = first(sections[0]!, 'w:pgMar');
    const m = (name: string) => Number(attr(margin, name));
    expect(Math.abs(16838 - m('left') - m('right') - twips(225))).toBeLessThan(3);
    expect(Math.abs(11906 - m('top') - m('bottom') - twips(156))).toBeLessThan(3);
  });

  it('puts 附件 in 黑体 3号 top left, then the title centred in 小标宋 on the third line', () => {
    const [label, blank, title] = body(document);
    expect(textOf(label!)).toBe('附件');
    expect(attr(first(label!, 'w:rFonts'), 'eastAsia')).toBe('黑体');
    expect(attr(first(label!, 'w:sz'), 'val')).toBe('32');
    expect(all(label!, 'w:jc')).toHaveLength(0);
    expect(textOf(blank!)).toBe('');
    expect(textOf(title!)).toBe('2023年工作要点任务分解表');
    expect(attr(first(title!, 'w:pStyle'), 'val')).toBe('Title');
    const titleStyle = style(styles, 'Title');
    expect(attr(first(titleStyle, 'w:rFonts'), 'eastAsia')).toBe('方正小标宋简体');
    expect(attr(first(titleStyle, 'w:sz'), 'val')).toBe('44');
    expect(attr(first(titleStyle, 'w:jc'), 'val')).toBe('center');
  });

  it('has a table with a header row repeated on every page and one row per task', () => {
    const tables = all(document, 'w:tbl');
    expect(tables).toHaveLength(1);
    const tableRows = all(tables[0]!, 'w:tr');
    expect(tableRows).toHaveLength(1 + rows.length);
    expect(all(first(tableRows[0]!, 'w:trPr'), 'w:tblHeader')).toHaveLength(1);
    for (const row of tableRows.slice(1)) expect(all(row, 'w:tblHeader')).toHaveLength(0);
    expect(all(tableRows[0]!, 'w:tc').map((c) => textOf(c))).toEqual([
      '序号',
      '条款',
      '工作任务',
      '牵头单位',
      '责任单位',
      '分管领导',
      '完成时限',
      '工作要求',
      '状态',
    ]);
    const widths = all(first(tables[0]!, 'w:tblGrid'), 'w:gridCol').map((c) => Number(attr(c, 'w')));
    const margin = first(document, 'w:pgMar');
    expect(widths.reduce((a, w) => a + w, 0)).toBe(
      16838 - Number(attr(margin, 'left')) - Number(attr(margin, 'right')),
    );
    expect(Math.max(...widths)).toBe(widths[2]);
  });

  it("writes each task's cells, the deadline as written and the status as of the given day", () => {
    const tableRows = all(first(document, 'w:tbl'), 'w:tr').slice(1);
    rows.forEach((row, i) => {
      const cells = all(tableRows[i]!, 'w:tc').map((c) => textOf(c));
      expect(cells.slice(0, 8)).toEqual([
        String(row.no),
        row.clausePath,
        row.task,
        row.leadUnits.join('、'),
        row.units.join('、'),
        row.leader ?? '',
        row.due?.text ?? '',
        row.requirement ?? '',
      ]);
      const overdue = row.status !== 'done' && Boolean(row.due?.date && row.due.date < '2023-07-01');
      expect(cells[8]).toBe(overdue ? '已逾期' : { todo: '未开始', doing: '推进中', done: '已完成' }[row.status!]);
    });
  });

  it('sets cells in 仿宋 and the header in 黑体 through two styles, not per run', () => {
    const text = style(styles, 'TaskTableText');
    const head = style(styles, 'TaskTableHead');
    expect(attr(first(text, 'w:rFonts'), 'eastAsia')).toBe('仿宋_GB2312');
    expect(attr(first(head, 'w:rFonts'), 'eastAsia')).toBe('黑体');
    const table = first(document, 'w:tbl');
    expect(all(table, 'w:rPr')).toHaveLength(0);
  });

  it('numbers pages in the footer', () => {
    const footers = docx.names.filter((n) => /^word\/footer\d+\.xml$/.test(n));
    expect(footers.length).toBeGreaterThan(0);
    expect(docx.text(footers[0]!)).toContain('PAGE');
  });

  it('has an English variant with English headers and an Attachment label', async () => {
    const english = openOoxml(
      await renderTaskTable(rows.slice(0, 2), { format: 'docx', title: 'Tasks', language: 'en' }),
    );
    const doc = english.xml('word/document.xml');
    expect(textOf(body(doc)[0]!)).toBe('Attachment');
    expect(
      all(first(doc, 'w:tbl'), 'w:tr')[0]!
        .children.filter((c) => c.name === 'w:tc')
        .map((c) => textOf(c))[6],
    ).toBe('Deadline');
    const label = await renderTaskTable([], { format: 'docx', title: 't', attachmentLabel: '附件2' });
    expect(textOf(body(openOoxml(label).xml('word/document.xml'))[0]!)).toBe('附件2');
  });

  it('parses strictly in every part whatever the text holds, without the forbidden or bidi characters', async () => {
    const hostile = openOoxml(
      await renderTaskTable(hostileRows(), {
        format: 'docx',
        title: HOSTILE.bidi,
        attachmentLabel: HOSTILE.xmlForbidden,
      }),
    );
    const parts = hostile.parseAll();
    expect(parts.size).toBeGreaterThan(10);
    const text = [...parts.values()].map(allText).join('');
    expect(containsUnsafeText(text)).toBe(false);
    const cells = all(all(first(hostile.xml('word/document.xml'), 'w:tbl'), 'w:tr')[1]!, 'w:tc').map((c) => textOf(c));
    expect(cells[2]).toBe('abcdefghi xyz');
    expect(cells[3]).toBe(`${HOSTILE.markup}、市教育局`);
  });
});
