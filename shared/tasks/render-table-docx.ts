/**
 * The task table as a Word attachment in the GB/T 9704-2012 layout: 附件 in 3号 黑体 at the top left of the text
 * block, the title centred on the third line in 2号 方正小标宋简体, and the table on landscape A4 pages whose text
 * block is the standard one turned (225 x 156 mm), its header row repeated on every page, cells in 仿宋 (header
 * in 黑体), page numbers as in the body of a 公文. English: plain landscape A4 with Times New Roman.
 * Page, type and styles come from the briefing's layout (shared/briefing/docx-layout.ts).
 */
import {
  AlignmentType,
  Document,
  Packer,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import { FONT, fontTableXml } from '../briefing/docx-fonts.ts';
import { A4, BODY_SIZE, font, lines, mm, pageNumberFooter, THIN } from '../briefing/docx-layout.ts';
import { withTaskTableStyles } from './docx-styles.ts';
import { CENTRED_COLUMNS, type TableColumn } from './labels.ts';
import type { PreparedTable } from './table.ts';
import { wrappedLines } from './text.ts';

/** The standard text block turned: top 28, bottom 26, left 37, right 35 mm. */
const ZH_LANDSCAPE_MARGIN = {
  top: mm(28),
  bottom: mm(26),
  left: mm(37),
  right: mm(35),
  header: mm(12),
  footer: mm(14),
};
const EN_LANDSCAPE_MARGIN = {
  top: mm(20),
  bottom: mm(20),
  left: mm(20),
  right: mm(20),
  header: mm(10),
  footer: mm(10),
};

/** Columns of short words get what their header and usual content need (mm at 五号, with the cell margins). */
const FIXED_MM: Record<'zh' | 'en', Partial<Record<TableColumn, number>>> = {
  zh: { no: 12, clause: 16, leader: 18, due: 22, status: 14 },
  en: { no: 11, clause: 16, leader: 20, due: 22, status: 22 },
};
/** The rest of the width is shared by weight; the task's own words get the most. */
const WEIGHTS: Partial<Record<TableColumn, number>> = {
  task: 2.6,
  leadUnits: 1.3,
  units: 1.5,
  requirement: 1.2,
  latestProgress: 1.8,
};
/** A row taller than this many lines may break across pages (Word clips an unbreakable row taller than a page). */
const MAX_UNBROKEN_LINES = 20;
/** Width of one 五号 character in twips (10.5 pt). */
const CELL_CHAR = 210;
const CELL_MARGIN = 80;

export async function renderTableDocx(table: PreparedTable): Promise<Uint8Array> {
  const zh = table.language === 'zh';
  const margin = zh ? ZH_LANDSCAPE_MARGIN : EN_LANDSCAPE_MARGIN;
  const textWidth = A4.height - margin.left - margin.right;
  const footer = pageNumberFooter(zh ? AlignmentType.RIGHT : AlignmentType.CENTER);
  const document = new Document({
    title: table.title,
    creator: 'Pizhu',
    evenAndOddHeaderAndFooters: zh,
    styles: withTaskTableStyles(zh),
    sections: [
      {
        properties: {
          page: { size: { width: A4.width, height: A4.height, orientation: PageOrientation.LANDSCAPE }, margin },
        },
        footers: zh ? { default: footer, even: pageNumberFooter(AlignmentType.LEFT) } : { default: footer },
        children: [...heading(table), taskTable(table, textWidth)],
      },
    ],
  });
  // The font table names the fallbacks for machines without the official fonts (docx-fonts.ts).
  return Packer.pack(document, 'uint8array', false, [{ path: 'word/fontTable.xml', data: fontTableXml() }]);
}

/** 附件 on the first line, the title on the third (GB/T 9704 7.5). */
function heading(table: PreparedTable): Paragraph[] {
  const zh = table.language === 'zh';
  return [
    new Paragraph({
      indent: { firstLine: 0 },
      children: [
        new TextRun({
          text: table.attachmentLabel,
          font: font(zh ? FONT.heiti : FONT.latin),
          size: zh ? BODY_SIZE : 24,
          bold: !zh,
        }),
      ],
    }),
    new Paragraph({ children: [] }),
    new Paragraph({ style: 'Title', children: [new TextRun(table.title)] }),
    new Paragraph({ children: [] }),
  ];
}

/** Lines a cell's text takes in a column `width` twips wide. */
function lineCount(text: string, width: number): number {
  return wrappedLines(text, Math.max(1, (width - 2 * CELL_MARGIN) / CELL_CHAR));
}

function columnWidths(columns: readonly TableColumn[], textWidth: number, zh: boolean): number[] {
  const fixedMm = FIXED_MM[zh ? 'zh' : 'en'];
  const fixed = columns.reduce((sum, column) => sum + mm(fixedMm[column] ?? 0), 0);
  const weight = columns.reduce((sum, column) => sum + (WEIGHTS[column] ?? 0), 0);
  const widths = columns.map((column) =>
    Math.floor(fixedMm[column] ? mm(fixedMm[column]) : ((textWidth - fixed) * (WEIGHTS[column] ?? 0)) / weight),
  );
  widths[widths.length - 1]! += textWidth - widths.reduce((a, w) => a + w, 0);
  return widths;
}

function taskTable(table: PreparedTable, textWidth: number): Table {
  const widths = columnWidths(table.columns, textWidth, table.language === 'zh');
  // Cell text takes its look from the two table styles: per-run properties would multiply the XML.
  // Cells take their look from three paragraph styles and their widths from the table grid: a thousand tasks
  // make ten thousand cells, and per-cell widths or per-paragraph alignment would double the XML and the time.
  const cell = (text: string, head: boolean, centred: boolean) =>
    new TableCell({
      verticalAlign: head || centred ? VerticalAlign.CENTER : undefined,
      children: lines(text).map(
        (line) =>
          new Paragraph({
            style: head ? 'TaskTableHead' : centred ? 'TaskTableCentred' : 'TaskTableText',
            children: [new TextRun(line)],
          }),
      ),
    });
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: table.columns.map((column) => cell(table.labels.column(column), true, true)),
  });
  const rows = table.rows.map(
    (row) =>
      new TableRow({
        cantSplit: table.columns.every((column, i) => lineCount(row.text[column], widths[i]!) <= MAX_UNBROKEN_LINES),
        children: table.columns.map((column) => cell(row.text[column], false, CENTRED_COLUMNS.has(column))),
      }),
  );
  return new Table({
    rows: [header, ...rows],
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: CELL_MARGIN, right: CELL_MARGIN, top: 40, bottom: 40 },
    borders: { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN },
  });
}
