/**
 * The page and type of the GB/T 9704-2012 layout (and the plain English one) shared by every Word document
 * Pizhu writes: briefings (render-docx.ts) and task tables and reports (shared/tasks). The rules, and what the
 * docx package needs to follow them, are in render-docx.ts's header; the fonts in docx-fonts.ts.
 */
import {
  AlignmentType,
  BorderStyle,
  convertMillimetersToTwip,
  Footer,
  type IBorderOptions,
  type IParagraphStyleOptions,
  type IRunOptions,
  LineRuleType,
  PageNumber,
  Paragraph,
  TextRun,
} from 'docx';
import { FONT } from './docx-fonts.ts';
import { sanitizeExportText } from './escape.ts';

export const A4 = { width: 11906, height: 16838 };
export const mm = convertMillimetersToTwip;
/** GB/T 9704: top 37 mm, left 28 mm, text block 156 x 225 mm. */
export const ZH_MARGIN = { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26), header: mm(15), footer: mm(23) };
export const EN_MARGIN = { top: mm(25), bottom: mm(25), left: mm(25), right: mm(25), header: mm(12), footer: mm(12) };
/** 28.95 pt in twentieths of a point: 22 lines in the 225 mm text block. */
export const ZH_LINE = 579;
export const BODY_SIZE = 32; // half-points: 3号 16 pt
export const TITLE_SIZE = 44; // 2号 22 pt
export const PAGE_NUMBER_SIZE = 28; // 4号 14 pt
export const TABLE_SIZE = 24; // 小四 12 pt
export const SOURCE_SIZE = 24; // 小四 12 pt
export const CHAR = 320; // one 16 pt character in twips

export function font(eastAsia: string, latin: string = FONT.latin) {
  return { ascii: latin, hAnsi: latin, cs: latin, eastAsia, hint: 'eastAsia' };
}

/** User text for a run: sanitised (so every XML part stays well-formed) and without tabs (they would jump to tab stops). */
export function xmlText(text: string): string {
  return sanitizeExportText(text).replace(/\t/g, ' ');
}

export function lines(text: string): string[] {
  return xmlText(text).replace(/\r\n?/g, '\n').split('\n');
}

export function run(text: string, options: Omit<IRunOptions, 'text'> = {}): TextRun {
  return new TextRun({ ...options, text: xmlText(text) });
}

export const THIN: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

/** The document's styles: defaults, title, headings, body, quote, reference, sources and table text. */
export function documentStyles(zh: boolean) {
  return zh ? zhStyles() : enStyles();
}

function zhStyles() {
  const exact = { line: ZH_LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 };
  const plainRun = { color: '000000', bold: false, italics: false, size: BODY_SIZE };
  // 一、 and （一） headings stand two characters in, like the body, and stay with what follows
  const heading = (outlineLevel: number) => ({
    spacing: exact,
    indent: { firstLineChars: 200, firstLine: 2 * CHAR },
    outlineLevel,
    keepNext: true,
  });
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
      heading1: { run: { ...plainRun, font: font(FONT.heiti) }, paragraph: heading(0) },
      heading2: { run: { ...plainRun, font: font(FONT.kaiti) }, paragraph: heading(1) },
      hyperlink: HYPERLINK_STYLE,
    },
    paragraphStyles: [
      ...tableStyles(font(FONT.fangsong), font(FONT.heiti), false),
      ...briefingStyles({
        source: {
          run: { font: font(FONT.fangsong), size: SOURCE_SIZE },
          paragraph: {
            spacing: { line: 300, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
            indent: { left: 3 * (SOURCE_SIZE * 10), hanging: 3 * (SOURCE_SIZE * 10) },
            alignment: AlignmentType.LEFT,
          },
        },
        body: {
          run: { font: font(FONT.fangsong), size: BODY_SIZE, characterSpacing: -5 },
          paragraph: {
            spacing: exact,
            indent: { firstLineChars: 200, firstLine: 2 * CHAR },
            alignment: AlignmentType.JUSTIFIED,
          },
        },
        quote: {
          run: { font: font(FONT.kaiti), size: BODY_SIZE },
          paragraph: { spacing: exact, indent: { left: 2 * CHAR, firstLine: 0 } },
        },
        reference: { run: { font: font(FONT.fangsong), size: TABLE_SIZE, color: '404040' } },
      }),
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
      hyperlink: HYPERLINK_STYLE,
    },
    paragraphStyles: [
      ...tableStyles(font(FONT.latin), font(FONT.latin), true),
      ...briefingStyles({
        source: {
          run: { size: 20 },
          paragraph: {
            spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 60 },
            indent: { left: 567, hanging: 567 },
          },
        },
        body: { paragraph: { spacing } },
        quote: { run: { italics: true }, paragraph: { indent: { left: 567 } } },
        reference: { run: { italics: false, size: 20, color: '404040' } },
      }),
    ],
  };
}

const HYPERLINK_STYLE = { run: { color: '0563C1', underline: { type: 'single' as const } } };

type StyleLook = Pick<IParagraphStyleOptions, 'run' | 'paragraph'>;

/**
 * The briefing's own paragraph styles, after the closing rule: their names, what each is based on and follows
 * with, and the quote's left rule are the same in both layouts; `look` holds what the layout sets apart.
 */
function briefingStyles(look: { source: StyleLook; body: StyleLook; quote: StyleLook; reference: StyleLook }) {
  return [
    CLOSING_RULE_STYLE,
    { id: 'BriefingSource', name: 'Briefing Source', basedOn: 'Normal', ...look.source },
    {
      id: 'BriefingBody',
      name: 'Briefing Body',
      basedOn: 'Normal',
      next: 'BriefingBody',
      quickFormat: true,
      ...look.body,
    },
    {
      id: 'BriefingQuote',
      name: 'Briefing Quote',
      basedOn: 'BriefingBody',
      next: 'BriefingBody',
      run: look.quote.run,
      paragraph: {
        ...look.quote.paragraph,
        border: { left: { style: BorderStyle.SINGLE, size: 12, color: '999999', space: 8 } },
      },
    },
    {
      id: 'BriefingReference',
      name: 'Briefing Reference',
      basedOn: 'BriefingQuote',
      next: 'BriefingQuote',
      ...look.reference,
    },
  ];
}

/** A rule of the closing block: a paragraph shaded black (its height is the rule's thickness). */
const CLOSING_RULE_STYLE = {
  id: 'BriefingClosingRule',
  name: 'Briefing Closing Rule',
  basedOn: 'Normal',
  paragraph: { indent: { left: 0, right: 0, firstLine: 0 } },
};

/** The summary table's cell text and header row. */
export function tableStyles(text: ReturnType<typeof font>, head: ReturnType<typeof font>, boldHead: boolean) {
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
