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
 *    candidate's clause or its ancestors; a clause matching by hash only is the annotated clause renumbered,
 *    unless the clause at the stored path still holds a credible match: then it is a duplicate of its wording)
 *    and closeness to the old position. Below MIN_SCORE: orphan. When the
 *    runner-up at another place scores within MARGIN of the best: ambiguous.
 */
import { LIMITS, type Selector, selectorSchema } from '../model/annotation.ts';
import type { Clause } from './clauses.ts';
import { type ApproxMatch, contextSimilarity, Pattern } from './match.ts';
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
  /** The clauses path and hash name on this page (found on first need). */
  regions?: Clause[];
  /** The path clause still holds a credible match (see assessPath). */
  pathCredible?: boolean;
}

interface Candidate {
  start: number;
  end: number;
  errors: number;
  score: number;
  clause: Clause | null;
  /** Mean similarity of prefix and suffix (set by scoring). */
  context?: number;
  scored?: boolean;
}

/** Valid selectors of the kinds anchoring uses; malformed ones are ignored. */
function parseQuery(index: PageIndex, selectors: unknown): Query | { error: string } {
  if (!Array.isArray(selectors)) return { error: 'selectors must be an array' };
  const valid: Selector[] = [];
  for (const s of selectors) {
    if (plainlyValid(s)) {
      valid.push(s);
      continue;
    }
    const parsed = selectorSchema.safeParse(s);
    if (parsed.success) valid.push(parsed.data);
  }
  const quote = valid.find((s) => s.type === 'TextQuoteSelector');
  if (quote?.type !== 'TextQuoteSelector') return { error: 'no valid TextQuoteSelector' };
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

/** Where selectors anchor, in page units, without building a DOM Range. */
export interface Location {
  status: AnchorStatus;
  /** Page unit range found (absent for orphan / ambiguous). */
  start?: number;
  end?: number;
  score?: number;
  clause?: Clause | null;
  reason?: string;
}

const isString = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The common case checked by hand, strictly within the shared schema (anything accepted here the schema accepts
 * too): validating a thousand selectors with the schema alone costs more than anchoring them. Everything else
 * goes through the schema.
 */
function plainlyValid(s: unknown): s is Selector {
  if (!s || typeof s !== 'object') return false;
  const o = s as Record<string, unknown>;
  switch (o.type) {
    case 'TextQuoteSelector':
      return (
        isString(o.exact, 1, LIMITS.quoteChars) &&
        (o.prefix === undefined || isString(o.prefix, 0, 512)) &&
        (o.suffix === undefined || isString(o.suffix, 0, 512))
      );
    case 'TextPositionSelector':
      return isOffset(o.start) && isOffset(o.end) && (o.end as number) >= (o.start as number);
    case 'ClauseSelector':
      return (
        Array.isArray(o.path) &&
        o.path.length <= LIMITS.clausePathDepth &&
        o.path.every((l) => isString(l, 1, LIMITS.labelChars)) &&
        isString(o.hash, 1, 128)
      );
    default:
      return false;
  }
}

export function anchorSelectors(index: PageIndex, selectors: unknown): AnchorResult {
  return toResult(index, locate(index, selectors));
}

/** A Location as the public result: body-relative units and a live DOM Range. */
export function toResult(index: PageIndex, loc: Location): AnchorResult {
  if (loc.start === undefined || loc.end === undefined) {
    return { status: loc.status, range: null, score: loc.score, reason: loc.reason };
  }
  const range = index.text.rangeForUnits(loc.start, loc.end);
  if (!range) return { status: 'orphan', range: null, reason: 'the page has no text' };
  return {
    status: loc.status,
    range,
    score: loc.score,
    start: loc.start - index.bodyStart,
    end: loc.end - index.bodyStart,
    clause: loc.clause ?? index.clauseAtUnit(loc.start - index.bodyStart),
  };
}

/** Finds selectors on the page: page units of the best candidate, or why none is accepted. */
export function locate(index: PageIndex, selectors: unknown): Location {
  const query = parseQuery(index, selectors);
  if ('error' in query) return { status: 'orphan', reason: query.error };
  const fast = fastPath(index, query);
  if (fast) return fast;
  let found = gather(index, query);
  if (found.length === 0) return { status: 'orphan', reason: 'quote not found' };
  found = scoreCandidates(index, query, found);
  const numbers = checkNumbers(index, query, found);
  if ('orphan' in numbers) return { status: 'orphan', reason: numbers.orphan };
  const candidates = numbers.candidates;
  candidates.sort((a, b) => b.score - a.score || a.errors - b.errors);
  const best = candidates[0]!;
  const minimum = best.errors === 0 && query.quote.length >= LONG_QUOTE ? LONG_QUOTE_MIN_SCORE : MIN_SCORE;
  if (best.score < minimum) {
    return { status: 'orphan', score: best.score, reason: 'no candidate scores high enough' };
  }
  const rival = candidates.find((c) => c !== best && (c.end <= best.start || c.start >= best.end));
  if (rival && best.score - rival.score < MARGIN) {
    return { status: 'ambiguous', score: best.score, reason: 'several places match about as well' };
  }
  return {
    status: best.errors === 0 ? 'exact' : 'fuzzy',
    start: best.start,
    end: best.end,
    score: best.score,
    clause: best.clause,
  };
}

/** The clause named by the path, when its text is unchanged and holds the quote once with its context. */
function fastPath(index: PageIndex, query: Query): Location | null {
  if (!query.path || !query.hash) return null;
  const clause = index.clausesByPath(query.path).find((c) => c.hash === query.hash);
  if (!clause) return null;
  const from = clause.start + index.bodyStart;
  // search the clause's own slice: indexOf on the whole text would run on to the page end when absent
  const region = index.text.norm.slice(from, clause.end + index.bodyStart);
  let found = -1;
  for (let i = region.indexOf(query.quote); i >= 0; i = region.indexOf(query.quote, i + 1)) {
    if (!contextMatches(index, query, from + i, from + i + query.quote.length)) continue;
    if (found >= 0) return null; // twice in the clause with the same context: let scoring decide
    found = from + i;
  }
  if (found < 0) return null;
  return { status: 'exact', start: found, end: found + query.quote.length, score: 1, clause };
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
  for (const start of index.bigramIndex.occurrences(q, 0, norm.length, MAX_EXACT)) add(start, start + m, 0);
  if (k === 0) return dedupe([...found.values()]);
  const pattern = new Pattern(q);
  // approximate matches inside the clauses the selectors name
  const regions = namedClauses(index, query);
  for (const c of regions) {
    const from = Math.max(0, c.start + index.bodyStart - k);
    const to = Math.min(norm.length, c.end + index.bodyStart + k);
    for (const hit of pattern.search(norm, from, to, k)) add(hit.start, hit.end, hit.errors);
  }
  const sofar = [...found.values()];
  assessPath(index, query, sofar);
  const settled =
    sofar.some((c) => c.errors === 0 && contextMatches(index, query, c.start, c.end)) ||
    sofar.some((c) => insideClauses(index, regions, c) && conclusive(index, query, c));
  if (!settled) for (const hit of approxAnywhere(index, pattern, k)) add(hit.start, hit.end, hit.errors);
  return dedupe([...found.values()]);
}

/**
 * Scores candidates, those inside the clauses the selectors name first: when one of them is conclusive (no
 * outsider could come within the margin, see `conclusive`), the outsiders are dropped unscored. A common quote
 * with hundreds of occurrences then costs its clause, not the page.
 */
function scoreCandidates(index: PageIndex, query: Query, found: Candidate[]): Candidate[] {
  assessPath(index, query, found);
  const regions = namedClauses(index, query);
  const near = found.filter((c) => insideClauses(index, regions, c));
  for (const c of near) score(index, query, c);
  if (near.length > 0 && near.some((c) => conclusive(index, query, c))) return near;
  for (const c of found) score(index, query, c);
  return found;
}

/**
 * Whether the clause at the stored label path still holds a credible match (quote within budget, its own
 * numbers, credible context). If so, another clause whose text hashes like the annotated clause did is a
 * duplicate clause (two articles with the same wording), not the annotated clause renumbered: its hash-only
 * agreement then counts little. Decided before any candidate outside the path clause is scored.
 */
function assessPath(index: PageIndex, query: Query, candidates: Candidate[]): void {
  if (query.pathCredible !== undefined) return;
  query.pathCredible = false;
  if (!query.path) return;
  const pathClauses = index.clausesByPath(query.path);
  const wanted = quoteNumbers(query);
  for (const c of candidates) {
    if (!insideClauses(index, pathClauses, c)) continue;
    score(index, query, c);
    const numbersOk =
      wanted.length === 0 || sameTokens(numberTokens(wholeNumbers(index.text.norm, c.start, c.end)), wanted);
    if (numbersOk && (c.context ?? 0) >= PATH_CREDIBLE) {
      query.pathCredible = true;
      return;
    }
  }
}

/** Context similarity that makes a match in the path clause credible enough to discount duplicates elsewhere. */
const PATH_CREDIBLE = 0.8;
/** Clause agreement of a clause that matches by text hash only: renumbered (the path clause has no match) … */
const HASH_ONLY = 0.9;
/** … or a duplicate of the annotated clause's wording (the path clause still holds a credible match). */
const HASH_ONLY_DUPLICATE = 0.25;

/** The clauses the selectors name: by label path, and by text hash (a renumbered clause). */
function namedClauses(index: PageIndex, query: Query): Clause[] {
  if (query.regions) return query.regions;
  const regions: Clause[] = [];
  if (query.path) regions.push(...index.clausesByPath(query.path));
  if (query.hash) regions.push(...index.clausesByHash(query.hash));
  query.regions = regions;
  return regions;
}

function insideClauses(index: PageIndex, regions: Clause[], c: Candidate): boolean {
  return regions.some((r) => c.start >= r.start + index.bodyStart && c.end <= r.end + index.bodyStart);
}

/** Best score a candidate outside the clauses named by path or hash can reach (no clause agreement). */
const OUTSIDE_BEST = (WEIGHTS.quote + WEIGHTS.prefix + WEIGHTS.suffix + WEIGHTS.position) / TOTAL;

/**
 * A candidate inside the named clauses that no candidate elsewhere could rival: it outscores the best possible
 * outsider by the ambiguity margin, and carries the quote's own numbers (so the numbers rule cannot drop it in
 * favour of an outsider). Then the rest of the page need not be searched.
 */
function conclusive(index: PageIndex, query: Query, c: Candidate): boolean {
  if (score(index, query, c) < OUTSIDE_BEST + MARGIN) return false;
  const wanted = quoteNumbers(query);
  return wanted.length === 0 || sameTokens(numberTokens(wholeNumbers(index.text.norm, c.start, c.end)), wanted);
}

/** Above this share of the page, windows around piece occurrences cost more than one scan of the page. */
const WINDOW_SHARE = 0.25;

/**
 * Approximate occurrences anywhere, without scanning the page: split the quote into k + 1 pieces; any match with
 * at most k edits holds one piece unchanged (pigeonhole). Windows around the pieces' exact occurrences are merged
 * and searched with Myers; when the pieces are so common that the windows would cover much of the page, one
 * scan of the page is cheaper.
 */
function approxAnywhere(index: PageIndex, pattern: Pattern, k: number): ApproxMatch[] {
  const norm = index.text.norm;
  const q = pattern.text;
  const m = q.length;
  const pieces = k + 1;
  const size = Math.floor(m / pieces);
  const budget = norm.length * WINDOW_SHARE;
  const windows: [number, number][] = [];
  let covered = 0;
  const bigrams = index.bigramIndex;
  if (size >= 2) {
    for (let p = 0; p < pieces && covered <= budget; p++) {
      const offset = p * size;
      const piece = q.slice(offset, p === pieces - 1 ? m : offset + size);
      if (bigrams.cost(piece) * (m + 2 * k) > budget) {
        covered = budget + 1;
        break;
      }
      for (const at of bigrams.occurrences(piece)) {
        const from = Math.max(0, at - offset - k);
        const to = Math.min(norm.length, at - offset + m + k);
        windows.push([from, to]);
        covered += to - from;
      }
    }
  }
  if (size < 2 || covered > budget) return pattern.search(norm, 0, norm.length, k);
  windows.sort((a, b) => a[0] - b[0]);
  const hits: ApproxMatch[] = [];
  let cur: [number, number] | null = null;
  for (const w of windows) {
    if (cur && w[0] <= cur[1]) cur[1] = Math.max(cur[1], w[1]);
    else {
      if (cur) hits.push(...pattern.search(norm, cur[0], cur[1], k));
      cur = [w[0], w[1]];
    }
  }
  if (cur) hits.push(...pattern.search(norm, cur[0], cur[1], k));
  return hits;
}

/** Extra units read beside a candidate when comparing contexts (edits near the quote shift the context). */
const CONTEXT_SLACK = 8;

/** Context at least this similar (0..1) makes a candidate with the quote's own numbers a credible match. */
const CONTEXT_CREDIBLE = 0.6;

/**
 * Numbers identify near-duplicate clauses ("第5项任务第3条"): a candidate that differs from the quote in a number
 * is a sibling, not an edit, whenever the page offers the quote's own numbers in a credible context. When no
 * candidate has the quote's numbers and several candidates with other numbers compete, the numbered item the
 * quote named is gone: orphan rather than a sibling. A lone candidate with a changed number (an amount revised
 * in place) is still scored normally. Numbers shaped like list labels ("3.", "五、", "（2）") are not compared,
 * so renumbering does not count as a difference.
 */
function checkNumbers(
  index: PageIndex,
  query: Query,
  candidates: Candidate[],
): { candidates: Candidate[] } | { orphan: string } {
  const wanted = quoteNumbers(query);
  if (wanted.length === 0) return { candidates };
  const norm = index.text.norm;
  const same = candidates.filter((c) => sameTokens(numberTokens(wholeNumbers(norm, c.start, c.end)), wanted));
  if (same.some((c) => (c.context ?? 0) >= CONTEXT_CREDIBLE)) return { candidates: same };
  if (same.length === 0 && distinctPlaces(candidates) >= 2) {
    return { orphan: 'only near-duplicates with other numbers remain' };
  }
  return { candidates };
}

/** Numbers of the quote, read whole: a number cut by the quote's ends continues into its prefix and suffix. */
function quoteNumbers(query: Query): string[] {
  const before = /[0-9]+$/.exec(query.prefix)?.[0] ?? '';
  const after = /^[0-9]+/.exec(query.suffix)?.[0] ?? '';
  const q = query.quote;
  return numberTokens((/^[0-9]/.test(q) ? before : '') + q + (/[0-9]$/.test(q) ? after : ''));
}

/** Candidate text widened so a number cut by the match boundary is read whole. */
function wholeNumbers(norm: string, start: number, end: number): string {
  const digit = (i: number) => i >= 0 && i < norm.length && /[0-9]/.test(norm[i]!);
  while (digit(start - 1) && digit(start)) start--;
  while (digit(end) && digit(end - 1)) end++;
  return norm.slice(start, end);
}

const NUMBER_TOKEN = /第[零〇一二三四五六七八九十百千两]+|[0-9]+(?:\.[0-9]+)*/g;

/** Numbers in comparison text, except list-label shapes ("3." "五、" "(2)"). */
export function numberTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(NUMBER_TOKEN)) {
    const token = m[0];
    const at = m.index;
    const next = text[at + token.length] ?? '';
    const prev = text[at - 1] ?? '';
    if (token[0] !== '第' && (next === '、' || (next === '.' && !/[0-9]/.test(text[at + token.length + 1] ?? ''))))
      continue;
    if (prev === '(' && next === ')') continue;
    out.push(token);
  }
  return out;
}

function sameTokens(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function distinctPlaces(candidates: Candidate[]): number {
  const sorted = [...candidates].sort((a, b) => a.start - b.start);
  let count = 0;
  let lastEnd = -1;
  for (const c of sorted) {
    if (c.start >= lastEnd) count++;
    lastEnd = Math.max(lastEnd, c.end);
  }
  return count;
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

/** Scores a candidate (once: the score is kept on it). */
function score(index: PageIndex, query: Query, c: Candidate): number {
  if (c.scored) return c.score;
  c.scored = true;
  c.score = computeScore(index, query, c);
  return c.score;
}

function computeScore(index: PageIndex, query: Query, c: Candidate): number {
  const norm = index.text.norm;
  const m = query.quote.length;
  const quoteSim = Math.max(0, 1 - c.errors / m);
  const lower = c.start >= index.bodyStart ? index.bodyStart : 0;
  const upper = c.end <= index.bodyEnd ? index.bodyEnd : norm.length;
  const slack = CONTEXT_SLACK;
  const before = norm.slice(Math.max(lower, c.start - query.prefix.length - slack), c.start);
  const after = norm.slice(c.end, Math.min(upper, c.end + query.suffix.length + slack));
  const prefixSim = contextSimilarity(query.prefix, before, true);
  const suffixSim = contextSimilarity(query.suffix, after, false);
  c.context = (prefixSim + suffixSim) / 2;
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
    const hashOnly = query.pathCredible ? HASH_ONLY_DUPLICATE : HASH_ONLY;
    const value = pathOk && hashOk ? 1 : hashOk ? hashOnly : pathOk ? 0.75 : 0;
    if (value > best) best = value;
  }
  return best;
}
