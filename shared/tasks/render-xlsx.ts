/**
 * The task table as an Excel workbook (exceljs: its browser build in the extension, its Node build on the
 * server). One sheet: the title merged across row 1, the header in row 2, one row per task below.
 * - Header frozen (rows 1–2 stay on screen) and an autofilter on the header row.
 * - 序号 is a number; 完成时限 is a real date cell when the deadline has a day (the phrase as written, if it
 *   says more than the date, in the cell's note); a phrase without a day (长期坚持) stays text.
 * - Wrapped text, top-aligned, thin borders, column widths for Chinese text.
 * - Printing: A4 landscape, all columns on one page width, the header row repeated on every page, page numbers.
 */
import ExcelJS from 'exceljs';
import { CENTRED_COLUMNS, type TableColumn } from './labels.ts';
import type { PreparedTable } from './table.ts';
import { wrappedLines } from './text.ts';

/** Column widths in Excel's units (about one Latin character; a Chinese character takes two). */
const WIDTHS: Record<TableColumn, number> = {
  no: 6,
  clause: 11,
  task: 42,
  leadUnits: 14,
  units: 18,
  leader: 10,
  due: 15,
  requirement: 22,
  status: 9,
  latestProgress: 28,
};
/** Points per line of 11 pt text. */
const LINE_HEIGHT = 15;
const ROW_PADDING = 4;
/** Excel's largest row height, in points: a row is never written taller than Excel allows (the text stays whole). */
const MAX_ROW_HEIGHT = 409;
const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_ROW = 2;

function excelDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

export async function renderXlsx(table: PreparedTable): Promise<Uint8Array> {
  const zh = table.language === 'zh';
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Pizhu';
  workbook.title = table.title;
  const sheet = workbook.addWorksheet(table.labels.sheetName, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW, topLeftCell: `A${HEADER_ROW + 1}`, activeCell: 'A3' }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    },
    headerFooter: { oddFooter: zh ? '&C第 &P 页，共 &N 页' : '&CPage &P of &N' },
  });
  const count = table.columns.length;
  sheet.columns = table.columns.map((column) => ({ key: column, width: WIDTHS[column] }));
  const font = zh ? '宋体' : 'Times New Roman';

  sheet.mergeCells(1, 1, 1, count);
  const title = sheet.getCell(1, 1);
  title.value = table.title;
  title.font = { name: zh ? '黑体' : 'Times New Roman', size: 16, bold: !zh };
  title.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  sheet.getRow(1).height = 36;

  const header = sheet.getRow(HEADER_ROW);
  header.values = table.columns.map((column) => table.labels.column(column));
  header.height = 24;
  header.eachCell((cell) => {
    cell.font = { name: zh ? '黑体' : 'Times New Roman', size: 11, bold: !zh };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } };
    cell.border = BORDER;
  });

  const dateFormat = zh ? 'yyyy"年"m"月"d"日"' : 'yyyy-mm-dd';
  for (const row of table.rows) {
    const values = table.columns.map((column): ExcelJS.CellValue => {
      if (column === 'no') return row.no;
      if (column === 'due' && row.dueDate) return excelDate(row.dueDate);
      return row.text[column] || null; // an empty cell, not an empty string: filters list it as (Blanks)
    });
    const added = sheet.addRow(values);
    // Row heights are written, not left to the reader: LibreOffice keeps the default height of a row whose
    // wrapped text needs more.
    const lines = Math.max(1, ...table.columns.map((column) => lineCount(row.text[column], WIDTHS[column])));
    added.height = Math.min(MAX_ROW_HEIGHT, ROW_PADDING + LINE_HEIGHT * lines);
    table.columns.forEach((column, i) => {
      const cell = added.getCell(i + 1);
      cell.font = { name: font, size: 11 };
      cell.border = BORDER;
      cell.alignment = {
        horizontal: CENTRED_COLUMNS.has(column) ? 'center' : 'left',
        vertical: CENTRED_COLUMNS.has(column) ? 'middle' : 'top',
        wrapText: true,
      };
      if (column === 'due' && row.dueDate) {
        cell.numFmt = dateFormat;
        if (!isJustTheDate(row.text.due, row.dueDate)) cell.note = row.text.due;
      }
    });
  }
  sheet.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW, column: count } };
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

/** Lines a text takes in a column `width` units wide (a Chinese character takes two units, less one for the margin). */
export function lineCount(text: string, width: number): number {
  return wrappedLines(text, Math.max(1, width - 1) / 2);
}

/** 2023年6月30日 or 2023-06-30 says no more than the date cell shows: no note for it. */
function isJustTheDate(text: string, day: string): boolean {
  const [y, m, d] = day.split('-').map(Number);
  return text === day || text === `${y}年${m}月${d}日`;
}
