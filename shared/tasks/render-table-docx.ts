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
import { A4, BODY_SIZE, FONT, font, lines, mm, pageNumberFooter, THIN } from '../briefing/docx-layout.ts';
import { withTaskTableStyles } from './docx-styles.ts';
import type { TableColumn } from './labels.ts';
import type { PreparedTable } from './table.ts';

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

/** Columns of short words get what their header needs (in mm at 五号, with the cell margins). */
const FIXED_MM: Partial<Record<TableColumn, number>> = { no: 12, clause: 18, leader: 18, due: 20, status: 14 };
/** The rest of the width is shared by weight; the task's own words get the most. */
const WEIGHTS: Partial<Record<TableColumn, number>> = {
  task: 3.2,
  leadUnits: 1.1,
  units: 1.3,
  requirement: 1.4,
  latestProgress: 2,
};
const CENTRED: ReadonlySet<TableColumn> = new Set(['no', 'clause', 'leader', 'due', 'status']);

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
  return Packer.pack(document, 'uint8array');
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

function columnWidths(columns: readonly TableColumn[], textWidth: number): number[] {
  const fixed = columns.reduce((sum, column) => sum + mm(FIXED_MM[column] ?? 0), 0);
  const weight = columns.reduce((sum, column) => sum + (WEIGHTS[column] ?? 0), 0);
  const widths = columns.map((column) =>
    Math.floor(FIXED_MM[column] ? mm(FIXED_MM[column]) : ((textWidth - fixed) * (WEIGHTS[column] ?? 0)) / weight),
  );
  widths[widths.length - 1]! += textWidth - widths.reduce((a, w) => a + w, 0);
  return widths;
}

function taskTable(table: PreparedTable, textWidth: number): Table {
  const widths = columnWidths(table.columns, textWidth);
  // Cell text takes its look from the two table styles: per-run properties would multiply the XML.
  const cell = (text: string, width: number, head: boolean, centred: boolean) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      verticalAlign: head || centred ? VerticalAlign.CENTER : VerticalAlign.TOP,
      children: lines(text).map(
        (line) =>
          new Paragraph({
            style: head ? 'TaskTableHead' : 'TaskTableText',
            alignment: head || centred ? AlignmentType.CENTER : undefined,
            children: [new TextRun(line)],
          }),
      ),
    });
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: table.columns.map((column, i) => cell(table.labels.column(column), widths[i]!, true, true)),
  });
  const rows = table.rows.map(
    (row) =>
      new TableRow({
        children: table.columns.map((column, i) => cell(row.text[column], widths[i]!, false, CENTRED.has(column))),
      }),
  );
  return new Table({
    rows: [header, ...rows],
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: 80, right: 80, top: 40, bottom: 40 },
    borders: { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN },
  });
}
