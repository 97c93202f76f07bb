/**
 * The 新旧对照表 as a Word document, in the briefing's GB/T 9704 layout (its fonts, styles, page numbers and
 * XML-safe text, imported from shared/briefing/render-docx.ts, not redone): A4 landscape with the standard's
 * 156 x 225 mm text block turned on its side, the title in 小标宋, the two versions and the summary in 仿宋 3号,
 * then a table 原条款 / 新条款 / 变化 in 仿宋 小四 whose header row repeats on every page. Deleted text is struck
 * through, inserted text underlined and bold; a clause added or removed as a whole is marked as a whole.
 * English uses the briefing's plain English layout.
 */
import {
  AlignmentType,
  Document,
  Packer,
  PageOrientation,
  Paragraph,
  type ParagraphChild,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { FONT, fontTableXml } from '../briefing/docx-fonts.ts';
import { A4, documentStyles, EN_MARGIN, font, pageNumberFooter, THIN, ZH_MARGIN } from '../briefing/docx-layout.ts';
import { buildReport, type ComparisonExport, type ReportRow, type ReportSide } from './report.ts';

/** Shares of the text width: old clause, new clause, change. */
const COLUMNS = [0.42, 0.42, 0.16];

export async function renderComparisonDocx(input: ComparisonExport): Promise<Uint8Array> {
  const report = buildReport(input);
  const zh = report.language === 'zh';
  // GB/T 9704's margins turned with the page: its 156 x 225 mm text block lies on its side
  const margin = zh
    ? {
        top: ZH_MARGIN.left,
        bottom: ZH_MARGIN.right,
        left: ZH_MARGIN.top,
        right: ZH_MARGIN.bottom,
        header: ZH_MARGIN.header,
        footer: ZH_MARGIN.footer,
      }
    : EN_MARGIN;
  const textWidth = A4.height - margin.left - margin.right;
  const document = new Document({
    title: report.title,
    creator: 'Pizhu',
    description: report.summary,
    evenAndOddHeaderAndFooters: zh,
    styles: documentStyles(zh),
    sections: [
      {
        properties: { page: { size: { ...A4, orientation: PageOrientation.LANDSCAPE }, margin } },
        footers: zh
          ? { default: pageNumberFooter(AlignmentType.RIGHT), even: pageNumberFooter(AlignmentType.LEFT) }
          : { default: pageNumberFooter(AlignmentType.CENTER) },
        children: [
          new Paragraph({ style: 'Title', children: [new TextRun(report.title)] }),
          new Paragraph({ children: [] }),
          ...report.versions.map(
            (line) =>
              new Paragraph({
                style: 'BriefingBody',
                children: [new TextRun({ text: line, font: font(zh ? FONT.kaiti : FONT.latin) })],
              }),
          ),
          new Paragraph({ style: 'BriefingBody', children: [new TextRun(report.summary)] }),
          new Paragraph({ children: [] }),
          comparisonTable(report.headers, report.rows, report.none, textWidth),
        ],
      },
    ],
  });
  // The font table names the fallbacks for machines without the official fonts (docx-fonts.ts).
  return Packer.pack(document, 'uint8array', false, [{ path: 'word/fontTable.xml', data: fontTableXml() }]);
}

function comparisonTable(
  headers: readonly [string, string, string],
  rows: ReportRow[],
  none: string,
  textWidth: number,
): Table {
  const widths = COLUMNS.map((share) => Math.floor(textWidth * share));
  widths[2]! += textWidth - widths.reduce((a, w) => a + w, 0);
  const cell = (children: Paragraph[], column: number) =>
    new TableCell({ width: { size: widths[column]!, type: WidthType.DXA }, children });
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: headers.map((h, k) =>
      cell([new Paragraph({ style: 'BriefingTableHead', children: [new TextRun(h)] })], k),
    ),
  });
  const body = rows.map(
    (row) =>
      new TableRow({
        children: [
          cell(sideParagraphs(row.before, none, 'delete'), 0),
          cell(sideParagraphs(row.after, none, 'insert'), 1),
          cell(
            row.change.map((line) => new Paragraph({ style: 'BriefingTableText', children: [new TextRun(line)] })),
            2,
          ),
        ],
      }),
  );
  return new Table({
    rows: [header, ...body],
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: 80, right: 80, top: 40, bottom: 40 },
    borders: { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN },
  });
}

/** One side of a row: the label path in bold, then the text, one paragraph per line, changes marked. */
function sideParagraphs(side: ReportSide | null, none: string, mark: 'delete' | 'insert'): Paragraph[] {
  if (!side)
    return [new Paragraph({ style: 'BriefingTableText', children: [new TextRun({ text: none, color: '808080' })] })];
  const paragraphs: ParagraphChild[][] = [[new TextRun({ text: `${side.path} `, bold: true })]];
  for (const segment of side.segments) {
    segment.text.split('\n').forEach((line, k) => {
      if (k > 0) paragraphs.push([]);
      if (line) paragraphs[paragraphs.length - 1]!.push(run(line, segment.changed ? mark : null));
    });
  }
  return paragraphs.map((children) => new Paragraph({ style: 'BriefingTableText', children }));
}

function run(text: string, mark: 'delete' | 'insert' | null): TextRun {
  if (mark === 'delete') return new TextRun({ text, strike: true });
  if (mark === 'insert') return new TextRun({ text, bold: true, underline: { type: 'single' } });
  return new TextRun(text);
}
