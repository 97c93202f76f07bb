/**
 * Text search over quotes, notes, tags and document titles, the part that needs no database: how text is
 * normalised, which index terms it yields, how a query becomes index lookups plus an exact check, and where a
 * query's terms sit in a text (to highlight them).
 *
 * Chinese has no spaces between words, so CJK text is indexed as overlapping character pairs (bigrams): a
 * query of two or more CJK characters is found through its own bigrams, and a single character through every
 * bigram that starts with it (plus the last character of each CJK run, indexed on its own). Latin letters and
 * digits form words, indexed whole and found by prefix ("safe" finds "safety"). The index only narrows the
 * candidates; every candidate is then checked against its text, so results are exact.
 *
 * Query semantics: the query is split on whitespace into terms; a record matches when every term occurs in its
 * quote, note, tags or document title (case- and width-insensitive), and a term that starts with a letter or digit
 * starts a word.
 */

/** Longest word kept in the index; longer words (and query words) are cut to this, which keeps prefixes exact. */
export const MAX_WORD_CHARS = 32;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u3007]/u;
const WORD = /[\p{L}\p{N}]/u;

type CharClass = 'cjk' | 'word' | 'other';

function classOf(char: string): CharClass {
  if (CJK.test(char)) return 'cjk';
  if (WORD.test(char)) return 'word';
  return 'other';
}

/** NFKC (full-width letters and digits fold), lower case, runs of whitespace to one space. */
export function normaliseForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * The searchable text of an annotation: its quote, note, tags and its document's title, one per line (a line
 * break is whitespace, and no term holds whitespace, so no match spans two of them).
 */
export function searchableText(record: {
  quote: string;
  note: string;
  tags?: readonly string[];
  title?: string;
}): string {
  const parts = [record.quote, record.note, (record.tags ?? []).join(' '), record.title ?? ''];
  return normaliseForSearch(parts.filter(Boolean).join('\n'));
}

type Run = { kind: 'cjk' | 'word'; text: string };

/** Splits normalised text into maximal runs of CJK characters and of word characters. */
function runsOf(text: string): Run[] {
  const runs: Run[] = [];
  let kind: CharClass = 'other';
  let current = '';
  for (const char of text) {
    const next = classOf(char);
    if (next !== kind) {
      if (kind !== 'other' && current) runs.push({ kind, text: current });
      kind = next;
      current = '';
    }
    if (next !== 'other') current += char;
  }
  if (kind !== 'other' && current) runs.push({ kind, text: current });
  return runs;
}

/** The index terms of already normalised text: CJK bigrams, each CJK run's last character, and words. */
export function indexTerms(normalised: string): Set<string> {
  const terms = new Set<string>();
  for (const run of runsOf(normalised)) {
    if (run.kind === 'word') {
      terms.add([...run.text].slice(0, MAX_WORD_CHARS).join(''));
      continue;
    }
    const chars = [...run.text];
    for (let i = 0; i + 1 < chars.length; i++) terms.add(chars[i]! + chars[i + 1]!);
    terms.add(chars[chars.length - 1]!);
  }
  return terms;
}

/** One index lookup: rows whose term equals `key`, or starts with it. */
export type Lookup = { kind: 'exact' | 'prefix'; key: string };

/**
 * A parsed query: the terms (normalised) every match must contain, and per term the lookups whose results
 * all contain that term's matches (so intersecting them narrows without losing any).
 */
export type QueryPlan = {
  terms: string[];
  lookups: Lookup[];
  /** True when the lookups alone decide (every term is one CJK character or pair, or one short word). */
  exact: boolean;
};

export function planQuery(query: string): QueryPlan {
  const terms = [...new Set(normaliseForSearch(query).split(' ').filter(Boolean))];
  const lookups = new Map<string, Lookup>();
  const add = (lookup: Lookup) => lookups.set(`${lookup.kind}:${lookup.key}`, lookup);
  let exact = true;
  for (const term of terms) {
    const runs = runsOf(term);
    const only = runs.length === 1 && runs[0]!.text === term ? runs[0]! : null;
    const length = only ? [...only.text].length : 0;
    if (!only || (only.kind === 'cjk' ? length > 2 : length > MAX_WORD_CHARS)) exact = false;
    for (const run of runs) {
      const chars = [...run.text];
      if (run.kind === 'word') {
        add({ kind: 'prefix', key: chars.slice(0, MAX_WORD_CHARS).join('') });
      } else if (chars.length === 1) {
        add({ kind: 'prefix', key: chars[0]! });
      } else {
        for (const i of bigramStarts(chars.length)) add({ kind: 'exact', key: chars[i]! + chars[i + 1]! });
      }
    }
  }
  return { terms, lookups: [...lookups.values()], exact };
}

/** Longer CJK runs are looked up through at most this many of their bigrams (the text check does the rest). */
const MAX_BIGRAM_LOOKUPS = 4;

/**
 * Where to take the bigrams a CJK run of `length` characters is looked up by: a non-overlapping cover of the
 * run (positions 0, 2, 4… and the last one), then at most MAX_BIGRAM_LOOKUPS of those spread over the run. Any subset of a run's bigrams still finds every record that
 * contains the run; fewer lookups mean fewer reads, and the check against the text keeps results exact.
 */
function bigramStarts(length: number): number[] {
  const cover: number[] = [];
  for (let i = 0; i + 1 < length; i += 2) cover.push(i);
  if (cover.at(-1) !== length - 2) cover.push(length - 2);
  if (cover.length <= MAX_BIGRAM_LOOKUPS) return cover;
  const step = (cover.length - 1) / (MAX_BIGRAM_LOOKUPS - 1);
  return [...new Set(Array.from({ length: MAX_BIGRAM_LOOKUPS }, (_, k) => cover[Math.round(k * step)]!))];
}

/** Whether normalised `text` contains `term`, a term starting with a letter or digit only at a word start. */
export function containsTerm(text: string, term: string): boolean {
  return termPositions(text, term, 1).length > 0;
}

/** Where `term` occurs in normalised `text` (by the rule of containsTerm), at most `max` positions. */
function termPositions(text: string, term: string, max = Number.POSITIVE_INFINITY): number[] {
  if (!term) return [];
  const mustStartWord = classOf(String.fromCodePoint(term.codePointAt(0)!)) === 'word';
  const found: number[] = [];
  for (let at = text.indexOf(term); at >= 0 && found.length < max; at = text.indexOf(term, at + 1)) {
    if (!mustStartWord || at === 0 || classOf(String.fromCodePoint(codePointBefore(text, at))) !== 'word') {
      found.push(at);
    }
  }
  return found;
}

function codePointBefore(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(index - 2)!;
  }
  return low;
}

export function matchesPlan(normalisedText: string, plan: QueryPlan): boolean {
  return plan.terms.every((term) => containsTerm(normalisedText, term));
}

/** A piece of a text, marked when it is (part of) a match of a query term. */
export type TextPiece = { text: string; hit: boolean };

/**
 * Splits `text` (as written, not normalised) into pieces, marking where the normalised query `terms` occur, by
 * the same rules as the search (width- and case-folded, words from their start). Each character is folded on
 * its own so that every position of the normalised text maps back to one of the original.
 */
export function markTerms(text: string, terms: readonly string[]): TextPiece[] {
  let folded = '';
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const fold = /\s/u.test(char) ? (folded.endsWith(' ') ? '' : ' ') : char.normalize('NFKC').toLowerCase();
    for (let i = 0; i < fold.length; i++) origin.push(offset);
    folded += fold;
    offset += char.length;
  }
  origin.push(text.length);
  const marked = new Uint8Array(text.length);
  for (const term of terms) {
    for (const at of termPositions(folded, term)) {
      const start = origin[at]!;
      const end = origin[Math.min(at + term.length, origin.length - 1)]!;
      marked.fill(1, start, Math.max(end, start + 1));
    }
  }
  const pieces: TextPiece[] = [];
  for (let i = 0; i < text.length; ) {
    let j = i;
    while (j < text.length && marked[j] === marked[i]) j++;
    pieces.push({ text: text.slice(i, j), hit: marked[i] === 1 });
    i = j;
  }
  return pieces;
}

/**
 * The part of `text` around its first match (`radius` characters either side, cut with "…"), marked as by
 * markTerms; the whole text when it is short, and its start when nothing matches.
 */
export function snippet(text: string, terms: readonly string[], radius = 60): TextPiece[] {
  const pieces = markTerms(text, terms);
  if (text.length <= radius * 2) return pieces;
  let at = 0;
  let hit: { from: number; to: number } = { from: 0, to: 0 };
  for (const piece of pieces) {
    if (piece.hit) {
      hit = { from: at, to: at + piece.text.length };
      break;
    }
    at += piece.text.length;
  }
  const start = Math.max(0, hit.from - radius);
  const end = Math.min(text.length, Math.max(hit.to + radius, start + radius * 2));
  const cut: TextPiece[] = [];
  let position = 0;
  for (const piece of pieces) {
    const from = Math.max(start, position);
    const to = Math.min(end, position + piece.text.length);
    if (from < to) cut.push({ text: piece.text.slice(from - position, to - position), hit: piece.hit });
    position += piece.text.length;
  }
  if (start > 0) cut.unshift({ text: '…', hit: false });
  if (end < text.length) cut.push({ text: '…', hit: false });
  return cut;
}
