/**
 * The briefing as a Word document in the GB/T 9704-2012 layout (Chinese) or a plain English layout.
 *
 * Chinese: A4, margins 37/26/35/28 mm (text block 156 x 225 mm); body 仿宋_GB2312 3号 (16 pt) at exactly
 * 28.95 pt a line, two-character first-line indent, Latin and digits in Times New Roman; title 方正小标宋简体
 * 2号; 一、 headings 黑体, （一） headings 楷体_GB2312; "— 1 —" page numbers in 宋体 4号, odd pages right and
 * even pages left, one character in; the red header (报头) with 期号, unit and date over a red rule; the
 * summary table; sources as footnotes; the closing block (版记) between rules.
 * English: A4 with 25 mm margins, Times New Roman 12 pt, plain bold headings, centred page numbers.
 *
 * Fonts are only named, never embedded (official fonts are licensed): Word and WPS use the installed ones.
 * Produces a Uint8Array, which works the same in the browser and in Node. The layout pieces (fonts, styles,
 * margins, page numbers, XML-safe text) are exported for the comparison table (shared/compare/render-docx.ts),
 * so both documents share one 公文 layout.
 */
import {
  AlignmentType,
  BorderStyle,
  convertMillimetersToTwip,
  Document,
  ExternalHyperlink,
  Footer,
  FootnoteReferenceRun,
  type IBorderOptions,
  type IRunOptions,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Tab,
  type ParagraphChild,
  TabStopType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { safeHttpUrl, xmlText } from './escape.ts';
import type { Briefing, BriefingEntry, BriefingNote } from './model.ts';

export const FONT = {
  fangsong: '仿宋_GB2312',
  heiti: '黑体',
  kaiti: '楷体_GB2312',
  xiaobiaosong: '方正小标宋简体',
  songti: '宋体',
  latin: 'Times New Roman',
} as const;

export const A4 = { width: 11906, height: 16838 };
const mm = convertMillimetersToTwip;
/** GB/T 9704: top 37 mm, left 28 mm, text block 156 x 225 mm. */
export const ZH_MARGIN = { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26), header: mm(15), footer: mm(23) };
export const EN_MARGIN = { top: mm(25), bottom: mm(25), left: mm(25), right: mm(25), header: mm(12), footer: mm(12) };
/** 28.95 pt in twentieths of a point: 22 lines in the 225 mm text block. */
const ZH_LINE = 579;
const BODY_SIZE = 32; // half-points: 3号 16 pt
const TITLE_SIZE = 44; // 2号 22 pt
const MASTHEAD_SIZE = 72; // 36 pt red masthead
const PAGE_NUMBER_SIZE = 28; // 4号 14 pt
const CLOSING_SIZE = 28; // 4号 14 pt
const TABLE_SIZE = 24; // 小四 12 pt
const FOOTNOTE_SIZE = 21; // 五号 10.5 pt
const CHAR = 320; // one 16 pt character in twips
const RED = 'FF0000';

export function font(eastAsia: string, latin: string = FONT.latin) {
  return { ascii: latin, hAnsi: latin, cs: latin, eastAsia, hint: 'eastAsia' };
}

export function lines(text: string): string[] {
  return xmlText(text).replace(/\r\n?/g, '\n').split('\n');
}

function run(text: string, options: Omit<IRunOptions, 'text'> = {}): TextRun {
  return new TextRun({ ...options, text: xmlText(text) });
}

type Layout = {
  zh: boolean;
  textWidth: number;
  body: { font: ReturnType<typeof font>; size: number };
};

export async function renderDocx(b: Briefing): Promise<Uint8Array> {
  const zh = b.language === 'zh';
  const margin = zh ? ZH_MARGIN : EN_MARGIN;
  const layout: Layout = {
    zh,
    textWidth: A4.width - margin.left - margin.right,
    body: { font: zh ? font(FONT.fangsong) : font(FONT.latin), size: zh ? BODY_SIZE : 24 },
  };
  const footnotes: Record<string, { children: Paragraph[] }> = {};
  for (const source of b.sources) {
    footnotes[String(source.number)] = {
      children: [new Paragraph({ style: 'FootnoteText', children: [run(source.text)] })],
    };
  }

  const document = new Document({
    title: b.header.title,
    creator: b.header.unit || 'Pizhu',
    description: b.lead,
    evenAndOddHeaderAndFooters: zh,
    styles: zh ? zhStyles() : enStyles(),
    footnotes,
    sections: [
      {
        properties: {
          page: { size: A4, margin },
        },
        footers: zh
          ? { default: pageNumberFooter(AlignmentType.RIGHT), even: pageNumberFooter(AlignmentType.LEFT) }
          : { default: pageNumberFooter(AlignmentType.CENTER) },
        children: [
          ...masthead(b, layout),
          ...titleAndLead(b),
          ...summaryTable(b, layout),
          ...body(b, layout),
          ...closingBlock(b, layout),
        ],
      },
    ],
  });
  return Packer.pack(document, 'uint8array');
}

// --- styles ---

export function zhStyles() {
  const exact = { line: ZH_LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 };
  const plainRun = { color: '000000', bold: false, italics: false, size: BODY_SIZE };
  return {
    default: {
      document: {
        run: { font: font(FONT.fangsong), size: BODY_SIZE, language: { value: 'en-US', eastAsia: 'zh-CN' } },
        paragraph: { spacing: exact },
      },
      title: {
        run: { ...plainRun, font: font(FONT.xiaobiaosong), size: TITLE_SIZE },
        paragraph: { alignment: AlignmentType.CENTER, spacing: exact, indent: { firstLine: 0 } },
      },
      heading1: {
        run: { ...plainRun, font: font(FONT.heiti) },
        paragraph: {
          spacing: exact,
          indent: { firstLineChars: 200, firstLine: 2 * CHAR },
          outlineLevel: 0,
          keepNext: true,
        },
      },
      heading2: {
        run: { ...plainRun, font: font(FONT.kaiti) },
        paragraph: {
          spacing: exact,
          indent: { firstLineChars: 200, firstLine: 2 * CHAR },
          outlineLevel: 1,
          keepNext: true,
        },
      },
      footnoteText: {
        run: { font: font(FONT.fangsong), size: FOOTNOTE_SIZE },
        paragraph: { spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 } },
      },
      hyperlink: { run: { color: '0563C1', underline: { type: 'single' as const } } },
    },
    paragraphStyles: [
      ...tableStyles(font(FONT.fangsong), font(FONT.heiti), false),
      {
        id: 'BriefingBody',
        name: 'Briefing Body',
        basedOn: 'Normal',
        next: 'BriefingBody',
        quickFormat: true,
        run: { font: font(FONT.fangsong), size: BODY_SIZE, characterSpacing: -5 },
        paragraph: {
          spacing: exact,
          indent: { firstLineChars: 200, firstLine: 2 * CHAR },
          alignment: AlignmentType.JUSTIFIED,
        },
      },
      {
        id: 'BriefingQuote',
        name: 'Briefing Quote',
        basedOn: 'BriefingBody',
        next: 'BriefingBody',
        run: { font: font(FONT.kaiti), size: BODY_SIZE },
        paragraph: {
          spacing: exact,
          indent: { left: 2 * CHAR, firstLine: 0 },
          border: { left: { style: BorderStyle.SINGLE, size: 12, color: '999999', space: 8 } },
        },
      },
    ],
  };
}

export function enStyles() {
  const spacing = { line: 276, lineRule: LineRuleType.AUTO, before: 0, after: 120 };
  const plainRun = { color: '000000', italics: false, font: font(FONT.latin) };
  return {
    default: {
      document: {
        run: { font: font(FONT.latin), size: 24, language: { value: 'en-US', eastAsia: 'zh-CN' } },
        paragraph: { spacing },
      },
      title: {
        run: { ...plainRun, bold: true, size: 32 },
        paragraph: { alignment: AlignmentType.CENTER, spacing: { after: 240 } },
      },
      heading1: {
        run: { ...plainRun, bold: true, size: 28 },
        paragraph: { spacing: { before: 240, after: 120 }, outlineLevel: 0, keepNext: true },
      },
      heading2: {
        run: { ...plainRun, bold: true, size: 24 },
        paragraph: { spacing: { before: 180, after: 60 }, outlineLevel: 1, keepNext: true },
      },
      footnoteText: { run: { font: font(FONT.latin), size: 18 }, paragraph: { spacing: { after: 0 } } },
      hyperlink: { run: { color: '0563C1', underline: { type: 'single' as const } } },
    },
    paragraphStyles: [
      ...tableStyles(font(FONT.latin), font(FONT.latin), true),
      {
        id: 'BriefingBody',
        name: 'Briefing Body',
        basedOn: 'Normal',
        next: 'BriefingBody',
        quickFormat: true,
        paragraph: { spacing },
      },
      {
        id: 'BriefingQuote',
        name: 'Briefing Quote',
        basedOn: 'BriefingBody',
        next: 'BriefingBody',
        run: { italics: true },
        paragraph: {
          indent: { left: 567 },
          border: { left: { style: BorderStyle.SINGLE, size: 12, color: '999999', space: 8 } },
        },
      },
    ],
  };
}

/** The summary table's cell text and header row. */
function tableStyles(text: ReturnType<typeof font>, head: ReturnType<typeof font>, boldHead: boolean) {
  const paragraph = {
    spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
    indent: { firstLine: 0 },
  };
  return [
    {
      id: 'BriefingTableText',
      name: 'Briefing Table Text',
      basedOn: 'Normal',
      run: { font: text, size: TABLE_SIZE },
      paragraph: { ...paragraph, alignment: AlignmentType.LEFT },
    },
    {
      id: 'BriefingTableHead',
      name: 'Briefing Table Heading',
      basedOn: 'Normal',
      run: { font: head, size: TABLE_SIZE, bold: boldHead },
      paragraph: { ...paragraph, alignment: AlignmentType.CENTER },
    },
  ];
}

export function pageNumberFooter(alignment: (typeof AlignmentType)[keyof typeof AlignmentType]): Footer {
  const oneChar = PAGE_NUMBER_SIZE * 10; // one 14 pt character in twips
  return new Footer({
    children: [
      new Paragraph({
        alignment,
        spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
        indent:
          alignment === AlignmentType.RIGHT
            ? { right: oneChar }
            : alignment === AlignmentType.LEFT
              ? { left: oneChar }
              : {},
        children: [
          new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font(FONT.songti), size: PAGE_NUMBER_SIZE }),
        ],
      }),
    ],
  });
}

// --- header, title, lead ---

function masthead(b: Briefing, layout: Layout): Paragraph[] {
  const { header } = b;
  const noIndent = { firstLine: 0 };
  const single = { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 };
  const out: Paragraph[] = [];
  if (header.mark) {
    out.push(
      new Paragraph({
        indent: noIndent,
        children: [run(header.mark, { font: font(layout.zh ? FONT.heiti : FONT.latin), bold: !layout.zh })],
      }),
    );
  }
  out.push(
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { ...single, before: layout.zh ? 240 : 0, after: 120 },
      children: [
        run(header.masthead, {
          font: font(layout.zh ? FONT.xiaobiaosong : FONT.latin),
          size: layout.zh ? MASTHEAD_SIZE : 48,
          color: layout.zh ? RED : '000000',
          bold: !layout.zh,
          characterSpacing: layout.zh ? 60 : 0,
        }),
      ],
    }),
  );
  if (header.issue) out.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [run(header.issue)] }));
  // Unit one character in from the left, date one character in from the right, over the red rule the width
  // of the text block (so the paragraph itself is not indented: its border follows its indents).
  out.push(
    new Paragraph({
      indent: { firstLine: 0 },
      tabStops: spreadTabs(layout),
      border: {
        bottom: { style: BorderStyle.SINGLE, size: layout.zh ? 18 : 8, color: layout.zh ? RED : '000000', space: 6 },
      },
      children: [tabbed(header.unit, header.date)],
    }),
  );
  if (layout.zh) out.push(new Paragraph({ children: [] }), new Paragraph({ children: [] }));
  return out;
}

/** Tab stops one character in from each side of the text block. */
function spreadTabs(layout: Layout) {
  return [
    { type: TabStopType.LEFT, position: CHAR },
    { type: TabStopType.RIGHT, position: layout.textWidth - CHAR },
  ];
}

/** "<tab>left<tab>right" for a line set against spreadTabs. */
function tabbed(left: string, right: string, options: Omit<IRunOptions, 'text' | 'children'> = {}): TextRun {
  return new TextRun({ ...options, children: [new Tab(), xmlText(left), new Tab(), xmlText(right)] });
}

function titleAndLead(b: Briefing): Paragraph[] {
  return [
    new Paragraph({ style: 'Title', children: [run(b.header.title)] }),
    new Paragraph({ children: [] }),
    new Paragraph({ style: 'BriefingBody', children: [run(b.lead)] }),
    new Paragraph({
      style: 'BriefingBody',
      children: [run(b.scope, { font: font(b.language === 'zh' ? FONT.kaiti : FONT.latin) })],
    }),
  ];
}

// --- summary table ---

export const THIN: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

function summaryTable(b: Briefing, layout: Layout): (Paragraph | Table)[] {
  if (!b.summary.length) return [];
  // Tag, clause, quote, annotator, note: shares of the text width.
  const shares = layout.zh ? [0.12, 0.18, 0.3, 0.11, 0.29] : [0.12, 0.13, 0.3, 0.15, 0.3];
  const widths = shares.map((s) => Math.floor(layout.textWidth * s));
  widths[widths.length - 1]! += layout.textWidth - widths.reduce((a, w) => a + w, 0);
  // Cell text takes its look from two paragraph styles and the margins from the table: a briefing of a
  // thousand clauses has five thousand cells, and per-run properties would multiply the XML.
  const cell = (text: string, width: number, head: boolean) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      children: lines(text).map(
        (line) =>
          new Paragraph({ style: head ? 'BriefingTableHead' : 'BriefingTableText', children: [new TextRun(line)] }),
      ),
    });
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: b.labels.summaryHeaders.map((h, i) => cell(h, widths[i]!, true)),
  });
  const rows = b.summary.map(
    (row) =>
      new TableRow({
        cantSplit: true,
        children: [row.tags, row.clause, row.quote, row.annotators, row.notes].map((text, i) =>
          cell(text, widths[i]!, false),
        ),
      }),
  );
  return [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      keepNext: true,
      indent: { firstLine: 0 },
      children: [run(b.labels.summaryCaption, { font: font(layout.zh ? FONT.heiti : FONT.latin), bold: !layout.zh })],
    }),
    new Table({
      rows: [header, ...rows],
      width: { size: layout.textWidth, type: WidthType.DXA },
      columnWidths: widths,
      layout: TableLayoutType.FIXED,
      margins: { left: 80, right: 80, top: 30, bottom: 30 },
      borders: { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN },
    }),
    new Paragraph({ children: [] }),
  ];
}

// --- body ---

function body(b: Briefing, layout: Layout): Paragraph[] {
  const out: Paragraph[] = [];
  for (const group of b.groups) {
    const ref = group.citesSource && group.sourceNumber !== null ? [new FootnoteReferenceRun(group.sourceNumber)] : [];
    out.push(new Paragraph({ heading: 'Heading1', children: [run(group.title), ...ref] }));
    for (const entry of group.entries) out.push(...renderEntry(entry, b, layout));
  }
  return out;
}

function renderEntry(entry: BriefingEntry, b: Briefing, layout: Layout): Paragraph[] {
  const out: Paragraph[] = [];
  const ref = entry.citesSource && entry.sourceNumber !== null ? [new FootnoteReferenceRun(entry.sourceNumber)] : [];
  out.push(new Paragraph({ heading: 'Heading2', children: [run(entry.title), ...ref] }));
  if (entry.orphaned) {
    out.push(
      new Paragraph({
        style: 'BriefingBody',
        children: [
          run(b.labels.orphanMark, { color: 'C00000', bold: true }),
          run(b.labels.orphanExplanation, { color: 'C00000' }),
        ],
      }),
    );
  }
  const quoteLines = lines(entry.quote).filter((l) => l.trim() !== '');
  const link = safeHttpUrl(entry.link);
  quoteLines.forEach((line, i) => {
    const children: ParagraphChild[] = [run(line.trim())];
    if (link && i === quoteLines.length - 1) {
      children.push(
        run(' '),
        new ExternalHyperlink({
          link,
          children: [
            run(layout.zh ? `〔${b.labels.openOnPage}〕` : `[${b.labels.openOnPage}]`, {
              style: 'Hyperlink',
              size: layout.zh ? 24 : 20,
            }),
          ],
        }),
      );
    }
    out.push(new Paragraph({ style: 'BriefingQuote', children }));
  });
  for (const note of entry.notes) out.push(...renderNote(note, b));
  return out;
}

function renderNote(note: BriefingNote, b: Briefing): Paragraph[] {
  const empty = note.text.trim() === '';
  const [first = '', ...rest] = empty ? [b.labels.highlightOnly] : lines(note.text.trim());
  const meta = `${b.labels.noteMeta(note.time, note.isReply)}${b.labels.colon}`;
  const text = empty ? [run(meta), run(first, { color: '666666' })] : [run(`${meta}${first}`)];
  return [
    new Paragraph({ style: 'BriefingBody', children: [run(note.author.name, { bold: true }), ...text] }),
    ...rest
      .filter((line) => line.trim() !== '')
      .map((line) => new Paragraph({ style: 'BriefingBody', children: [run(line)] })),
  ];
}

// --- closing block (版记) ---

/**
 * The closing block as a one-column table: rules the width of the text block (thick first and last, thin
 * between), text one character in, and a wrapped recipient list aligned after its "报：" label.
 */
function closingBlock(b: Briefing, layout: Layout): (Paragraph | Table)[] {
  const closing = b.closing;
  if (!closing) return [];
  const thick: IBorderOptions = { style: BorderStyle.SINGLE, size: 8, color: '000000' };
  const thin: IBorderOptions = { style: BorderStyle.SINGLE, size: 6, color: '000000' };
  const none: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
  const size = layout.zh ? CLOSING_SIZE : 22;
  const char = size * 10;
  const spacing = layout.zh
    ? { line: 480, lineRule: LineRuleType.EXACT, before: 0, after: 0 }
    : { line: 360, lineRule: LineRuleType.AUTO, before: 0, after: 0 };
  const tabs = [
    { type: TabStopType.LEFT, position: char },
    { type: TabStopType.RIGHT, position: layout.textWidth - char },
  ];
  const paragraphs: Paragraph[] = closing.lines.map((line) => {
    const labelWidth = [...line.label].length * char;
    return new Paragraph({
      keepNext: true,
      spacing,
      indent: { left: char + labelWidth, hanging: labelWidth },
      children: [run(line.label, { size }), run(line.text, { size })],
    });
  });
  paragraphs.push(
    new Paragraph({
      keepNext: true,
      spacing,
      indent: { firstLine: 0 },
      tabStops: tabs,
      children: [tabbed(closing.unit, closing.issued, { size })],
    }),
  );
  if (closing.copies) {
    paragraphs.push(
      new Paragraph({
        spacing,
        indent: { firstLine: 0 },
        tabStops: tabs,
        children: [tabbed('', closing.copies, { size })],
      }),
    );
  }
  return [
    new Paragraph({ children: [] }),
    new Table({
      width: { size: layout.textWidth, type: WidthType.DXA },
      columnWidths: [layout.textWidth],
      layout: TableLayoutType.FIXED,
      borders: { top: thick, bottom: thick, left: none, right: none, insideHorizontal: thin, insideVertical: none },
      rows: paragraphs.map(
        (paragraph) =>
          new TableRow({
            cantSplit: true,
            children: [
              new TableCell({
                width: { size: layout.textWidth, type: WidthType.DXA },
                margins: { left: 0, right: 0, top: 0, bottom: 0 },
                children: [paragraph],
              }),
            ],
          }),
      ),
    }),
  ];
}
