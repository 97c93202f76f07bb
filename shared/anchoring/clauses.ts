/**
 * Clause segmentation: a tree of numbered clauses (label, level, label path, unit range) over the body text.
 *
 * 1. Candidates: a label at the start of a line (after indentation), or inside a line right after sentence
 *    punctuation ("…Regulations. (1) Under…", "…如下：（一）…").
 * 2. Filters: a bare "1 总则" counts only when the document also has "1.1"-style numbering; a run of headings that
 *    all repeat later (a table of contents) is dropped; a line such as "PART 165—…" or "附件" ends one part of the
 *    document and starts another, and so do closing formulas ("特此通知", "Dated:") and a closing date with the
 *    signature above it: the last clause ends before them. An attachment note ("附件：1. … 2. …") ends the body
 *    too, and the numbered titles it lists are not clauses. Right after a closing, a letter that does not start a
 *    sequence is a signer's initial ("Dated: …", "J. M. Smith,"), not a clause.
 * 3. Levels: a stack of numbering styles in the order this document uses them. A style already on the stack is a
 *    sibling there; a new style nests under the current clause; the 编/章/节/条 and decimal families keep their own
 *    order; a label in a heading element never nests under one in a body paragraph. Labels found mid-line count
 *    only when they continue a sequence (the next number) or open a new one (number 1). In US regulatory text an
 *    amendatory instruction ("2. Add § 165.T09–0118 to read as follows:") and the § section it introduces are
 *    siblings: the section's paragraphs (a), (b)… belong to the section.
 * Without any numbered clause, the body's paragraphs are the clauses (labels ¶1, ¶2, …).
 */
import { hashText } from '../model/hash.ts';
import { type LabelMatch, matchLabel, numeralValue } from './labels.ts';
import { BREAK, foldText } from './normalize.ts';
import type { PageText, TextSnapshot } from './text-model.ts';
import { partitionPoint } from './partition-point.ts';

export interface Clause {
  /** Position in document order. */
  index: number;
  /** Nesting depth in this document, 1 = top. */
  level: number;
  /** The numbering token as printed ("二、", "（三）", "第十二条", "¶4" for an unnumbered paragraph). */
  label: string;
  /** Labels from the top level down to this clause. */
  path: string[];
  /** Readable text from the label to the end of the clause (sub-clauses included). */
  text: string;
  /** Unit range of the whole clause, sub-clauses included, relative to the body start (as TextPositionSelector). */
  start: number;
  end: number;
  /** End of the clause's own text (where its first sub-clause or the next clause starts). */
  ownEnd: number;
  /** Hash of the normalised own text after the label (stable under renumbering). */
  hash: string;
  /** Index of the parent clause, or -1. */
  parent: number;
  /** True when the clause starts inside a paragraph that began with another clause. */
  inline: boolean;
  /** 'numbered', or 'paragraph' when the page has no numbering and paragraphs stand in for clauses. */
  kind: 'numbered' | 'paragraph';
}

interface Candidate {
  /** Raw offset of the label. */
  at: number;
  /** Raw end of the line holding it. */
  lineEnd: number;
  match: LabelMatch;
  inline: boolean;
  heading: boolean;
  divider: boolean;
  /** A divider that closes the document (closing formula, closing date with its signature). */
  closing?: boolean;
}

const LINE_SPACE = /[\s\u3000\u00a0\u200b\ufeff]/;
/** Sentence punctuation, then optional spaces, then an opening parenthesis or a circled number. */
const INLINE_START = /[。；;：:.!?！？][\s\u3000\u00a0]*(?=[（(\u2460-\u2473])/g;
/** After 第X条 without a space, these characters mean a cross-reference ("第五条规定的…"), not a label. */
const REFERENCE_FOLLOWERS = new Set([...'的规所和或至、，,第及中之款项以']);
const INLINE_STYLES = new Set([
  'cn-paren',
  'ar-paren',
  'circled',
  'alpha-lower-paren',
  'roman-lower-paren',
  'alpha-upper-paren',
]);
const DIVIDER = /^(?:PART\s+\d+[A-Z]?\s*[—–-]|附件\s*[0-9０-９一二三四五六七八九十]*\s*[:：]?\s*$|附\s*件\s*$)/;
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Closing formulas: the end matter of a notice starts here (its last clause ends before them). */
const CLOSER = /^(?:特此(?:通知|公告|通告|函告|批复|决定|报告)|此复|此函|专此报告)[。.]?$|^Dated:/;
const D = '[0-9０-９〇零○Ｏ一二三四五六七八九十]';
/** A date alone on its line (the issuing date under the signature). */
const CLOSING_DATE = new RegExp(`^${D}{2,4}\\s*年\\s*${D}{1,2}\\s*月\\s*${D}{1,3}\\s*日$`);

/** 附件说明: "附件：" alone or followed by the first attachment's title. */
const ATTACHMENT_NOTE = /^附\s*件\s*[:：]/;
/**
 * The number of an attachment note's list item: "1. …", "1、…", "（1）…", and "1.2024年…" (a title may start with a
 * year, which makes "1." no label by the usual rules).
 */
const LIST_ITEM = /^[（(]?\s*([0-9０-９]{1,2})\s*[)）.．、]/;
/** A sentence ends the line: prose, not an attachment's title. */
const SENTENCE_END = /[。；;]\s*$/;
/**
 * An amendatory instruction of US regulatory text: "2. Add § 165.T09–0118 to read as follows:", "3. Amend
 * § 165.939 by revising paragraph (b) …", "1. The authority citation for part 165 continues to read as follows:".
 */
const AMENDATORY =
  /^\d+\.\s*(?:(?:Add|Amend|Revise|Remove|Redesignate|Reserve|Suspend|Reinstate|Designate|Republish|Lift|Stay|In)\b|The authority citation\b)|\bas follows:?\s*$/;

/** A short line without sentence punctuation: an issuer or signer above a closing date. */
function isSignature(line: string): boolean {
  return line.length <= 30 && !/[，。；：,;:]/.test(line);
}

export interface Segmentation {
  clauses: Clause[];
  /** Unit range of the body in page units. */
  bodyStart: number;
  bodyEnd: number;
}

/** Segments the body (raw range [rawStart, rawEnd) of `text`) into clauses. */
export function segment(text: PageText, rawStart: number, rawEnd: number, body: Element | null): Segmentation {
  const steps = segmentInSteps(text, rawStart, rawEnd, body);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The same segmentation, as a generator that pauses between finding label candidates and building the tree. */
export function* segmentInSteps(
  text: PageText,
  rawStart: number,
  rawEnd: number,
  body: Element | null,
): Generator<void, Segmentation> {
  const bodyStart = text.unitAtOrAfter(rawStart);
  const bodyEnd = text.unitAtOrAfter(rawEnd);
  const kept = filterCandidates(text, findCandidates(text, rawStart, rawEnd, body));
  yield;
  let clauses = buildTree(text, kept, bodyStart, bodyEnd);
  if (clauses.length === 0) clauses = paragraphClauses(text, rawStart, rawEnd, bodyStart);
  return { clauses, bodyStart, bodyEnd };
}

function* lines(raw: string, from: number, to: number): Generator<[number, number]> {
  let start = from;
  while (start < to) {
    let end = raw.indexOf(BREAK, start);
    if (end < 0 || end > to) end = to;
    yield [start, end];
    start = end + 1;
  }
}

function isLineSpace(c: number): boolean {
  return (
    c <= 0x20 ||
    c === 0xa0 ||
    c === 0x3000 ||
    c === 0x200b ||
    c === 0xfeff ||
    c === 0x2029 ||
    (c >= 0x2000 && c <= 0x200a)
  );
}

function skipSpace(raw: string, i: number, end: number): number {
  while (i < end && isLineSpace(raw.charCodeAt(i))) i++;
  return i;
}

function findCandidates(text: PageText, rawStart: number, rawEnd: number, body: Element | null): Candidate[] {
  const raw = text.raw;
  const out: Candidate[] = [];
  const headings = headingRanges(text, body);
  // the last few plain lines (no label): a signature above a closing date belongs to the end matter
  const plain: { at: number; text: string }[] = [];
  // after an attachment note: the number the next listed attachment would carry (0: no list)
  let listed = 0;
  for (const [lineStart, lineEnd] of lines(raw, rawStart, rawEnd)) {
    const p = skipSpace(raw, lineStart, lineEnd);
    if (p >= lineEnd) continue;
    const lineText = raw.slice(p, lineEnd).trimEnd();
    if (raw.charCodeAt(p) === 0x9644 /* 附 */ && ATTACHMENT_NOTE.test(lineText)) {
      out.push({ at: p, lineEnd, match: dividerMatch(p), inline: false, heading: false, divider: true });
      plain.length = 0;
      listed = attachmentListStart(lineText);
      continue;
    }
    if (listed > 0) {
      if (listItemNumber(lineText) === listed && !SENTENCE_END.test(lineText)) {
        listed++;
        continue;
      }
      listed = 0;
    }
    if (DIVIDER.test(lineText)) {
      out.push({ at: p, lineEnd, match: dividerMatch(p), inline: false, heading: false, divider: true });
      plain.length = 0;
      continue;
    }
    if (CLOSER.test(lineText) || CLOSING_DATE.test(lineText)) {
      let at = p;
      if (CLOSING_DATE.test(lineText)) {
        for (let k = plain.length - 1, taken = 0; k >= 0 && taken < 2 && isSignature(plain[k]!.text); k--, taken++)
          at = plain[k]!.at;
      }
      out.push({ at, lineEnd, match: dividerMatch(at), inline: false, heading: false, divider: true, closing: true });
      plain.length = 0;
      continue;
    }
    const first = acceptLabel(text, p, lineEnd);
    if (first) plain.length = 0;
    else {
      plain.push({ at: p, text: lineText });
      if (plain.length > 2) plain.shift();
    }
    if (first)
      out.push({ at: p, lineEnd, match: first, inline: false, heading: inHeading(headings, p), divider: false });
    // labels inside the line, right after sentence punctuation (scanned on the line's own slice)
    const from = (first ? first.end : p) - p;
    INLINE_START.lastIndex = from;
    for (let m = INLINE_START.exec(lineText); m; m = INLINE_START.exec(lineText)) {
      const q = p + m.index + m[0].length;
      const label = acceptLabel(text, q, lineEnd);
      if (label && INLINE_STYLES.has(label.style)) {
        out.push({ at: q, lineEnd, match: label, inline: true, heading: false, divider: false });
        INLINE_START.lastIndex = label.end - p;
      }
    }
  }
  return out;
}

/**
 * The number of the attachment listed on the line after an attachment note: 2 after "附件：1. …", 1 after a bare
 * "附件："; 0 when the note names a single attachment ("附件：…清单"), which starts no list.
 */
function attachmentListStart(lineText: string): number {
  const rest = lineText.slice(lineText.search(/[:：]/) + 1).replace(/^[\s\u3000\u00a0]+/, '');
  if (!rest) return 1;
  return listItemNumber(rest) === 1 ? 2 : 0;
}

function listItemNumber(line: string): number {
  const m = LIST_ITEM.exec(line);
  return m ? numeralValue(m[1]!) : -1;
}

function dividerMatch(at: number): LabelMatch {
  return { label: '', end: at, style: 'divider', value: 0 };
}

/** A label at `at`, if what follows it makes it a label rather than a word or a cross-reference. */
function acceptLabel(text: PageText, at: number, lineEnd: number): LabelMatch | null {
  const raw = text.raw;
  const m = matchLabel(raw, at);
  if (!m || m.end > lineEnd) return null;
  const next = m.end < lineEnd ? raw[m.end]! : '';
  const followedBySpace = next === '' || LINE_SPACE.test(next);
  if (m.family === 'law' && m.style.startsWith('law-')) {
    if (followedBySpace || endsNode(text, m.end)) return m;
    if (m.style === 'law-条') return REFERENCE_FOLLOWERS.has(next) ? null : m;
    // 第X章/节/编 run straight into a short title line
    const rest = raw.slice(m.end, lineEnd);
    return rest.length <= 30 && !/[，。；]/.test(rest) ? m : null;
  }
  if (m.style === 'section-sign' || m.style.startsWith('en-')) {
    return followedBySpace || endsNode(text, m.end) ? m : null;
  }
  if (m.style.startsWith('alpha-') || m.style.startsWith('roman-')) {
    return followedBySpace || endsNode(text, m.end) ? m : null;
  }
  if (m.style === 'cn-part') return followedBySpace || endsNode(text, m.end) ? m : null;
  // self-delimiting Chinese and numeric labels; a label followed only by punctuation is not a clause
  if (next === '' || /[，,。；;]/.test(next)) return next === '' ? m : null;
  return m;
}

/** Whether raw offset `at` is exactly the end of a text node (the label sits in its own element). */
function endsNode(text: PageText, at: number): boolean {
  const i = text.nodeIndexAtRaw(at - 1);
  if (i < 0) return false;
  return text.nodeStart[i]! + text.nodes[i]!.data.length === at;
}

/**
 * Raw ranges of the heading elements (h1–h6) in the body, sorted: a page has few headings, so finding them once
 * is cheaper than walking up from every label.
 */
function headingRanges(text: PageText, body: Element | null): [number, number][] {
  const scope = body ?? text.rootElement;
  if (!scope) return [];
  const ranges: [number, number][] = [];
  for (const tag of HEADINGS) {
    const found = scope.getElementsByTagName(tag);
    for (let i = 0; i < found.length; i++) {
      const r = text.rawRangeOfElement(found[i]!);
      if (r) ranges.push(r);
    }
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

/** Whether `at` lies in one of the headings' ranges (sorted, not overlapping). */
function inHeading(headings: [number, number][], at: number): boolean {
  const next = partitionPoint(headings.length, (i) => headings[i]![1] > at);
  return next < headings.length && headings[next]![0] <= at;
}

function filterCandidates(text: PageText, candidates: Candidate[]): Candidate[] {
  // A bare "1 总则" is a heading only in documents that number "1.1", "1.2"… under it.
  const decimalParents = new Set<number>();
  for (const c of candidates) {
    if (c.match.family === 'decimal' && (c.match.rank ?? 0) >= 2) {
      decimalParents.add(
        parseInt(
          c.match.label.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)),
          10,
        ),
      );
    }
  }
  const strong = candidates.filter((c) => !c.match.weak || decimalParents.has(c.match.value));
  return dropTableOfContents(text, strong);
}

/** Whether raw[from, to) holds a sentence end (table-of-contents lines are headings and have none). */
function hasSentenceEnd(raw: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x3002 || c === 0xff1b || c === 0x3b) return true; // 。 ； ;
  }
  return false;
}

/**
 * A table of contents repeats headings: a run of consecutive heading lines (no prose between them) whose text
 * recurs later in the document is dropped.
 */
function dropTableOfContents(text: PageText, candidates: Candidate[]): Candidate[] {
  const raw = text.raw;
  // table-of-contents lines are short: longer lines never qualify, so they are not even folded
  const keys = candidates.map((c) =>
    c.inline || c.divider || c.lineEnd - c.at > 120 || hasSentenceEnd(raw, c.at, c.lineEnd)
      ? ''
      : foldText(raw.slice(c.at, c.lineEnd)).replace(/\.{3,}|…+|\d+$/g, ''),
  );
  const lastIndex = new Map<string, number>();
  keys.forEach((k, i) => {
    if (k) lastIndex.set(k, i);
  });
  const repeated = keys.map((k, i) => !!k && k.length <= 60 && lastIndex.get(k)! > i);
  // consecutive: the next candidate starts on the very next line
  const adjacent = (a: Candidate, b: Candidate) => skipSpace(raw, a.lineEnd + 1, raw.length) === b.at;
  const drop = new Array<boolean>(candidates.length).fill(false);
  let i = 0;
  while (i < candidates.length) {
    if (!repeated[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < candidates.length && repeated[j + 1] && adjacent(candidates[j]!, candidates[j + 1]!)) j++;
    if (j > i) for (let k = i; k <= j; k++) drop[k] = true;
    i = j + 1;
  }
  return candidates.filter((_, k) => !drop[k]);
}

interface StackEntry {
  style: string;
  family?: 'law' | 'decimal';
  rank?: number;
  value: number;
  heading: boolean;
  clause: number;
  candidate: Candidate;
}

const SECTION_SIGN = 'section-sign';

/** Whether a candidate's line is an amendatory instruction (read only where a § section is involved). */
function isAmendatory(raw: string, c: Candidate): boolean {
  return c.match.style === 'ar-dot' && AMENDATORY.test(raw.slice(c.at, c.lineEnd).trimEnd());
}

function buildTree(text: PageText, candidates: Candidate[], bodyStart: number, bodyEnd: number): Clause[] {
  const clauses: Clause[] = [];
  const stack: StackEntry[] = [];
  let afterClosing = false;
  for (const c of candidates) {
    if (c.divider) {
      stack.length = 0;
      afterClosing = c.closing === true;
      continue;
    }
    const m = resolveAmbiguity(c.match, stack);
    // right after the closing ("Dated: …"), "J. M. Smith," is a signature, not clause J.
    if (afterClosing && m.value !== 1 && /^(?:alpha|roman)-/.test(m.style)) continue;
    afterClosing = false;
    // US regulatory text: an amendatory instruction and the § section after it are siblings
    if (m.style === SECTION_SIGN) {
      const instruction = stack.findIndex((e) => isAmendatory(text.raw, e.candidate));
      if (instruction >= 0) stack.length = instruction;
    } else if (m.style === 'ar-dot' && stack.some((e) => e.style === SECTION_SIGN) && isAmendatory(text.raw, c)) {
      stack.length = stack.findIndex((e) => e.style === SECTION_SIGN);
    }
    const onStack = stack.findIndex((e) => e.style === m.style);
    if (c.inline) {
      const continues = onStack >= 0 && m.value === stack[onStack]!.value + 1;
      const opens = onStack < 0 && m.value === 1;
      if (!continues && !opens) continue;
    }
    if (c.heading) {
      while (stack.length && !stack[stack.length - 1]!.heading) stack.pop();
    }
    const pos = stack.findIndex((e) => e.style === m.style);
    if (pos >= 0) stack.length = pos;
    else if (m.family) {
      let parent = -1;
      for (let k = stack.length - 1; k >= 0; k--) {
        const e = stack[k]!;
        if (e.family === m.family && (e.rank ?? 0) < (m.rank ?? 0)) {
          parent = k;
          break;
        }
      }
      if (parent >= 0) stack.length = parent + 1;
      else {
        const lower = stack.findIndex((e) => e.family === m.family && (e.rank ?? 0) > (m.rank ?? 0));
        if (lower >= 0) stack.length = lower;
      }
    }
    const start = text.unitAtOrAfter(c.at);
    const index = clauses.length;
    const parentClause = stack.length ? stack[stack.length - 1]!.clause : -1;
    const path = parentClause >= 0 ? [...clauses[parentClause]!.path, m.label] : [m.label];
    clauses.push({
      index,
      level: stack.length + 1,
      label: m.label,
      path,
      text: '',
      start,
      end: bodyEnd,
      ownEnd: bodyEnd,
      hash: '',
      parent: parentClause,
      inline: c.inline,
      kind: 'numbered',
    });
    stack.push({
      style: m.style,
      family: m.family,
      rank: m.rank,
      value: m.value,
      heading: c.heading,
      clause: index,
      candidate: c,
    });
  }
  finishClauses(text, clauses, bodyStart, bodyEnd, candidates);
  return clauses;
}

/** "I." after "H." is the letter; otherwise a roman numeral. */
function resolveAmbiguity(m: LabelMatch, stack: StackEntry[]): LabelMatch {
  if (!m.alternative) return m;
  const alt = m.alternative;
  const letterEntry = stack.find((e) => e.style === alt.style);
  const romanEntry = stack.find((e) => e.style === m.style);
  if (letterEntry && letterEntry.value === alt.value - 1 && !(romanEntry && romanEntry.value === m.value - 1)) {
    return { ...m, style: alt.style, value: alt.value, alternative: undefined };
  }
  return m;
}

/** Fills ends, own ends, texts and hashes; the body's units are [bodyStart, bodyEnd). */
function finishClauses(
  text: PageText,
  clauses: Clause[],
  bodyStart: number,
  bodyEnd: number,
  candidates: Candidate[],
): void {
  // the end of the last clause stops at a divider that follows it (the next part's heading is not its text)
  const dividerUnits = candidates.filter((c) => c.divider).map((c) => text.unitAtOrAfter(c.at));
  const openAt: number[] = [];
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i]!;
    const next = clauses[i + 1];
    const nextDivider = dividerUnits.find((u) => u > c.start);
    c.ownEnd = Math.min(next ? next.start : bodyEnd, nextDivider ?? bodyEnd);
    // close every open clause at or below this level
    while (openAt.length && clauses[openAt[openAt.length - 1]!]!.level >= c.level) {
      const k = openAt.pop()!;
      clauses[k]!.end = Math.min(c.start, clauses[k]!.end);
    }
    openAt.push(i);
    if (nextDivider !== undefined) c.end = Math.min(c.end, nextDivider);
  }
  const labelLengths = new Map<string, number>();
  const snapshot = text.snapshot();
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i]!;
    c.end = Math.max(c.end, c.ownEnd);
    const labelUnits = foldedLength(c.label, labelLengths);
    const [start, end, ownEnd] = [c.start, c.end, c.ownEnd];
    c.start -= bodyStart;
    c.end -= bodyStart;
    c.ownEnd -= bodyStart;
    clauses[i] = lazyText(c, snapshot, start, end, start + labelUnits, ownEnd);
  }
}

function foldedLength(label: string, cache: Map<string, number>): number {
  let n = cache.get(label);
  if (n === undefined) {
    n = foldText(label).length;
    cache.set(label, n);
  }
  return n;
}

/**
 * A clause as returned to callers. `text` and `hash` are computed on first read (accessors): a long page has
 * clauses whose texts add up to several times the page, and most are never read; accessors on the prototype
 * keep creating 1,400 clauses cheap. `toJSON()` gives a plain object with every field, so JSON.stringify carries
 * `text` and `hash` (a spread or structured clone of the object itself does not: use toJSON for a copy).
 * `hash` covers the clause's own text after its label, in comparison form (page units [ownStart, ownEnd)).
 */
class ClauseRecord implements Clause {
  readonly index: number;
  readonly level: number;
  readonly label: string;
  readonly path: string[];
  readonly start: number;
  readonly end: number;
  readonly ownEnd: number;
  readonly parent: number;
  readonly inline: boolean;
  readonly kind: 'numbered' | 'paragraph';
  #page: TextSnapshot;
  #units: [number, number, number, number];
  #text: string | null = null;
  #hash: string | null = null;

  constructor(c: Clause, page: TextSnapshot, start: number, end: number, ownStart: number, ownEnd: number) {
    this.index = c.index;
    this.level = c.level;
    this.label = c.label;
    this.path = c.path;
    this.start = c.start;
    this.end = c.end;
    this.ownEnd = c.ownEnd;
    this.parent = c.parent;
    this.inline = c.inline;
    this.kind = c.kind;
    this.#page = page;
    this.#units = [start, end, ownStart, ownEnd];
  }

  get text(): string {
    return (this.#text ??= this.#page.readable(this.#units[0], this.#units[1]));
  }

  get hash(): string {
    return (this.#hash ??= hashText(this.#page.norm.slice(this.#units[2], this.#units[3])));
  }

  toJSON(): Clause {
    return {
      index: this.index,
      level: this.level,
      label: this.label,
      path: [...this.path],
      text: this.text,
      start: this.start,
      end: this.end,
      ownEnd: this.ownEnd,
      hash: this.hash,
      parent: this.parent,
      inline: this.inline,
      kind: this.kind,
    };
  }
}

function lazyText(c: Clause, text: TextSnapshot, start: number, end: number, ownStart: number, ownEnd: number): Clause {
  return new ClauseRecord(c, text, start, end, ownStart, ownEnd);
}

/** Pages without numbering: every paragraph (line) of the body is a clause. */
function paragraphClauses(text: PageText, rawStart: number, rawEnd: number, bodyStart: number): Clause[] {
  const clauses: Clause[] = [];
  const snapshot = text.snapshot();
  for (const [lineStart, lineEnd] of lines(text.raw, rawStart, rawEnd)) {
    const start = text.unitAtOrAfter(lineStart);
    const end = text.unitAtOrAfter(lineEnd);
    if (end <= start) continue;
    const label = `¶${clauses.length + 1}`;
    const clause: Clause = {
      index: clauses.length,
      level: 1,
      label,
      path: [label],
      text: '',
      start: start - bodyStart,
      end: end - bodyStart,
      ownEnd: end - bodyStart,
      hash: '',
      parent: -1,
      inline: false,
      kind: 'paragraph',
    };
    clauses.push(lazyText(clause, snapshot, start, end, start, end));
  }
  return clauses;
}
