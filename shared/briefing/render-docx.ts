/**
 * The briefing as a Word document in the GB/T 9704-2012 layout (Chinese) or a plain English layout.
 *
 * Chinese: A4, margins 37/26/35/28 mm (text block 156 x 225 mm); body 仿宋_GB2312 3号 (16 pt) at exactly
 * 28.95 pt a line, two-character first-line indent, Latin and digits in Times New Roman; title 方正小标宋简体
 * 2号; 一、 headings 黑体, （一） headings 楷体_GB2312; "— 1 —" page numbers in 宋体 4号, odd pages right and
 * even pages left, one character in; the red header (报头) with 期号, unit and date over a red rule; the
 * summary table; the body; the numbered sources; the closing block (版记) at the foot of the last page.
 * English: A4 with 25 mm margins, Times New Roman 12 pt, plain bold headings, centred page numbers.
 *
 * Headings carry the briefing's own numbering only (一、 for a group, （一） for an entry); the clause's label
 * path is on the reference line under the entry's heading. Paragraphs and table rows break across pages; only
 * headings keep with what follows them.
 *
 * The closing block is a frame (w:framePr) aligned to the bottom of the text block, so its last rule sits on
 * the last line of the last page whatever the length of the body, in Word and in LibreOffice. LibreOffice only
 * makes a frame of consecutive framed paragraphs whose borders are identical, so the rules are not borders but
 * thin shaded paragraphs of an exact height. Sources are a numbered list before it rather than footnotes: a
 * footnote on the last page would collide with the frame at the foot of the page.
 *
 * Fonts are only named, never embedded (official fonts are licensed); the font table declares their usual
 * fallbacks (docx-fonts.ts). All user text goes through sanitizeExportText (escape.ts).
 * Produces a Uint8Array, which works the same in the browser and in Node.
 */
import {
  AlignmentType,
  Bookmark,
  BorderStyle,
  Document,
  ExternalHyperlink,
  FrameAnchorType,
  FrameWrap,
  HorizontalPositionAlign,
  type IFrameOptions,
  InternalHyperlink,
  type IRunOptions,
  LineRuleType,
  Packer,
  Paragraph,
  type ParagraphChild,
  ShadingType,
  Tab,
  TabStopType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalPositionAlign,
  WidthType,
} from 'docx';
import { FONT, fontTableXml } from './docx-fonts.ts';
import {
  A4,
  BODY_SIZE,
  CHAR,
  documentStyles,
  EN_MARGIN,
  font,
  lines,
  pageNumberFooter,
  run,
  THIN,
  xmlText,
  ZH_MARGIN,
} from './docx-layout.ts';
import { safeHttpUrl } from './escape.ts';
import { type Briefing, type BriefingEntry, type BriefingNote, notesToPrint } from './model.ts';

const MASTHEAD_SIZE = 72; // 36 pt red masthead
const CLOSING_SIZE = 28; // 4号 14 pt
const RED = 'FF0000';
/** GB/T 9704 closing-block rules: 0.35 mm first and last, 0.25 mm between (as exact line heights, twips). */
const RULE = { thick: 20, thin: 14 } as const;

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
  const document = new Document({
    title: xmlText(b.header.title),
    creator: xmlText(b.header.unit) || 'Pizhu',
    lastModifiedBy: xmlText(b.header.unit) || 'Pizhu',
    description: xmlText(b.lead),
    evenAndOddHeaderAndFooters: zh,
    styles: documentStyles(zh),
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
          ...sourceList(b),
          ...closingBlock(b, layout),
        ],
      },
    ],
  });
  return Packer.pack(document, 'uint8array', false, [{ path: 'word/fontTable.xml', data: fontTableXml() }]);
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
    ...(b.changes ? [new Paragraph({ style: 'BriefingBody', children: [run(b.changes)] })] : []),
    new Paragraph({
      style: 'BriefingBody',
      children: [run(b.scope, { font: font(b.language === 'zh' ? FONT.kaiti : FONT.latin) })],
    }),
  ];
}

// --- summary table ---

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
  // Rows break across pages (a tall row kept whole left a third of a page empty); the header row repeats.
  const rows = b.summary.map(
    (row) =>
      new TableRow({
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
    const ref = group.citesSource && group.sourceNumber !== null ? [citation(group.sourceNumber)] : [];
    out.push(new Paragraph({ heading: 'Heading1', children: [run(group.title), ...ref] }));
    for (const entry of group.entries) out.push(...renderEntry(entry, b, layout));
  }
  return out;
}

function renderEntry(entry: BriefingEntry, b: Briefing, layout: Layout): Paragraph[] {
  const out: Paragraph[] = [];
  const ref = entry.citesSource && entry.sourceNumber !== null ? [citation(entry.sourceNumber)] : [];
  out.push(new Paragraph({ heading: 'Heading2', children: [run(entry.title), ...ref] }));
  const link = safeHttpUrl(entry.link);
  const open: ParagraphChild[] = link
    ? [
        run(' '),
        new ExternalHyperlink({
          link,
          children: [
            run(layout.zh ? `〔${b.labels.openOnPage}〕` : `[${b.labels.openOnPage}]`, { style: 'Hyperlink' }),
          ],
        }),
      ]
    : [];
  const notes = notesToPrint(entry, b.options);
  // The reference line belongs to the heading: it keeps with what follows, if anything of this entry does.
  const more = entry.orphaned || !entry.headingIsQuote || notes.length > 0;
  out.push(
    new Paragraph({
      style: 'BriefingReference',
      keepNext: more,
      children: [run(b.labels.referenceLine(entry.reference)), ...open],
    }),
  );
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
  if (!entry.headingIsQuote) {
    for (const line of lines(entry.quote)) {
      if (line.trim()) out.push(new Paragraph({ style: 'BriefingQuote', children: [run(line.trim())] }));
    }
  }
  for (const note of notes) out.push(...renderNote(note, b));
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

// --- sources ---

const sourceBookmark = (n: number) => `source${n}`;

/** "[n]" raised after a heading, linked to the source's line in the list. */
function citation(n: number): InternalHyperlink {
  return new InternalHyperlink({
    anchor: sourceBookmark(n),
    children: [new TextRun({ text: `[${n}]`, superScript: true })],
  });
}

/** The sources, numbered as cited: title, issuer, number, dates, URL. */
function sourceList(b: Briefing): Paragraph[] {
  if (!b.sources.length) return [];
  return [
    new Paragraph({ heading: 'Heading1', children: [run(b.labels.sourcesHeading)] }),
    ...b.sources.map(
      (source) =>
        new Paragraph({
          style: 'BriefingSource',
          children: [
            new Bookmark({ id: sourceBookmark(source.number), children: [new TextRun(`[${source.number}]`)] }),
            new TextRun({ children: [new Tab()] }),
            run(source.text),
          ],
        }),
    ),
  ];
}

// --- closing block (版记) ---

/**
 * The closing block: one frame at the foot of the text block on the page where the body ends (the next page
 * when it does not fit), rules the width of the text block (thick first and last, thin between), text one
 * character in, a wrapped recipient list aligned after its "报：" label. Every paragraph of the frame has the
 * same frame properties and no borders: that is what both Word and LibreOffice make one frame of.
 */
function closingBlock(b: Briefing, layout: Layout): Paragraph[] {
  const closing = b.closing;
  if (!closing) return [];
  const frame: IFrameOptions = {
    type: 'alignment',
    alignment: { x: HorizontalPositionAlign.CENTER, y: VerticalPositionAlign.BOTTOM },
    anchor: { horizontal: FrameAnchorType.MARGIN, vertical: FrameAnchorType.MARGIN },
    width: layout.textWidth,
    wrap: FrameWrap.NOT_BESIDE,
  };
  const size = layout.zh ? CLOSING_SIZE : 22;
  const char = size * 10;
  const spacing = layout.zh
    ? { line: 480, lineRule: LineRuleType.EXACT, before: 0, after: 0 }
    : { line: 360, lineRule: LineRuleType.AUTO, before: 0, after: 0 };
  const tabs = [
    { type: TabStopType.LEFT, position: char },
    { type: TabStopType.RIGHT, position: layout.textWidth - char },
  ];
  const textLines: Paragraph[] = closing.lines.map((line) => {
    const labelWidth = [...line.label].length * char;
    return new Paragraph({
      frame,
      spacing,
      indent: { left: char + labelWidth, hanging: labelWidth },
      children: [run(line.label, { size }), run(line.text, { size })],
    });
  });
  // Unit and date (then the copies) sit one character in from either side of the frame.
  const tabbedLine = (left: string, right: string) =>
    new Paragraph({
      frame,
      spacing,
      indent: { firstLine: 0 },
      tabStops: tabs,
      children: [tabbed(left, right, { size })],
    });
  textLines.push(tabbedLine(closing.unit, closing.issued));
  if (closing.copies) textLines.push(tabbedLine('', closing.copies));
  const rule = (height: number) =>
    new Paragraph({
      style: 'BriefingClosingRule',
      frame,
      spacing: { line: height, lineRule: LineRuleType.EXACT, before: 0, after: 0 },
      indent: { left: 0, right: 0, firstLine: 0 },
      shading: { type: ShadingType.CLEAR, fill: '000000', color: 'auto' },
      children: [],
    });
  return [
    rule(RULE.thick),
    ...textLines.flatMap((line, i) => (i === 0 ? [line] : [rule(RULE.thin), line])),
    rule(RULE.thick),
    // The frame's anchor: LibreOffice keeps framed paragraphs in the text unless a paragraph follows them.
    new Paragraph({ spacing: { line: RULE.thick, lineRule: LineRuleType.EXACT, before: 0, after: 0 }, children: [] }),
  ];
}
