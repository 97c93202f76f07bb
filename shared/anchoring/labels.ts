/**
 * Clause labels: recognising a numbering token at a position in text, its style (so siblings can be told from
 * children) and its ordinal value (so sequences can be checked).
 *
 * Styles are compared, never ranked by a fixed table: the segmenter nests styles in the order each document
 * uses them. Two families carry an order of their own: 第X编 > 第X章 > 第X节 > 第X条 (and Part/Chapter/Article/§
 * in English), and decimal numbering where 1.2.1 sits under 1.2.
 */

export interface LabelMatch {
  /** The token as printed, without surrounding whitespace: "一、", "（一）", "1.", "第十三条之一", "§ 165.T11–157". */
  label: string;
  /** Index just after the token in the searched string. */
  end: number;
  /** Numbering style: labels of one style at one depth are siblings. */
  style: string;
  /** Ordinal value (1-based), or 0 when it has none (§ sections). */
  value: number;
  /** For families with an order of their own: the family and the rank within it (smaller is higher). */
  family?: 'law' | 'decimal';
  rank?: number;
  /** Letter/roman ambiguity ("I." is either): the alternative reading. */
  alternative?: { style: string; value: number };
  /** Weak labels (a bare "1" before a heading) need support from the rest of the document. */
  weak?: boolean;
}

const CN_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** Value of a Chinese numeral (一, 十二, 二十三, 一百零五) or of ASCII/full-width digits. */
export function numeralValue(text: string): number {
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0xff10 && c <= 0xff19 ? c - 0xff10 : -1;
    if (d < 0) break;
    value = value * 10 + d;
    digits++;
  }
  if (digits === text.length && digits > 0) return value;
  let total = 0;
  let digit = -1;
  for (const ch of text) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch]!;
    else if (ch in CN_UNITS) {
      total += (digit < 0 ? 1 : digit) * CN_UNITS[ch]!;
      digit = -1;
    } else if (ch === '万') {
      total = (total + Math.max(digit, 0)) * 10000;
      digit = -1;
    } else return -1;
  }
  return total + Math.max(digit, 0);
}

const ROMAN: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100, d: 500, m: 1000 };

export function romanValue(text: string): number {
  const s = text.toLowerCase();
  if (!/^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/.test(s) || s === '') return -1;
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN[s[i]!]!;
    const next = i + 1 < s.length ? ROMAN[s[i + 1]!]! : 0;
    total += v < next ? -v : v;
  }
  return total;
}

const CN_NUM = '[零〇一二三四五六七八九十百千两]+';
const DIGITS = '[0-9０-９]+';
const SP = '[\\s\\u3000\\u00a0]';

const LAW = new RegExp(`第(${CN_NUM}|${DIGITS})(编|分编|章|节|条)(?:之(${CN_NUM}))?`, 'y');
const CN_PART = new RegExp(`第(${CN_NUM}|${DIGITS})部分`, 'y');
const CN_DUN = new RegExp(`(${CN_NUM})(、|[.．](?![0-9０-９]))`, 'y');
const CN_PAREN = new RegExp(`[（(]${SP}*(${CN_NUM})${SP}*[）)]`, 'y');
const AR_PAREN = new RegExp(`[（(]${SP}*(${DIGITS})${SP}*[）)]`, 'y');
const DECIMAL = new RegExp(`(${DIGITS}(?:[.．]${DIGITS})+)(?:[.．](?![0-9０-９])|(?=${SP}))`, 'y');
const AR_DOT = new RegExp(`(${DIGITS})[.．](?![0-9０-９])`, 'y');
const AR_DUN = new RegExp(`(${DIGITS})、`, 'y');
const BARE_NUMBER = new RegExp(`(${DIGITS})(?=${SP}+[^\\s\\u3000\\u00a00-9０-９.．、%％年月日])`, 'y');
const EN_PAREN = /\(([a-zA-Z]{1,5})\)/y;
const EN_DOT = /([A-Za-z]{1,5})\.(?=\s)/y;
const SECTION = /(§{1,2})\s*([0-9A-Za-z][0-9A-Za-z.\-–—:]*[0-9][0-9A-Za-z.\-–—]*|[0-9][0-9A-Za-z.\-–—]*)/y;
const EN_WORD =
  /(Part|PART|Chapter|CHAPTER|Subpart|SUBPART|Article|ARTICLE|Art\.|Section|SECTION|Sec\.)\s+([0-9]+[A-Za-z]?|[IVXLC]+)\b\.?/y;

const LAW_RANK: Record<string, number> = { 编: 0, 分编: 0.5, 章: 1, 节: 2, 条: 3 };
const EN_RANK: Record<string, number> = { part: 0, subpart: 0.5, chapter: 1, article: 3, section: 3, art: 3, sec: 3 };

const CIRCLED = (cp: number): number =>
  cp >= 0x2460 && cp <= 0x2473
    ? cp - 0x2460 + 1
    : cp >= 0x3251 && cp <= 0x325f
      ? cp - 0x3251 + 21
      : cp >= 0x32b1 && cp <= 0x32bf
        ? cp - 0x32b1 + 36
        : -1;

/** Runs a sticky pattern exactly at `at`. */
function stickyMatch(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

/** Recognises a clause label starting exactly at `at` in `text`. */
export function matchLabel(text: string, at: number): LabelMatch | null {
  const ch = text.charCodeAt(at);
  if (Number.isNaN(ch)) return null;
  const c = text[at]!;
  let m: RegExpExecArray | null;

  if (c === '第') {
    if ((m = stickyMatch(LAW, text, at))) {
      const kind = m[2]!;
      const value = numeralValue(m[1]!);
      if (value < 0) return null;
      const sub = m[3] ? numeralValue(m[3]) : 0;
      return {
        label: m[0],
        end: at + m[0].length,
        style: `law-${kind}`,
        value: value + (sub > 0 ? sub / 100 : 0),
        family: 'law',
        rank: LAW_RANK[kind]!,
      };
    }
    if ((m = stickyMatch(CN_PART, text, at))) {
      return { label: m[0], end: at + m[0].length, style: 'cn-part', value: numeralValue(m[1]!) };
    }
    return null;
  }
  if (c === '（' || c === '(') {
    if ((m = stickyMatch(CN_PAREN, text, at))) {
      return { label: m[0], end: at + m[0].length, style: 'cn-paren', value: numeralValue(m[1]!) };
    }
    if ((m = stickyMatch(AR_PAREN, text, at))) {
      return { label: m[0], end: at + m[0].length, style: 'ar-paren', value: numeralValue(m[1]!) };
    }
    if (c === '(' && (m = stickyMatch(EN_PAREN, text, at))) {
      return englishLetter(m[1]!, m[0], at, 'paren');
    }
    return null;
  }
  if (ch >= 0x3220 && ch <= 0x3229) {
    return { label: c, end: at + 1, style: 'cn-paren', value: ch - 0x3220 + 1 };
  }
  const circled = CIRCLED(ch);
  if (circled > 0) return { label: c, end: at + 1, style: 'circled', value: circled };
  if (ch >= 0x2474 && ch <= 0x2487) return { label: c, end: at + 1, style: 'ar-paren', value: ch - 0x2474 + 1 };
  if (ch >= 0x2488 && ch <= 0x249b) return { label: c, end: at + 1, style: 'ar-dot', value: ch - 0x2488 + 1 };
  if ((ch >= 0x30 && ch <= 0x39) || (ch >= 0xff10 && ch <= 0xff19)) {
    if ((m = stickyMatch(DECIMAL, text, at))) {
      const parts = m[1]!.split(/[.．]/);
      return {
        label: m[0],
        end: at + m[0].length,
        style: `decimal-${parts.length}`,
        value: numeralValue(parts[parts.length - 1]!),
        family: 'decimal',
        rank: parts.length,
      };
    }
    if ((m = stickyMatch(AR_DOT, text, at))) {
      return { label: m[0], end: at + m[0].length, style: 'ar-dot', value: numeralValue(m[1]!) };
    }
    if ((m = stickyMatch(AR_DUN, text, at))) {
      return { label: m[0], end: at + m[0].length, style: 'ar-dun', value: numeralValue(m[1]!) };
    }
    if ((m = stickyMatch(BARE_NUMBER, text, at))) {
      return {
        label: m[0],
        end: at + m[0].length,
        style: 'decimal-1',
        value: numeralValue(m[1]!),
        family: 'decimal',
        rank: 1,
        weak: true,
      };
    }
    return null;
  }
  if (c in CN_DIGITS || c in CN_UNITS) {
    if ((m = stickyMatch(CN_DUN, text, at))) {
      const value = numeralValue(m[1]!);
      if (value < 0) return null;
      return { label: m[0], end: at + m[0].length, style: m[2] === '、' ? 'cn-dun' : 'cn-dot', value };
    }
    return null;
  }
  if (c === '§') {
    if ((m = stickyMatch(SECTION, text, at))) {
      return { label: m[0], end: at + m[0].length, style: 'section-sign', value: 0, family: 'law', rank: 3 };
    }
    return null;
  }
  if ((ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a)) {
    if ((m = stickyMatch(EN_WORD, text, at))) {
      const word = m[1]!.toLowerCase().replace('.', '');
      const num = m[2]!;
      const value = /^\d/.test(num) ? parseInt(num, 10) : romanValue(num);
      return {
        label: m[0],
        end: at + m[0].length,
        style: `en-${word}`,
        value,
        family: 'law',
        rank: EN_RANK[word] ?? 3,
      };
    }
    if ((m = stickyMatch(EN_DOT, text, at))) return englishLetter(m[1]!, m[0], at, 'dot');
  }
  return null;
}

/** "A." / "(a)" / "IV." / "(iv)": letter or roman numeral; single letters like "I" or "(i)" are ambiguous. */
function englishLetter(token: string, label: string, at: number, shape: 'dot' | 'paren'): LabelMatch | null {
  const upper = token === token.toUpperCase();
  if (!upper && token !== token.toLowerCase()) return null;
  const roman = romanValue(token);
  const caseName = upper ? 'upper' : 'lower';
  const letter = token.length === 1 ? token.toLowerCase().charCodeAt(0) - 96 : -1;
  const romanStyle = `roman-${caseName}-${shape}`;
  const letterStyle = `alpha-${caseName}-${shape}`;
  if (roman > 50) {
    // "C." and "(d)" are letters here; "mix." or "dim." are words, not clause numbers
    return letter > 0 ? { label, end: at + label.length, style: letterStyle, value: letter } : null;
  }
  if (roman > 0 && letter > 0) {
    // "I." is roman one or letter nine; the segmenter decides from the sequence in progress
    return {
      label,
      end: at + label.length,
      style: romanStyle,
      value: roman,
      alternative: { style: letterStyle, value: letter },
    };
  }
  if (roman > 0) return { label, end: at + label.length, style: romanStyle, value: roman };
  if (letter > 0) return { label, end: at + label.length, style: letterStyle, value: letter };
  return null;
}
