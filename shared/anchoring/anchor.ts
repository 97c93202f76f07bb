/**
 * anchor: selectors → a DOM Range, or an honest "orphan" / "ambiguous". A wrong anchor is worse than an orphan.
 *
 * 1. Fast path: the clause named by the label path still has the same text (hash), and the quote occurs there
 *    once with the same context: exact, without looking at the rest of the page.
 * 2. Otherwise gather candidates: exact occurrences anywhere (bigram index), approximate ones inside the clauses
 *    named by path or hash, and, unless an exact occurrence with its context was found, approximate ones
 *    anywhere (pigeonhole pieces looked up in the bigram index, verified by Myers). Every candidate within the
 *    edit budget is kept, not only the ones with the fewest edits.
 * 3. Score each: quote similarity, prefix and suffix similarity, clause agreement (path and text hash of the
 *    candidate's clause or its ancestors) and closeness to the old position. Below MIN_SCORE: orphan. When the
 *    runner-up at another place scores within MARGIN of the best: ambiguous.
 */
import { type Selector, selectorSchema } from '../model/annotation.ts';
import type { Clause } from './clauses.ts';
import { approxSearch, similarity } from './match.ts';
import { foldText } from './normalize.ts';
import type { PageIndex } from './page-index.ts';

export type AnchorStatus = 'exact' | 'fuzzy' | 'orphan' | 'ambiguous';

export interface AnchorResult {
  status: AnchorStatus;
  range: Range | null;
  /** Score of the chosen (or best) candidate, 0..1. */
  score?: number;
  /** Body unit range found (as TextPositionSelector). */
  start?: number;
  end?: number;
  /** The clause the range landed in. */
  clause?: Clause | null;
  /** Why an anchor was refused. */
  reason?: string;
}

const WEIGHTS = { quote: 50, prefix: 15, suffix: 15, clause: 30, position: 5 };
const TOTAL = WEIGHTS.quote + WEIGHTS.prefix + WEIGHTS.suffix + WEIGHTS.clause + WEIGHTS.position;
/** A candidate must score at least this much (0..1). */
export const MIN_SCORE = 0.6;
/** An exact quote of this many units or more is accepted down to LONG_QUOTE_MIN_SCORE. */
const LONG_QUOTE = 8;
const LONG_QUOTE_MIN_SCORE = 0.45;
/** Best and runner-up closer than this are ambiguous. */
export const MARGIN = 0.05;
/** At most this many exact occurrences are scored (a very common quote is decided by its clause and context). */
const MAX_EXACT = 5000;

/** Edits allowed for a quote of m units: none for very short quotes, a quarter of longer ones. */
export function editBudget(m: number): number {
  if (m < 5) return 0;
  return Math.min(Math.floor(m / 4), 512);
}

interface Query {
  quote: string;
  prefix: string;
  suffix: string;
  /** Old position in page units, if known. */
  position: number | null;
  path: string[] | null;
  hash: string | null;
}

interface Candidate {
  start: number;
  end: number;
  errors: number;
  score: number;
  clause: Clause | null;
}

/** Valid selectors of the kinds anchoring uses; malformed ones are ignored. */
function parseQuery(index: PageIndex, selectors: unknown): Query | { error: string } {
  if (!Array.isArray(selectors)) return { error: 'selectors must be an array' };
  const valid: Selector[] = [];
  for (const s of selectors) {
    const parsed = selectorSchema.safeParse(s);
    if (parsed.success) valid.push(parsed.data);
  }
  const quote = valid.find((s) => s.type === 'TextQuoteSelector');
  if (!quote || quote.type !== 'TextQuoteSelector') return { error: 'no valid TextQuoteSelector' };
  const q = foldText(quote.exact);
  if (!q) return { error: 'the quote holds no text' };
  const position = valid.find((s) => s.type === 'TextPositionSelector');
  const clause = valid.find((s) => s.type === 'ClauseSelector');
  return {
    quote: q,
    prefix: foldText(quote.prefix ?? ''),
    suffix: foldText(quote.suffix ?? ''),
    position: position && position.type === 'TextPositionSelector' ? position.start + index.bodyStart : null,
    path: clause && clause.type === 'ClauseSelector' ? clause.path : null,
    hash: clause && clause.type === 'ClauseSelector' ? clause.hash : null,
  };
}

export function anchorSelectors(index: PageIndex, selectors: unknown): AnchorResult {
  const query = parseQuery(index, selectors);
  if ('error' in query) return { status: 'orphan', range: null, reason: query.error };
  const fast = fastPath(index, query);
  if (fast) return fast;
  const candidates = gather(index, query);
  if (candidates.length === 0) return { status: 'orphan', range: null, reason: 'quote not found' };
  for (const c of candidates) c.score = score(index, query, c);
  candidates.sort((a, b) => b.score - a.score || a.errors - b.errors);
  const best = candidates[0]!;
  const minimum = best.errors === 0 && query.quote.length >= LONG_QUOTE ? LONG_QUOTE_MIN_SCORE : MIN_SCORE;
  if (best.score < minimum) {
    return { status: 'orphan', range: null, score: best.score, reason: 'no candidate scores high enough' };
  }
  const rival = candidates.find((c) => c !== best && (c.end <= best.start || c.start >= best.end));
  if (rival && best.score - rival.score < MARGIN) {
    return { status: 'ambiguous', range: null, score: best.score, reason: 'several places match about as well' };
  }
  return result(index, best, best.errors === 0 ? 'exact' : 'fuzzy');
}

function result(index: PageIndex, c: Candidate, status: AnchorStatus): AnchorResult {
  const range = index.text.rangeForUnits(c.start, c.end);
  if (!range) return { status: 'orphan', range: null, reason: 'the page has no text' };
  return {
    status,
    range,
    score: c.score,
    start: c.start - index.bodyStart,
    end: c.end - index.bodyStart,
    clause: c.clause ?? index.clauseAtUnit(c.start - index.bodyStart),
  };
}

/** The clause named by the path, when its text is unchanged and holds the quote once with its context. */
function fastPath(index: PageIndex, query: Query): AnchorResult | null {
  if (!query.path || !query.hash) return null;
  const clause = index.clausesByPath(query.path).find((c) => c.hash === query.hash);
  if (!clause) return null;
  const norm = index.text.norm;
  const from = clause.start + index.bodyStart;
  const to = clause.end + index.bodyStart;
  let found = -1;
  for (let i = norm.indexOf(query.quote, from); i >= 0 && i + query.quote.length <= to; i = norm.indexOf(query.quote, i + 1)) {
    if (!contextMatches(index, query, i, i + query.quote.length)) continue;
    if (found >= 0) return null; // twice in the clause with the same context: let scoring decide
    found = i;
  }
  if (found < 0) return null;
  return result(index, { start: found, end: found + query.quote.length, errors: 0, score: 1, clause }, 'exact');
}

function contextMatches(index: PageIndex, query: Query, start: number, end: number): boolean {
  const norm = index.text.norm;
  const lower = start >= index.bodyStart ? index.bodyStart : 0;
  const upper = end <= index.bodyEnd ? index.bodyEnd : norm.length;
  const before = norm.slice(Math.max(lower, start - query.prefix.length), start);
  const after = norm.slice(end, Math.min(upper, end + query.suffix.length));
  return before === query.prefix && after === query.suffix;
}

function gather(index: PageIndex, query: Query): Candidate[] {
  const norm = index.text.norm;
  const q = query.quote;
  const m = q.length;
  const k = editBudget(m);
  const found = new Map<string, Candidate>();
  const add = (start: number, end: number, errors: number) => {
    const key = `${start}:${end}`;
    const old = found.get(key);
    if (!old || old.errors > errors) found.set(key, { start, end, errors, score: 0, clause: null });
  };
  const bigrams = index.bigramIndex;
  for (const start of bigrams.occurrences(q, 0, norm.length, MAX_EXACT)) add(start, start + m, 0);
  if (k > 0) {
    // approximate matches inside the clauses the selectors name
    const regions: Clause[] = [];
    if (query.path) regions.push(...index.clausesByPath(query.path));
    if (query.hash) regions.push(...index.clausesByHash(query.hash));
    for (const c of regions) {
      const from = Math.max(0, c.start + index.bodyStart - k);
      const to = Math.min(norm.length, c.end + index.bodyStart + k);
      for (const hit of approxSearch(q, norm, from, to, k)) add(hit.start, hit.end, hit.errors);
    }
    const exactWithContext = [...found.values()].some(
      (c) => c.errors === 0 && contextMatches(index, query, c.start, c.end),
    );
    if (!exactWithContext) {
      for (const hit of approxAnywhere(index, q, k)) add(hit.start, hit.end, hit.errors);
    }
  }
  return dedupe([...found.values()]);
}

/**
 * Approximate occurrences anywhere, without scanning the page: split the quote into k + 1 pieces; any match with
 * at most k edits holds one piece unchanged (pigeonhole). Windows around the pieces' exact occurrences are merged
 * and searched with Myers.
 */
function approxAnywhere(index: PageIndex, q: string, k: number) {
  const norm = index.text.norm;
  const m = q.length;
  const pieces = k + 1;
  const size = Math.floor(m / pieces);
  const windows: [number, number][] = [];
  let covered = 0;
  const bigrams = index.bigramIndex;
  if (size >= 2) {
    for (let p = 0; p < pieces; p++) {
      const offset = p * size;
      const piece = q.slice(offset, p === pieces - 1 ? m : offset + size);
      for (const at of bigrams.occurrences(piece)) {
        const from = Math.max(0, at - offset - k);
        const to = Math.min(norm.length, at - offset + m + k);
        windows.push([from, to]);
        covered += to - from;
        if (covered > norm.length) break;
      }
      if (covered > norm.length) break;
    }
  }
  if (size < 2 || covered > norm.length) return approxSearch(q, norm, 0, norm.length, k);
  windows.sort((a, b) => a[0] - b[0]);
  const hits = [];
  let cur: [number, number] | null = null;
  for (const w of windows) {
    if (cur && w[0] <= cur[1]) cur[1] = Math.max(cur[1], w[1]);
    else {
      if (cur) hits.push(...approxSearch(q, norm, cur[0], cur[1], k));
      cur = [w[0], w[1]];
    }
  }
  if (cur) hits.push(...approxSearch(q, norm, cur[0], cur[1], k));
  return hits;
}

/** Overlapping candidates are one place: keep the one with fewer edits. */
function dedupe(candidates: Candidate[]): Candidate[] {
  candidates.sort((a, b) => a.start - b.start || a.errors - b.errors);
  const out: Candidate[] = [];
  for (const c of candidates) {
    const last = out[out.length - 1];
    if (last && c.start < last.end && overlapShare(last, c) > 0.5) {
      if (c.errors < last.errors) out[out.length - 1] = c;
      continue;
    }
    out.push(c);
  }
  return out;
}

function overlapShare(a: Candidate, b: Candidate): number {
  const overlap = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return overlap / Math.max(1, Math.min(a.end - a.start, b.end - b.start));
}

function score(index: PageIndex, query: Query, c: Candidate): number {
  const norm = index.text.norm;
  const m = query.quote.length;
  const quoteSim = Math.max(0, 1 - c.errors / m);
  const lower = c.start >= index.bodyStart ? index.bodyStart : 0;
  const upper = c.end <= index.bodyEnd ? index.bodyEnd : norm.length;
  const before = norm.slice(Math.max(lower, c.start - query.prefix.length), c.start);
  const after = norm.slice(c.end, Math.min(upper, c.end + query.suffix.length));
  const prefixSim = similarity(query.prefix, before);
  const suffixSim = similarity(query.suffix, after);
  c.clause = index.clauseAtUnit(c.start - index.bodyStart);
  const clauseSim = clauseAgreement(index, query, c.clause, c.end - index.bodyStart);
  let positionSim = 0.5;
  if (query.position !== null) {
    const scale = Math.max(200, (index.bodyEnd - index.bodyStart) * 0.1);
    positionSim = Math.max(0, 1 - Math.abs(c.start - query.position) / scale);
  }
  return (
    (WEIGHTS.quote * quoteSim +
      WEIGHTS.prefix * prefixSim +
      WEIGHTS.suffix * suffixSim +
      WEIGHTS.clause * clauseSim +
      WEIGHTS.position * positionSim) /
    TOTAL
  );
}

/**
 * How well the candidate's clause agrees with the stored one: the candidate's clause or an ancestor that holds
 * the whole candidate has the stored path and text hash (1), the hash only (renumbered: 0.9), the path only
 * (edited: 0.75). Without a stored clause every candidate gets the same neutral 0.5.
 */
function clauseAgreement(index: PageIndex, query: Query, clause: Clause | null, end: number): number {
  if (!query.path || !query.hash) return 0.5;
  const key = query.path.join('\u0001');
  let best = 0;
  for (let c = clause; c; c = c.parent >= 0 ? index.clauses[c.parent]! : null) {
    if (end > c.end) continue;
    const pathOk = c.path.join('\u0001') === key;
    const hashOk = c.hash === query.hash;
    const value = pathOk && hashOk ? 1 : hashOk ? 0.9 : pathOk ? 0.75 : 0;
    if (value > best) best = value;
  }
  return best;
}
