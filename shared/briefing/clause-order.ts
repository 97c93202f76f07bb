/**
 * Clause labels as numbers, so clauses sort the way the document numbers them: 一、 < 二、 < 十、,
 * （二） < （十）, 1. < 2. < 10., 第二条 < 第十二条, I. < II. < IV., A. < B., (a) < (b), ① < ⑩, ㈠ < ㈩,
 * 1.2 < 1.10. Labels are read after NFKC folding, which turns full-width digits and brackets, ⑴, ⒈, ㈠
 * and Ⅳ into their plain forms.
 *
 * A lone I, V, X, L, C, D or M is a Roman numeral or a letter depending on its siblings: in A. B. ... H. I.
 * the I is the ninth letter, in I. II. III. it is one. `clauseComparator` decides this once per depth and
 * label style for the whole set of paths it is given, so the order is consistent (transitive).
 */

export type LabelKey = {
  /** The label's number(s): [12] for 第十二条, [1, 10] for 1.10. */
  ordinal: number[];
  /** The numbering scheme, to order different schemes with the same number consistently. */
  family: string;
};

const CN_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const CN_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000, 万: 10_000 };
const CN_NUMERAL = '[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万]+';
/** Circled ideographs ㊀-㊉ are not folded by NFKC into anything countable: map them by hand. */
const CIRCLED_IDEOGRAPH_FIRST = 0x3280;

const ROMAN = /^(?=[MDCLXVI])M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/i;
const ROMAN_VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** Reads a Chinese numeral: 十 = 10, 十二 = 12, 二十 = 20, 一百零五 = 105, 二〇二三 = 2023. */
export function parseChineseNumeral(text: string): number | null {
  if (!text || ![...text].every((ch) => ch in CN_DIGITS || ch in CN_UNITS)) return null;
  if (![...text].some((ch) => ch in CN_UNITS)) {
    // Digit by digit, as in years: 二〇二三.
    return [...text].reduce((n, ch) => n * 10 + CN_DIGITS[ch]!, 0);
  }
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const ch of text) {
    if (ch in CN_DIGITS) {
      digit = CN_DIGITS[ch]!;
      continue;
    }
    const unit = CN_UNITS[ch]!;
    if (unit === 10_000) {
      total += (section + (digit ?? 0)) * unit;
      section = 0;
    } else {
      section += (digit ?? 1) * unit;
    }
    digit = null;
  }
  return total + section + (digit ?? 0);
}

export function parseRoman(text: string): number | null {
  if (!ROMAN.test(text)) return null;
  const upper = text.toUpperCase();
  let total = 0;
  for (let i = 0; i < upper.length; i++) {
    const value = ROMAN_VALUES[upper[i]!]!;
    const next = ROMAN_VALUES[upper[i + 1] ?? ''] ?? 0;
    total += value < next ? -value : value;
  }
  return total;
}

/** A, B, ..., Z, AA, AB, ... as 1, 2, ..., 26, 27, 28. */
function letterOrdinal(text: string): number {
  let n = 0;
  for (const ch of text.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function fold(label: string): string {
  const circled = label.replace(
    /[\u3280-\u3289]/gu,
    (ch) => '一二三四五六七八九十'[ch.charCodeAt(0) - CIRCLED_IDEOGRAPH_FIRST]!,
  );
  return circled.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** The style of a letter label with its letters replaced, e.g. "(iv)" → "(a)", "IV." → "A.". */
function letterStyle(folded: string): string | null {
  const match = /^(\(?)([A-Za-z]+)([).:]?)$/.exec(folded);
  if (!match) return null;
  const letters = match[2]!;
  const cased = letters === letters.toUpperCase() ? 'A' : letters === letters.toLowerCase() ? 'a' : 'Aa';
  return `${match[1]}${cased}${match[3]}`;
}

const SINGLE_ROMAN_LETTER = /^[IVXLCDM]$/i;

/**
 * Parses one label. `romanLetters` says how to read a lone I/V/X/L/C/D/M (default: as a Roman numeral).
 * Returns null for text that is not a label (it then sorts by its digits, if any, and its text).
 */
export function parseLabel(label: string, romanLetters = true): LabelKey | null {
  const text = fold(label);
  let match: RegExpExecArray | null;

  if ((match = new RegExp(`^第(${CN_NUMERAL}|\\d+)([编章节条款项目部分篇卷])`, 'u').exec(text))) {
    const n = /\d/.test(match[1]!) ? Number(match[1]) : parseChineseNumeral(match[1]!);
    return n === null ? null : { ordinal: [n], family: `第${match[2]}` };
  }
  if ((match = new RegExp(`^(\\()?(${CN_NUMERAL})(\\))?[、.:]?$`, 'u').exec(text))) {
    const n = parseChineseNumeral(match[2]!);
    return n === null ? null : { ordinal: [n], family: match[1] ? '(一)' : '一、' };
  }
  if ((match = /^(\()?(\d+(?:\.\d+)*)(\))?[、.:)]?$/u.exec(text))) {
    return { ordinal: match[2]!.split('.').map(Number), family: match[1] ? '(1)' : '1.' };
  }
  if ((match = /^(?:article|art\.|section|sec\.|§+|chapter|part|rule|paragraph|para\.)\s*(.+)$/iu.exec(text))) {
    const inner = parseLabel(match[1]!, romanLetters) ?? digitsKey(match[1]!);
    return (
      inner && {
        ordinal: inner.ordinal,
        family: `${text
          .slice(0, text.length - match[1]!.length)
          .trim()
          .toLowerCase()} ${inner.family}`,
      }
    );
  }
  const style = letterStyle(text);
  if (style) {
    const letters = /[A-Za-z]+/.exec(text)![0];
    const asRoman = SINGLE_ROMAN_LETTER.test(letters) ? romanLetters : letters.length > 1;
    const roman = asRoman ? parseRoman(letters) : null;
    if (roman !== null) return { ordinal: [roman], family: `roman ${style}` };
    return { ordinal: [letterOrdinal(letters)], family: `letter ${style}` };
  }
  return null;
}

/** A key from the numbers in a label that matches no scheme, e.g. "§ 165.T08" → [165, 8]. */
function digitsKey(text: string): LabelKey | null {
  const numbers = text.match(/\d+/g);
  return numbers ? { ordinal: numbers.map(Number), family: 'digits' } : null;
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

const collator = new Intl.Collator('zh-Hans-CN', { numeric: true });

function compareKeys(a: LabelKey | null, b: LabelKey | null, rawA: string, rawB: string): number {
  if (a && b) {
    return compareNumbers(a.ordinal, b.ordinal) || collator.compare(a.family, b.family) || collator.compare(rawA, rawB);
  }
  if (a) return -1;
  if (b) return 1;
  return collator.compare(rawA, rawB);
}

export type ClausePath = readonly string[];

/**
 * A comparator of clause paths for one document (or any set of paths read together): component by
 * component, numerically; a path sorts before the paths of its sub-clauses.
 */
export function clauseComparator(paths: Iterable<ClausePath>): (a: ClausePath, b: ClausePath) => number {
  const lettersAtDepth = new Map<string, boolean>();
  for (const path of paths) {
    path.forEach((label, depth) => {
      const folded = fold(label);
      const style = letterStyle(folded);
      if (!style) return;
      const key = `${depth}|${style.toLowerCase()}`;
      const letters = /[A-Za-z]+/.exec(folded)![0];
      const plainLetter = letters.length === 1 && !SINGLE_ROMAN_LETTER.test(letters);
      if (plainLetter) lettersAtDepth.set(key, true);
      else if (!lettersAtDepth.has(key)) lettersAtDepth.set(key, false);
    });
  }
  const cache = new Map<string, LabelKey | null>();
  const keyOf = (label: string, depth: number): LabelKey | null => {
    const cacheKey = `${depth}|${label}`;
    if (cache.has(cacheKey)) return cache.get(cacheKey)!;
    const style = letterStyle(fold(label));
    const readAsLetters = style ? lettersAtDepth.get(`${depth}|${style.toLowerCase()}`) === true : false;
    const key = parseLabel(label, !readAsLetters) ?? digitsKey(fold(label));
    cache.set(cacheKey, key);
    return key;
  };
  return (a, b) => {
    for (let depth = 0; depth < Math.min(a.length, b.length); depth++) {
      const order = compareKeys(keyOf(a[depth]!, depth), keyOf(b[depth]!, depth), a[depth]!, b[depth]!);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  };
}
