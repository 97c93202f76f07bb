/**
 * Character-level changes inside a modified clause, computed with `diff` (jsdiff, Myers' algorithm) over the
 * texts cut into words by `Intl.Segmenter` (a Chinese word, a number or a punctuation mark is one token; see
 * `tokens`). Tokens compare by the anchoring library's normalisation, so width, dash and spacing differences
 * are never reported as changes.
 * Words rather than single characters because a rewritten sentence otherwise comes out as a scatter of one-
 * character matches ("=部 +门 =设部长"): on the real revisions in test/fixtures/compare, word tokens give
 * whole words replaced ("-各部 +国务院组成部门") at no cost in precision.
 */
import { diffArrays } from 'diff';
import { normalizeText } from '../anchoring/index.ts';

export type ClauseEdit = { op: 'equal' | 'insert' | 'delete'; text: string };

/** Beyond this many token edits a clause is shown as replaced as a whole (bounded work on huge rewrites). */
const MAX_EDIT_TOKENS = 1_000;
/** Beyond this many characters (both texts), tokens are single characters: word segmentation costs ~3 µs each. */
const MAX_SEGMENTED_CHARS = 40_000;

const segmenter =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter('zh', { granularity: 'word' }) : null;

/**
 * The edits turning `before` into `after`. Joining the equal and inserted texts gives `after` exactly; equal
 * texts carry the new version's characters, so joining equal and deleted texts gives `before` up to
 * normalisation (use `sideBySide` for the old text as printed). `similarity` is the share of both texts, in
 * normalised units, that is kept: 2 x kept / (old + new).
 */
export function clauseEdits(before: string, after: string): { edits: ClauseEdit[]; similarity: number } {
  const words = before.length + after.length <= MAX_SEGMENTED_CHARS;
  const a = folded(before);
  const b = folded(after);
  // the stretch between the common start and end (cut at punctuation, so no word is split) is all that is
  // segmented and diffed: in a republished clause that is a few words of a long text
  const [head, tail] = commonEnds(a, b);
  const oldTokens = tokens(a, head, a.points.length - tail, words);
  const newTokens = tokens(b, head, b.points.length - tail, words);
  // tokens compare by their normalised form, as small integers (cheap to compare in the diff's inner loop)
  const ids = new Map<string, number>();
  const idOf = (t: Token) => {
    let id = ids.get(t.key);
    if (id === undefined) ids.set(t.key, (id = ids.size));
    return id;
  };
  const changes = diffArrays(oldTokens.map(idOf), newTokens.map(idOf), { maxEditLength: MAX_EDIT_TOKENS });
  const edits: ClauseEdit[] = [{ op: 'equal', text: b.points.slice(0, head).join('') }];
  let kept = units(b, 0, head) + units(b, b.points.length - tail, b.points.length);
  if (changes) {
    let o = 0;
    let n = 0;
    for (const change of changes) {
      if (change.removed) {
        edits.push({ op: 'delete', text: textOf(oldTokens, o, (o += change.count)) });
      } else if (change.added) {
        edits.push({ op: 'insert', text: textOf(newTokens, n, (n += change.count)) });
      } else {
        for (let k = n; k < n + change.count; k++) kept += newTokens[k]!.key.length;
        edits.push({ op: 'equal', text: textOf(newTokens, n, (n += change.count)) });
        o += change.count;
      }
    }
  } else {
    edits.push({ op: 'delete', text: textOf(oldTokens, 0, oldTokens.length) });
    edits.push({ op: 'insert', text: textOf(newTokens, 0, newTokens.length) });
  }
  edits.push({ op: 'equal', text: b.points.slice(b.points.length - tail).join('') });
  const total = units(a, 0, a.points.length) + units(b, 0, b.points.length);
  return { edits: merged(edits), similarity: total ? (2 * kept) / total : 1 };
}

/** A text's code points and the normalised form of each. */
type Folded = { points: string[]; keys: string[] };

function folded(text: string): Folded {
  const points = Array.from(text);
  return { points, keys: points.map((p) => normalizeText(p)) };
}

function units(f: Folded, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) n += f.keys[k]!.length;
  return n;
}

/** Punctuation (normalised) after which a common start may end, or before which a common end may begin. */
const SEPARATOR = /^[,。;:、!?()《》"'[\]「」【】-]$/;

/** How many code points at the start and at the end the texts have in common, cut just after punctuation. */
function commonEnds(a: Folded, b: Folded): [number, number] {
  const max = Math.min(a.points.length, b.points.length);
  let head = 0;
  while (head < max && a.keys[head] === b.keys[head]) head++;
  while (head > 0 && !SEPARATOR.test(a.keys[head - 1]!)) head--;
  let tail = 0;
  while (tail < max - head && a.keys[a.points.length - 1 - tail] === b.keys[b.points.length - 1 - tail]) tail++;
  while (tail > 0 && !SEPARATOR.test(a.keys[a.points.length - 1 - tail] ?? '')) tail--;
  return [head, tail];
}

/** Drops empty edits and joins neighbours of the same kind. */
function merged(edits: ClauseEdit[]): ClauseEdit[] {
  const out: ClauseEdit[] = [];
  for (const edit of edits) {
    if (!edit.text) continue;
    const last = out[out.length - 1];
    if (last && last.op === edit.op) last.text += edit.text;
    else out.push({ ...edit });
  }
  return out;
}

type Token = { text: string; key: string };

function textOf(list: Token[], from: number, to: number): string {
  let out = '';
  for (let k = from; k < to; k++) out += list[k]!.text;
  return out;
}

const LATIN = /[A-Za-z0-9]/;

/**
 * The text cut into words: Intl.Segmenter runs over the normalised text (so two texts that differ only in width
 * or spacing are cut the same way), with a cut wherever a space separated two Latin letters or digits (English
 * words); each token keeps the original characters it came from, whitespace going with the token before it.
 * Without Intl.Segmenter (or for huge texts) every character is a token.
 */
function tokens(f: Folded, from: number, to: number, words: boolean): Token[] {
  const key = f.keys.slice(from, to).join('');
  const cuts = new Set<number>();
  if (segmenter && words) for (const s of segmenter.segment(key)) cuts.add(s.index);
  else for (let u = 0; u < key.length; u++) cuts.add(u);
  const out: Token[] = [];
  let unit = 0;
  let spaceBefore = false;
  for (let k = from; k < to; k++) {
    const point = f.points[k]!;
    const fold = f.keys[k]!;
    if (!fold) {
      // a character that normalises to nothing (a space): stays with the token before it
      if (out.length) out[out.length - 1]!.text += point;
      else out.push({ text: point, key: '' });
      spaceBefore = true;
      continue;
    }
    const last = out[out.length - 1];
    const latinGap = spaceBefore && unit > 0 && LATIN.test(key[unit - 1]!) && LATIN.test(fold[0]!);
    if (!last || (last.key && (cuts.has(unit) || latinGap))) out.push({ text: point, key: fold });
    else {
      last.text += point;
      last.key += fold;
    }
    unit += fold.length;
    spaceBefore = false;
  }
  return out;
}

export type Segment = { text: string; changed: boolean };

/**
 * The two columns of a side-by-side view: the old text as printed with its deleted parts marked, and the new
 * text with its inserted parts marked.
 */
export function sideBySide(
  before: string,
  after: string,
  edits: readonly ClauseEdit[],
): { before: Segment[]; after: Segment[] } {
  const oldSide: Segment[] = [];
  const newSide: Segment[] = [];
  const cutter = unitCutter(before);
  for (const edit of edits) {
    if (edit.op !== 'delete') push(newSide, edit.text, edit.op === 'insert');
    if (edit.op !== 'insert') push(oldSide, cutter(normalizeText(edit.text).length), edit.op === 'delete');
  }
  // anything left over (edits that do not account for all of `before`) stays visible, unmarked
  push(oldSide, cutter(Number.POSITIVE_INFINITY), false);
  if (!edits.length) push(newSide, after, false);
  return { before: oldSide, after: newSide };
}

/**
 * The one-column (inline) view of a modified clause: the new text with the old text's deleted parts, as
 * printed, in their place. Joining the equal and inserted texts gives `after` exactly; the equal and deleted
 * ones give `before` up to normalisation (equal stretches read as the new version prints them).
 */
export function inlineEdits(before: string, after: string, edits: readonly ClauseEdit[]): ClauseEdit[] {
  const out: ClauseEdit[] = [];
  const cutter = unitCutter(before);
  for (const edit of edits) {
    if (edit.op === 'insert') pushEdit(out, 'insert', edit.text);
    else {
      const printed = cutter(normalizeText(edit.text).length);
      pushEdit(out, edit.op, edit.op === 'equal' ? edit.text : printed);
    }
  }
  // as in sideBySide: old text the edits do not account for stays visible, as deleted
  pushEdit(out, 'delete', cutter(Number.POSITIVE_INFINITY));
  if (!edits.length) pushEdit(out, 'insert', after);
  return out;
}

function pushEdit(edits: ClauseEdit[], op: ClauseEdit['op'], text: string): void {
  if (!text) return;
  const last = edits[edits.length - 1];
  if (last && last.op === op) last.text += text;
  else edits.push({ op, text });
}

/** Cuts `text` into consecutive pieces holding the given numbers of normalised units. */
function unitCutter(text: string): (units: number) => string {
  const points = Array.from(text);
  let at = 0;
  return (units) => {
    const start = at;
    let taken = 0;
    while (at < points.length && taken < units) taken += normalizeText(points[at++]!).length;
    // characters that fold to nothing (spaces, line breaks) go with the piece before them
    while (at < points.length && taken >= units && normalizeText(points[at]!).length === 0) at++;
    return points.slice(start, at).join('');
  };
}

function push(segments: Segment[], text: string, changed: boolean): void {
  if (!text) return;
  const last = segments[segments.length - 1];
  if (last && last.changed === changed) last.text += text;
  else segments.push({ text, changed });
}
