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
  convertMillimetersToTwip,
  Document,
  ExternalHyperlink,
  Footer,
  FrameAnchorType,
  FrameWrap,
  HorizontalPositionAlign,
  type IBorderOptions,
  type IFrameOptions,
  InternalHyperlink,
  type IRunOptions,
  LineRuleType,
  Packer,
  PageNumber,
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
import { safeHttpUrl, sanitizeExportText } from './escape.ts';
import { type Briefing, type BriefingEntry, type BriefingNote, notesToPrint } from './model.ts';

const A4 = { width: 11906, height: 16838 };
const mm = convertMillimetersToTwip;
/** GB/T 9704: top 37 mm, left 28 mm, text block 156 x 225 mm. */
const ZH_MARGIN = { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26), header: mm(15), footer: mm(23) };
const EN_MARGIN = { top: mm(25), bottom: mm(25), left: mm(25), right: mm(25), header: mm(12), footer: mm(12) };
/** 28.95 pt in twentieths of a point: 22 lines in the 225 mm text block. */
const ZH_LINE = 579;
const BODY_SIZE = 32; // half-points: 3号 16 pt
const TITLE_SIZE = 44; // 2号 22 pt
const MASTHEAD_SIZE = 72; // 36 pt red masthead
const PAGE_NUMBER_SIZE = 28; // 4号 14 pt
const CLOSING_SIZE = 28; // 4号 14 pt
const TABLE_SIZE = 24; // 小四 12 pt
const SOURCE_SIZE = 24; // 小四 12 pt
const CHAR = 320; // one 16 pt character in twips
const RED = 'FF0000';
/** GB/T 9704 closing-block rules: 0.35 mm first and last, 0.25 mm between (as exact line heights, twips). */
const RULE = { thick: 20, thin: 14 } as const;

function font(eastAsia: string, latin: string = FONT.latin) {
  return { ascii: latin, hAnsi: latin, cs: latin, eastAsia, hint: 'eastAsia' };
}

/** User text for a run: sanitised (so every XML part stays well-formed) and without tabs (they would jump to tab stops). */
function xmlText(text: string): string {
  return sanitizeExportText(text).replace(/\t/g, ' ');
}

function lines(text: string): string[] {
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
  const document = new Document({
    title: xmlText(b.header.title),
    creator: xmlText(b.header.unit) || 'Pizhu',
    lastModifiedBy: xmlText(b.header.unit) || 'Pizhu',
    description: xmlText(b.lead),
    evenAndOddHeaderAndFooters: zh,
    styles: zh ? zhStyles() : enStyles(),
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

// --- styles ---

function zhStyles() {
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
      hyperlink: { run: { color: '0563C1', underline: { type: 'single' as const } } },
    },
    paragraphStyles: [
      ...tableStyles(font(FONT.fangsong), font(FONT.heiti), false),
      CLOSING_RULE_STYLE,
      {
        id: 'BriefingSource',
        name: 'Briefing Source',
        basedOn: 'Normal',
        run: { font: font(FONT.fangsong), size: SOURCE_SIZE },
        paragraph: {
          spacing: { line: 300, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
          indent: { left: 3 * (SOURCE_SIZE * 10), hanging: 3 * (SOURCE_SIZE * 10) },
          alignment: AlignmentType.LEFT,
        },
      },
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
      {
        id: 'BriefingReference',
        name: 'Briefing Reference',
        basedOn: 'BriefingQuote',
        next: 'BriefingQuote',
        run: { font: font(FONT.fangsong), size: TABLE_SIZE, color: '404040' },
      },
    ],
  };
}

function enStyles() {
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
      hyperlink: { run: { color: '0563C1', underline: { type: 'single' as const } } },
    },
    paragraphStyles: [
      ...tableStyles(font(FONT.latin), font(FONT.latin), true),
      CLOSING_RULE_STYLE,
      {
        id: 'BriefingSource',
        name: 'Briefing Source',
        basedOn: 'Normal',
        run: { size: 20 },
        paragraph: {
          spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 60 },
          indent: { left: 567, hanging: 567 },
        },
      },
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
      {
        id: 'BriefingReference',
        name: 'Briefing Reference',
        basedOn: 'BriefingQuote',
        next: 'BriefingQuote',
        run: { italics: false, size: 20, color: '404040' },
      },
    ],
  };
}

/** A rule of the closing block: a paragraph shaded black (its height is the rule's thickness). */
const CLOSING_RULE_STYLE = {
  id: 'BriefingClosingRule',
  name: 'Briefing Closing Rule',
  basedOn: 'Normal',
  paragraph: { indent: { left: 0, right: 0, firstLine: 0 } },
};

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

function pageNumberFooter(alignment: (typeof AlignmentType)[keyof typeof AlignmentType]): Footer {
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

const THIN: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

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
  textLines.push(
    new Paragraph({
      frame,
      spacing,
      indent: { firstLine: 0 },
      tabStops: tabs,
      children: [tabbed(closing.unit, closing.issued, { size })],
    }),
  );
  if (closing.copies) {
    textLines.push(
      new Paragraph({
        frame,
        spacing,
        indent: { firstLine: 0 },
        tabStops: tabs,
        children: [tabbed('', closing.copies, { size })],
      }),
    );
  }
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
