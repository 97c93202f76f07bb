/**
 * The comparison form of text. Every comparison in anchoring (quotes, contexts, clause hashes, positions) is made
 * on this form, so the same clause compares equal whether the page uses full-width or half-width punctuation,
 * U+3000 or ASCII spaces, "—" or "-", ㈠ or (一), and whether a line break sits mid-sentence.
 *
 * Rules, applied one code point at a time (so a page and a quote fold identically, whatever their boundaries):
 * - whitespace and invisible format characters are dropped (Chinese text has no word spaces, and republished
 *   notices gain and lose spaces, U+3000 indents and line breaks);
 * - NFKC (full-width ASCII → ASCII, ㈠ → (一), ① → 1, U+3000 → space);
 * - dashes and minus signs → "-", curly and corner quotes → straight quotes;
 * - a code point outside the BMP becomes one BMP unit (see `astralUnit`), so every comparison unit is one code
 *   point and positions and edit distances count code points, not UTF-16 units.
 */

const DASHES = new Set([
  0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63, 0xff0d, 0x2e3a, 0x2e3b, 0x30fc,
]);
const DOUBLE_QUOTES = new Set([0x201c, 0x201d, 0x201e, 0x201f, 0x301d, 0x301e, 0x301f, 0xff02]);
const SINGLE_QUOTES = new Set([0x2018, 0x2019, 0x201a, 0x201b, 0xff07]);
/** Format characters that render as nothing: zero-width spaces/joiners, word joiner, BOM, soft hyphen. */
const INVISIBLE = new Set([0x00ad, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x180e]);

export function isSpaceCode(cp: number): boolean {
  return (
    cp === 0x20 ||
    (cp >= 0x09 && cp <= 0x0d) ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Folded form of one BMP code point: '' (dropped), or 1+ UTF-16 units, each a BMP code point. */
function foldBmp(cp: number): string {
  if (isSpaceCode(cp) || INVISIBLE.has(cp)) return '';
  // a lone surrogate (malformed text) compares as U+FFFD, whichever way the folded text is built
  if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd';
  let s = String.fromCharCode(cp);
  s = s.normalize('NFKC');
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isSpaceCode(c) || INVISIBLE.has(c)) continue;
    if (DASHES.has(c)) out += '-';
    else if (DOUBLE_QUOTES.has(c)) out += '"';
    else if (SINGLE_QUOTES.has(c)) out += "'";
    else if (c > 0xffff) out += String.fromCharCode(astralUnit(c));
    else out += ch;
  }
  return out;
}

// Per BMP code point: -1 = not yet computed, -2 = dropped, -3 = expands to several units (see EXPANSIONS),
// otherwise the single folded unit. Filled lazily; pages use a few thousand distinct characters.
const SINGLE = new Int32Array(0x10000).fill(-1);
const EXPANSIONS = new Map<number, string>();

function foldCode(cp: number): number {
  let v = SINGLE[cp]!;
  if (v !== -1) return v;
  const f = foldBmp(cp);
  if (f.length === 0) v = -2;
  else if (f.length === 1) v = f.charCodeAt(0);
  else {
    v = -3;
    EXPANSIONS.set(cp, f);
  }
  SINGLE[cp] = v;
  return v;
}

// Astral code points (rare CJK extension characters, emoji) each get one private-use unit, assigned in order of
// first sight. Private-use characters met in the text go through the same table, so the mapping stays one-to-one
// for up to 6,400 distinct such characters per session; beyond that, units are shared (a hash), which can only
// make two rare characters compare equal, never lose text.
const PUA_START = 0xe000;
const PUA_SIZE = 0x1900;
const astralUnits = new Map<number, number>();

function astralUnit(cp: number): number {
  let unit = astralUnits.get(cp);
  if (unit === undefined) {
    unit = astralUnits.size < PUA_SIZE ? PUA_START + astralUnits.size : PUA_START + (cp % PUA_SIZE);
    astralUnits.set(cp, unit);
  }
  return unit;
}

// Private-use BMP characters found in text are themselves routed through the astral table (see above).
for (let cp = PUA_START; cp < PUA_START + PUA_SIZE; cp++) SINGLE[cp] = -4;

/** Folds `raw` into its comparison form. */
export function foldText(raw: string): string {
  return raw.length < SHORT ? foldShort(raw) : fold(raw, false).text;
}

/** Below this length, folding builds a plain string (typed arrays cost more to allocate than they save). */
const SHORT = 256;

function foldShort(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let cp = raw.charCodeAt(i);
    if (cp < 0x80) {
      if (cp <= 0x20 && (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d))) continue;
      out += raw[i];
      continue;
    }
    if (cp >= 0x4e00 && cp <= 0x9fff) {
      out += raw[i];
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < raw.length && (raw.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      cp = (cp - 0xd800) * 0x400 + (raw.charCodeAt(i + 1) - 0xdc00) + 0x10000;
      i++;
      out += String.fromCharCode(astralUnit(cp));
      continue;
    }
    let v = SINGLE[cp]!;
    if (v === -1) v = foldCode(cp);
    if (v >= 0) out += String.fromCharCode(v);
    else if (v === -3) out += EXPANSIONS.get(cp)!;
    else if (v === -4) out += String.fromCharCode(astralUnit(cp));
  }
  return out;
}

/**
 * Folds `raw` and maps every unit of the result to the index in `raw` of the code point that produced it, so a
 * match in folded text can be mapped back to the raw text.
 */
export function foldWithMap(raw: string): { text: string; map: Int32Array } {
  const { text, map } = fold(raw, true);
  return { text, map: map! };
}

function fold(raw: string, withMap: boolean): { text: string; map: Int32Array | null } {
  const n = raw.length;
  // Hot loop: every variable is local (no closures over mutable state), arrays grow rarely (expansions). The
  // output units only feed the string, so their buffer is reused across calls (fewer large allocations, which
  // in a busy page mean fewer full garbage collections).
  if (scratch.length < n + 16) scratch = new Uint16Array(n + 16 + (n >> 3));
  let out: Uint16Array = scratch;
  let map: Int32Array | null = withMap ? new Int32Array(n + 16) : null;
  let o = 0;
  for (let i = 0; i < n; i++) {
    let cp = raw.charCodeAt(i);
    const start = i;
    let v: number;
    if (cp < 0x80) {
      // ASCII: whitespace and controls fold to nothing except the controls kept as they are
      if (cp <= 0x20 && (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d))) continue;
      v = cp;
    } else if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n && (raw.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      cp = (cp - 0xd800) * 0x400 + (raw.charCodeAt(i + 1) - 0xdc00) + 0x10000;
      i++;
      v = astralUnit(cp);
    } else if (cp >= 0x4e00 && cp <= 0x9fff) {
      v = cp; // CJK unified ideographs fold to themselves (the bulk of Chinese text)
    } else {
      v = SINGLE[cp]!;
      if (v === -1) v = foldCode(cp);
      if (v === -2) continue;
      if (v === -4) v = astralUnit(cp);
      else if (v === -3) {
        const expansion = EXPANSIONS.get(cp)!;
        if (o + expansion.length >= out.length) [out, map] = grow(out, map);
        for (let k = 0; k < expansion.length; k++) {
          out[o] = expansion.charCodeAt(k);
          if (map) map[o] = start;
          o++;
        }
        continue;
      }
    }
    if (o >= out.length) [out, map] = grow(out, map);
    out[o] = v;
    if (map) map[o] = start;
    o++;
  }
  return { text: unitsToString(out, o), map: map ? map.subarray(0, o) : null };
}

let scratch = new Uint16Array(1024);

function grow(out: Uint16Array, map: Int32Array | null): [Uint16Array, Int32Array | null] {
  const bigger = new Uint16Array(out.length * 2 + 64);
  bigger.set(out);
  if (out === scratch) scratch = bigger;
  let biggerMap: Int32Array | null = null;
  if (map) {
    biggerMap = new Int32Array(bigger.length);
    biggerMap.set(map);
  }
  return [bigger, biggerMap];
}

const utf16 = typeof TextDecoder === 'function' ? safeDecoder() : null;

// typed by what is used: the DOM-free projects (shared, server) read this file without the DOM's types
function safeDecoder(): { decode(units: Uint16Array): string } | null {
  try {
    return new TextDecoder('utf-16le');
  } catch {
    return null;
  }
}

function unitsToString(units: Uint16Array, length: number): string {
  // the native decoder is much faster on long text (folded text holds no lone surrogates, see foldBmp)
  if (utf16 && length > 256) return utf16.decode(units.subarray(0, length));
  const parts: string[] = [];
  for (let i = 0; i < length; i += 8192) {
    parts.push(String.fromCharCode.apply(null, units.subarray(i, Math.min(length, i + 8192)) as unknown as number[]));
  }
  return parts.join('');
}

/** Comparison form of a short string (quotes, prefixes, labels). */
export function normalizeText(text: string): string {
  return foldText(text);
}

/**
 * Marks a line break the page text model inserts between blocks and at `<br>` (it has no DOM node). A paragraph
 * separator is used because it is whitespace (so folding drops it) and never occurs in real markup text.
 */
export const BREAK = '\u2029';

/**
 * Readable text: a whitespace run becomes a newline when it holds a line break (BREAK), else one space; ends are
 * trimmed. Folding the result gives the same units as folding the input.
 */
export function readableText(raw: string): string {
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible character is removed on its own, joiners included
  return raw.replace(/[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+/g, (ws) => (ws.includes(BREAK) ? '\n' : ' ')).trim();
}
