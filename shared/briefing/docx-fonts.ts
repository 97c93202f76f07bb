/**
 * The fonts a briefing's DOCX names, and its font table (word/fontTable.xml) with the fallbacks officials
 * expect when a machine lacks the official fonts: 仿宋_GB2312 → 仿宋 → FangSong, 方正小标宋简体 → 华文中宋 → 宋体,
 * 楷体_GB2312 → 楷体 → KaiTi, 黑体 → SimHei, 宋体 → SimSun.
 *
 * What each application does with the table (checked; the XML is tested in test/unit/briefing/docx.test.ts):
 *  - Word tries `w:altName` when the named font is missing, as ONE name: it does not split the value on commas
 *    and keeps at most 31 characters ([MS-OI29500] 2.1.262). So each step of a chain is its own `w:font` entry
 *    (仿宋_GB2312 → 仿宋, then 仿宋 → FangSong). After that it substitutes by the metrics stored with the entry:
 *    `w:panose1`, `w:charset` (86 = GB2312), `w:family`, `w:pitch`; the panose numbers below are those of the
 *    fallback faces, so a last-resort substitution still lands on the right style (Song, Fangsong, Kai, Hei).
 *  - LibreOffice (7.4 here; its writerfilter FontTable.cxx skips these elements) ignores altName, panose1 and
 *    family: a test document naming a missing font with altName "Liberation Mono" rendered in DejaVu Sans. A
 *    document cannot steer its substitution, which comes from fontconfig and the user's replacement
 *    table (Tools ▸ Options ▸ Fonts). `npm run check:briefing` renders with a fontconfig file that maps the
 *    official names to free look-alikes for that reason.
 * Fonts are named, never embedded: the official fonts are licensed.
 */

export const FONT = {
  fangsong: '仿宋_GB2312',
  heiti: '黑体',
  kaiti: '楷体_GB2312',
  xiaobiaosong: '方正小标宋简体',
  songti: '宋体',
  latin: 'Times New Roman',
} as const;

export type FontDeclaration = {
  name: string;
  /** The next name to try (Word: one name, at most 31 characters). */
  altName?: string;
  /** Panose-1 classification, 20 hex digits. */
  panose: string;
  /** Windows character set, hex: 86 = GB2312, 00 = ANSI. */
  charset: string;
  family: 'roman' | 'swiss' | 'modern' | 'script' | 'decorative' | 'auto';
  pitch: 'fixed' | 'variable' | 'default';
};

// Panose numbers of the faces the chains end on: Song (SimSun), Fangsong/Kai/Hei (the fixed-pitch GB faces).
const SONG = '02010600030101010101';
const FIXED_GB = '02010609060101010101';
const FIXED_GB2312 = '02010609030101010101';

/** Every font the briefing names, and the steps of each fallback chain, in the order Word should try them. */
export const FONT_DECLARATIONS: readonly FontDeclaration[] = [
  { name: '仿宋_GB2312', altName: '仿宋', panose: FIXED_GB2312, charset: '86', family: 'modern', pitch: 'fixed' },
  { name: '仿宋', altName: 'FangSong', panose: FIXED_GB, charset: '86', family: 'modern', pitch: 'fixed' },
  { name: '方正小标宋简体', altName: '华文中宋', panose: SONG, charset: '86', family: 'roman', pitch: 'variable' },
  { name: '华文中宋', altName: '宋体', panose: SONG, charset: '86', family: 'roman', pitch: 'variable' },
  { name: '宋体', altName: 'SimSun', panose: SONG, charset: '86', family: 'roman', pitch: 'variable' },
  { name: '黑体', altName: 'SimHei', panose: FIXED_GB, charset: '86', family: 'modern', pitch: 'fixed' },
  { name: '楷体_GB2312', altName: '楷体', panose: FIXED_GB2312, charset: '86', family: 'modern', pitch: 'fixed' },
  { name: '楷体', altName: 'KaiTi', panose: FIXED_GB, charset: '86', family: 'modern', pitch: 'fixed' },
  { name: 'Times New Roman', panose: '02020603050405020304', charset: '00', family: 'roman', pitch: 'variable' },
];

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** word/fontTable.xml declaring FONT_DECLARATIONS (children in the schema's order). */
export function fontTableXml(declarations: readonly FontDeclaration[] = FONT_DECLARATIONS): string {
  const fonts = declarations.map(
    (f) =>
      `<w:font w:name="${f.name}">` +
      (f.altName ? `<w:altName w:val="${f.altName}"/>` : '') +
      `<w:panose1 w:val="${f.panose}"/><w:charset w:val="${f.charset}"/>` +
      `<w:family w:val="${f.family}"/><w:pitch w:val="${f.pitch}"/></w:font>`,
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="${W}">${fonts.join('')}</w:fonts>`;
}
