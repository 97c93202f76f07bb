import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  containsUnsafeText,
  HOSTILE,
  hostileRows,
  referenceProgress,
  referenceTasks,
  SAMPLE_UNITS,
} from '../../test/fixtures/tasks/sample.ts';
import { all, allText, openOoxml } from '../../test/fixtures/tasks/ooxml.ts';
import { type TaskRow, toTaskRows } from './model.ts';
import { renderTaskTable } from './render.ts';
import { lineCount } from './render-xlsx.ts';

const ZH_HEADERS = ['序号', '条款', '工作任务', '牵头单位', '责任单位', '分管领导', '完成时限', '工作要求', '状态'];

async function readBack(bytes: Uint8Array): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  expect(workbook.worksheets).toHaveLength(1);
  return workbook.worksheets[0]!;
}

describe('XLSX task table', () => {
  let rows: TaskRow[];
  let sheet: ExcelJS.Worksheet;
  let bytes: Uint8Array;

  beforeAll(async () => {
    rows = toTaskRows(referenceTasks(), { units: SAMPLE_UNITS, progress: referenceProgress() });
    bytes = await renderTaskTable(rows, { format: 'xlsx', title: '2023年工作要点任务分解表', today: '2023-07-01' });
    sheet = await readBack(bytes);
  });

  it('has the title merged over row 1 and the real column names in row 2', () => {
    expect(sheet.getCell('A1').value).toBe('2023年工作要点任务分解表');
    expect(sheet.getCell('A1').isMerged).toBe(true);
    expect(sheet.getCell('J1').master.address).toBe('A1');
    const header = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(header).toEqual([...ZH_HEADERS, '最新进展']);
    expect(sheet.rowCount).toBe(2 + 27);
  });

  it('writes every cell with its type: numbers, text, dates as date cells, phrases as text', () => {
    rows.forEach((row, i) => {
      const cells = sheet.getRow(3 + i);
      expect(cells.getCell(1).value).toBe(row.no);
      expect(cells.getCell(1).type).toBe(ExcelJS.ValueType.Number);
      expect(cells.getCell(2).value).toBe(row.clausePath);
      expect(cells.getCell(3).value).toBe(row.task);
      expect(cells.getCell(4).value).toBe(row.leadUnits.join('、'));
      expect(cells.getCell(5).value).toBe(row.units.join('、'));
      expect(cells.getCell(6).value ?? undefined).toBe(row.leader);
      const due = cells.getCell(7);
      if (row.due?.date) {
        expect(due.type).toBe(ExcelJS.ValueType.Date);
        expect((due.value as Date).toISOString().slice(0, 10)).toBe(row.due.date);
        expect(due.numFmt).toBe('yyyy"年"m"月"d"日"');
      } else if (row.due) {
        expect(due.type).toBe(ExcelJS.ValueType.String);
        expect(due.value).toBe(row.due.text);
      } else {
        expect(due.value ?? '').toBe('');
      }
      expect(cells.getCell(8).value ?? undefined).toBe(row.requirement);
      for (let c = 1; c <= 10; c++) expect(cells.getCell(c).alignment?.wrapText).toBe(true);
    });
  });

  it("keeps the phrase as written in the date cell's note when it says more than the date", () => {
    const row = sheet.getRow(3 + rows.findIndex((r) => r.due?.text === '6月底前'));
    expect(row.getCell(7).note).toBe('6月底前');
    const plain = sheet.getRow(3 + rows.findIndex((r) => r.due?.text === '2023年8月31日'));
    expect(plain.getCell(7).note).toBeUndefined();
  });

  it('words statuses, overdue against the given day', () => {
    const statuses = rows.map((_, i) => sheet.getRow(3 + i).getCell(9).value);
    expect(new Set(statuses)).toEqual(new Set(['未开始', '推进中', '已完成', '已逾期']));
    rows.forEach((row, i) => {
      const overdue = row.status !== 'done' && Boolean(row.due?.date && row.due.date < '2023-07-01');
      expect(statuses[i] === '已逾期').toBe(overdue);
    });
  });

  it('shows the latest progress with its date and author', () => {
    const i = rows.findIndex((r) => r.latestProgress);
    const progress = rows[i]!.latestProgress!;
    expect(sheet.getRow(3 + i).getCell(10).value).toBe(`${progress.at} ${progress.by}：${progress.text}`);
  });

  it('freezes the header, filters it, and prints A4 landscape one page wide with the header on every page', () => {
    const view = sheet.views[0]!;
    expect(view.state).toBe('frozen');
    expect((view as ExcelJS.WorksheetViewFrozen).ySplit).toBe(2);
    expect(sheet.autoFilter).toBe('A2:J2');
    expect(sheet.pageSetup.orientation).toBe('landscape');
    expect(sheet.pageSetup.paperSize).toBe(9);
    expect(sheet.pageSetup.fitToPage).toBe(true);
    expect(sheet.pageSetup.fitToWidth).toBe(1);
    expect(sheet.pageSetup.fitToHeight).toBe(0);
    expect(sheet.pageSetup.printTitlesRow).toBe('2:2');
    const xml = openOoxml(bytes).text('xl/workbook.xml');
    expect(xml).toContain('_xlnm.Print_Titles');
  });

  it('gives columns widths for their content and rows the height of their wrapped text', () => {
    expect(sheet.getColumn(3).width).toBeGreaterThan(sheet.getColumn(1).width! * 5);
    rows.forEach((row, i) => {
      const lines = lineCount(row.task, sheet.getColumn(3).width!);
      expect(sheet.getRow(3 + i).height).toBeGreaterThanOrEqual(15 * lines);
    });
    expect(lineCount('一二三四五', 11)).toBe(1);
    expect(lineCount('一二三四五六', 11)).toBe(2);
    expect(lineCount('a\nb', 11)).toBe(2);
  });

  it('keeps a row of a very long task within the tallest row Excel opens (409 points)', async () => {
    const long = { ...rows[0]!, task: '要'.repeat(2_000), requirement: '求'.repeat(2_000) };
    const tall = await readBack(await renderTaskTable([long], { format: 'xlsx', title: 't' }));
    expect(tall.getRow(3).height).toBe(409);
  });

  it('uses English column names and ISO dates in English', async () => {
    const english = await readBack(
      await renderTaskTable(rows.slice(0, 3), { format: 'xlsx', title: 'Work plan tasks', language: 'en' }),
    );
    expect((english.getRow(2).values as unknown[]).slice(1)).toEqual([
      'No.',
      'Clause',
      'Task',
      'Lead units',
      'Responsible units',
      'Leader in charge',
      'Deadline',
      'Requirements',
      'Status',
      'Latest progress',
    ]);
    expect(english.getRow(4).getCell(7).numFmt).toBe('yyyy-mm-dd');
    expect(english.getRow(3).getCell(9).value).toBe('In progress');
  });

  it('leaves out the progress column when no row has progress, and writes an empty table', async () => {
    const plain = await readBack(
      await renderTaskTable(toTaskRows(referenceTasks(), { units: SAMPLE_UNITS }), { format: 'xlsx', title: 't' }),
    );
    expect((plain.getRow(2).values as unknown[]).slice(1)).toEqual(ZH_HEADERS);
    expect(plain.autoFilter).toBe('A2:I2');
    const empty = await readBack(await renderTaskTable([], { format: 'xlsx', title: '空表' }));
    expect(empty.rowCount).toBe(2);
  });

  it('writes well-formed XML in every part whatever the text holds, without the forbidden or bidi characters', async () => {
    const hostile = await renderTaskTable(hostileRows(), {
      format: 'xlsx',
      title: `标题${HOSTILE.bidi}${HOSTILE.xmlForbidden}`,
    });
    const parts = openOoxml(hostile).parseAll();
    expect(parts.size).toBeGreaterThan(5);
    const text = [...parts.values()].map(allText).join('');
    expect(containsUnsafeText(text)).toBe(false);
    const back = await readBack(hostile);
    expect(back.getCell('C3').value).toBe('abcdefghi xyz');
    expect(back.getCell('D3').value).toBe(`${HOSTILE.markup}、市教育局`);
    // Text stays text: a formula typed into a task is a string, never a formula cell.
    expect(back.getCell('C4').type).toBe(ExcelJS.ValueType.String);
    expect(back.getCell('C4').value).toBe(HOSTILE.formula);
    const sheetXml = openOoxml(hostile).xml('xl/worksheets/sheet1.xml');
    expect(all(sheetXml, 'f')).toHaveLength(0);
  });

  it('refuses rows that are not task rows, with the row number', async () => {
    await expect(
      renderTaskTable([{ no: 1, clausePath: '一、', task: 7 } as unknown as TaskRow], { format: 'xlsx', title: 't' }),
    ).rejects.toThrow(/row 1/);
    await expect(renderTaskTable([], { format: 'xlsx', title: 't', today: '2023-02-30' })).rejects.toThrow(/today/);
  });
});
