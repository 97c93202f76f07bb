/**
 * The 落实情况 report as a Word document in the GB/T 9704 body layout of the briefing (portrait A4, 仿宋 3号,
 * title in 小标宋, 一、 headings in 黑体 and （一） in 楷体): the period and the counts, a summary table per unit or
 * section, each task with its details and latest progress, the overdue tasks in a table, and the reporting unit
 * and date at the end, four characters in from the right. English: the briefing's plain layout.
 */
import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  Packer,
  Paragraph,
  type ParagraphChild,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import { A4, CHAR, EN_MARGIN, font, lines, pageNumberFooter, run, THIN, ZH_MARGIN } from '../briefing/docx-layout.ts';
import { FONT, fontTableXml } from '../briefing/docx-fonts.ts';
import { safeHttpUrl } from '../briefing/escape.ts';
import { chineseNumeral } from '../briefing/i18n.ts';
import { withTaskTableStyles } from './docx-styles.ts';
import type { ProgressReport, ReportCounts, ReportItem } from './report.ts';

export async function renderReportDocx(report: ProgressReport): Promise<Uint8Array> {
  const zh = report.language === 'zh';
  const margin = zh ? ZH_MARGIN : EN_MARGIN;
  const textWidth = A4.width - margin.left - margin.right;
  const document = new Document({
    title: report.title,
    creator: report.unit || 'Pizhu',
    evenAndOddHeaderAndFooters: zh,
    styles: withTaskTableStyles(zh),
    sections: [
      {
        properties: { page: { size: A4, margin } },
        footers: zh
          ? { default: pageNumberFooter(AlignmentType.RIGHT), even: pageNumberFooter(AlignmentType.LEFT) }
          : { default: pageNumberFooter(AlignmentType.CENTER) },
        children: [
          new Paragraph({ style: 'Title', children: [run(report.title)] }),
          new Paragraph({ children: [] }),
          body(report.labels.periodLine(report.period.from, report.period.to, report.today)),
          body(report.labels.summary(report.counts)),
          ...summary(report, textWidth),
          ...groups(report),
          ...overdue(report, textWidth),
          ...closing(report),
        ],
      },
    ],
  });
  // The font table names the fallbacks for machines without the official fonts (docx-fonts.ts).
  return Packer.pack(document, 'uint8array', false, [{ path: 'word/fontTable.xml', data: fontTableXml() }]);
}

function body(text: string, children: ParagraphChild[] = []): Paragraph {
  return new Paragraph({ style: 'BriefingBody', children: [...(text ? [run(text)] : []), ...children] });
}

function caption(text: string, zh: boolean): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    keepNext: true,
    indent: { firstLine: 0 },
    spacing: { before: 240 },
    children: [run(text, { font: font(zh ? FONT.heiti : FONT.latin), bold: !zh })],
  });
}

/** A table in the task table's styles; `shares` of the text width per column, numbers centred. */
function table(
  headers: string[],
  rows: string[][],
  shares: number[],
  textWidth: number,
  centred: (column: number) => boolean,
): Table {
  const widths = shares.map((s) => Math.floor(textWidth * s));
  widths[widths.length - 1]! += textWidth - widths.reduce((a, w) => a + w, 0);
  const cell = (text: string, column: number, head: boolean) =>
    new TableCell({
      width: { size: widths[column]!, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      children: lines(text).map(
        (line) =>
          new Paragraph({
            style: head ? 'TaskTableHead' : 'TaskTableText',
            alignment: head || centred(column) ? AlignmentType.CENTER : undefined,
            children: [new TextRun(line)],
          }),
      ),
    });
  return new Table({
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: headers.map((h, i) => cell(h, i, true)) }),
      ...rows.map((row) => new TableRow({ cantSplit: true, children: row.map((text, i) => cell(text, i, false)) })),
    ],
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: 80, right: 80, top: 30, bottom: 30 },
    borders: { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN },
  });
}

function countCells(counts: ReportCounts): string[] {
  return [counts.total, counts.done, counts.doing, counts.todo, counts.overdue, counts.reported].map(String);
}

function summary(report: ProgressReport, textWidth: number): (Paragraph | Table)[] {
  const { labels } = report;
  const rows = report.groups.map((group) => [group.title, ...countCells(group.counts)]);
  rows.push([labels.total, ...countCells(report.counts)]);
  return [
    caption(labels.summaryCaption, report.language === 'zh'),
    table(
      labels.summaryHeaders(report.groupBy),
      rows,
      [0.28, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12],
      textWidth,
      (c) => c > 0,
    ),
    new Paragraph({ children: [] }),
  ];
}

function groups(report: ProgressReport): Paragraph[] {
  const zh = report.language === 'zh';
  const out: Paragraph[] = [];
  report.groups.forEach((group, g) => {
    const number = group.numbered ? '' : zh ? `${chineseNumeral(g + 1)}、` : `${g + 1}. `;
    out.push(
      new Paragraph({
        heading: 'Heading1',
        children: [run(`${number}${report.labels.groupHeading(group.title, group.counts)}`)],
      }),
    );
    group.items.forEach((item, i) => {
      out.push(...renderItem(report, item, zh ? `（${chineseNumeral(i + 1)}）` : `${g + 1}.${i + 1} `));
    });
  });
  return out;
}

function renderItem(report: ProgressReport, item: ReportItem, number: string): Paragraph[] {
  const { labels } = report;
  const out = [
    new Paragraph({ heading: 'Heading2', children: [run(`${number}${item.task}`)] }),
    body(labels.meta(item)),
  ];
  if (item.requirement) {
    const [first = '', ...rest] = lines(item.requirement).filter((l) => l.trim());
    out.push(body(`${labels.requirement}${first.trim()}`), ...rest.map((l) => body(l.trim())));
  }
  if (!item.latest) {
    out.push(body(labels.noProgress));
    return out;
  }
  const [first = '', ...rest] = lines(item.latest.text).filter((l) => l.trim());
  const link = safeHttpUrl(item.latest.link);
  const children: ParagraphChild[] = [run(labels.latest(item.latest), { bold: true }), run(first.trim())];
  if (link) {
    children.push(
      run(' '),
      new ExternalHyperlink({ link, children: [run(`〔${labels.attachmentLink}〕`, { style: 'Hyperlink' })] }),
    );
  }
  out.push(body('', children), ...rest.map((l) => body(l.trim())));
  return out;
}

function overdue(report: ProgressReport, textWidth: number): (Paragraph | Table)[] {
  const { labels } = report;
  const zh = report.language === 'zh';
  // Groups numbered by the notice's own labels leave the overdue list unnumbered, not 七、 after its 六、.
  const number = report.groups.some((g) => g.numbered)
    ? ''
    : zh
      ? `${chineseNumeral(report.groups.length + 1)}、`
      : `${report.groups.length + 1}. `;
  const heading = new Paragraph({ heading: 'Heading1', children: [run(`${number}${labels.overdueHeading}`)] });
  if (!report.overdue.length) return [heading, body(labels.noOverdue)];
  const rows = report.overdue.map((item) => [
    String(item.no),
    item.clausePath,
    item.task,
    item.leadUnits.join(labels.listSeparator),
    item.due?.text ?? '',
    String(item.overdueDays ?? ''),
  ]);
  return [
    heading,
    table(labels.overdueHeaders, rows, [0.08, 0.12, 0.36, 0.18, 0.14, 0.12], textWidth, (c) => c !== 2 && c !== 3),
  ];
}

/** The reporting unit and the date, right-aligned four characters in (GB/T 9704 7.3.5). */
function closing(report: ProgressReport): Paragraph[] {
  const zh = report.language === 'zh';
  const indent = { right: zh ? 4 * CHAR : 0, firstLine: 0 };
  const line = (text: string) => new Paragraph({ alignment: AlignmentType.RIGHT, indent, children: [run(text)] });
  return [
    new Paragraph({ children: [] }),
    ...(report.unit ? [line(report.unit)] : []),
    line(report.labels.date(report.today)),
  ];
}
