/**
 * Approximate matching: Myers' bit-parallel edit-distance algorithm (1999), in blocks of 32 pattern units, to find
 * every place where a pattern occurs with at most k edits, and a small Levenshtein for context comparisons.
 * Own implementation of the published algorithm, kept by hand because the anchorer searches only the windows the
 * bigram index proposes and needs every candidate within the edit budget there; matching libraries scan whole texts.
 */

export interface ApproxMatch {
  start: number;
  end: number;
  errors: number;
}

class PatternMasks {
  readonly blocks: number;
  /** For each pattern unit value: the match masks, one int per block. */
  private readonly masks = new Map<number, Int32Array>();
  private readonly empty: Int32Array;

  constructor(readonly pattern: string) {
    this.blocks = Math.max(1, Math.ceil(pattern.length / 32));
    this.empty = new Int32Array(this.blocks);
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      let m = this.masks.get(c);
      if (!m) {
        m = new Int32Array(this.blocks);
        this.masks.set(c, m);
      }
      m[i >> 5]! |= 1 << (i & 31);
    }
  }

  get(c: number): Int32Array {
    return this.masks.get(c) ?? this.empty;
  }
}

/**
 * Runs Myers' column recurrence over text[from, to) (backwards from `to - 1` with `reverse`) and calls `visit`
 * with each step and the edit distance at that column: the distance between the pattern and the best substring
 * ending there (semi-global search), or, with `anchored`, between the pattern and the text from the first column
 * read (the match starts there). `visit` returning false stops the run.
 */
function run(
  masks: PatternMasks,
  text: string,
  from: number,
  to: number,
  anchored: boolean,
  reverse: boolean,
  visit: (step: number, score: number) => boolean,
): void {
  const m = masks.pattern.length;
  const blocks = masks.blocks;
  const P = new Int32Array(blocks).fill(-1);
  const M = new Int32Array(blocks);
  const lastBit = 1 << ((m - 1) & 31);
  const n = Math.max(0, to - from);
  let score = m;
  for (let step = 0; step < n; step++) {
    const j = reverse ? to - 1 - step : from + step;
    const eqs = masks.get(text.charCodeAt(j));
    // carry into the first block: 0 for a search (a match may start anywhere), +1 when anchored
    let hin = anchored ? 1 : 0;
    for (let b = 0; b < blocks; b++) {
      let eq = eqs[b]!;
      const pv = P[b]!;
      const mv = M[b]!;
      const xv = eq | mv;
      if (hin < 0) eq |= 1;
      const xh = ((((eq & pv) + pv) | 0) ^ pv) | eq;
      let ph = mv | ~(xh | pv);
      let mh = pv & xh;
      const high = b === blocks - 1 ? lastBit : 0x80000000 | 0;
      let hout = 0;
      if (ph & high) hout = 1;
      else if (mh & high) hout = -1;
      ph <<= 1;
      mh <<= 1;
      if (hin < 0) mh |= 1;
      else if (hin > 0) ph |= 1;
      P[b] = mh | ~(xv | ph);
      M[b] = ph & xv;
      hin = hout;
    }
    score += hin;
    if (!visit(step, score)) return;
  }
}

/** A pattern prepared once for any number of approximate searches. */
export class Pattern {
  private readonly masks: PatternMasks;
  private readonly reversed: PatternMasks;

  constructor(readonly text: string) {
    this.masks = new PatternMasks(text);
    this.reversed = new PatternMasks(reverseString(text));
  }

  /**
   * Every occurrence in text[from, to) with at most `maxErrors` edits: for each run of qualifying end positions,
   * the best one, with the start that gives it.
   */
  search(text: string, from: number, to: number, maxErrors: number): ApproxMatch[] {
    const m = this.text.length;
    const out: ApproxMatch[] = [];
    if (m === 0 || to <= from) return out;
    let runBest = -1;
    let runScore = 0;
    const close = () => {
      const end = from + runBest + 1;
      out.push({ start: this.startOf(text, Math.max(from, end - m - runScore), end, runScore), end, errors: runScore });
      runBest = -1;
    };
    run(this.masks, text, from, to, false, false, (step, score) => {
      if (score <= maxErrors) {
        if (runBest < 0 || score < runScore) {
          runBest = step;
          runScore = score;
        }
      } else if (runBest >= 0) close();
      return true;
    });
    if (runBest >= 0) close();
    return out;
  }

  /** Start of the best alignment of the pattern ending exactly at `end` with `errors` edits. */
  private startOf(text: string, from: number, end: number, errors: number): number {
    let best = -1;
    let bestScore = Infinity;
    run(this.reversed, text, from, end, true, true, (step, score) => {
      if (score <= errors && score < bestScore) {
        best = step;
        bestScore = score;
      }
      return true;
    });
    return best < 0 ? from : end - best - 1;
  }
}

/** Every occurrence of `pattern` in text[from, to) with at most `maxErrors` edits (see Pattern.search). */
export function approxSearch(
  pattern: string,
  text: string,
  from: number,
  to: number,
  maxErrors: number,
): ApproxMatch[] {
  return new Pattern(pattern).search(text, from, to, maxErrors);
}

function reverseString(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Similarity in [0, 1] of two strings: 1 - distance / longer length (1 for two empty strings). */
export function similarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return 1;
  return 1 - editDistance(a, b) / longer;
}

// Scratch rows for the context DP, reused across calls (contexts are short; anchoring is single-threaded).
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Similarity of a stored context to the text beside a candidate, aligned at the candidate's side and free at the
 * far side: `stored` against the best prefix of `actual` (for a suffix), so an insertion near the quote shifts the
 * context without being paid for twice. With `fromEnd`, both are read backwards (for a prefix).
 */
export function contextSimilarity(stored: string, actual: string, fromEnd: boolean): number {
  const m = stored.length;
  const n = actual.length;
  if (m === 0) return 1;
  if (rowA.length < n + 1) {
    rowA = new Int32Array(n + 1);
    rowB = new Int32Array(n + 1);
  }
  let prev = rowA;
  let cur = rowB;
  // rows: stored; columns: actual; D[0][j] = j (anchored at the candidate); answer: min over j of D[m][j]
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    const ca = stored.charCodeAt(fromEnd ? m - i : i - 1);
    for (let j = 1; j <= n; j++) {
      const cost = ca === actual.charCodeAt(fromEnd ? n - j : j - 1) ? 0 : 1;
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      const sub = prev[j - 1]! + cost;
      cur[j] = del < ins ? Math.min(del, sub) : Math.min(ins, sub);
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  let best = m;
  for (let j = 0; j <= n; j++) if (prev[j]! < best) best = prev[j]!;
  return 1 - best / m;
}
