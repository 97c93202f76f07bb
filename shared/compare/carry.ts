/**
 * Carrying an annotation over to the new version of a notice ("沿用到新版"): where its quote lands in the paired
 * clause of the new version, and the selectors that find it there once the new page is opened.
 *
 * The quote is found in the old clause's own text and followed through the clause's edits (ClauseChange.edits),
 * so a highlight of words that survived lands on the same words, with what was inserted between them; a quote
 * that is gone (or not inside the clause's own text: a highlight across clauses, a heading) lands on the whole
 * new clause. The selectors come from the anchoring library's own `describe`, run on a page built from the new
 * version's snapshot (its clauses in order, label then text), with the ClauseSelector the snapshot names: that
 * clause's label path and text hash, which the new page's clause has, so anchoring takes its fast path there.
 */
import { describe, normalizeText } from '../anchoring/index.ts';
import { LIMITS, type Selector } from '../model/annotation.ts';
import type { ClauseSnapshot } from './snapshot-schema.ts';
import type { ClauseChange } from './types.ts';

/** Where a carried annotation lands: UTF-16 offsets in the new clause's own text. */
export type CarrySpan = {
  start: number;
  end: number;
  /** The whole clause: the quote was not found in the old clause's own text, or its words are gone. */
  wholeClause: boolean;
};

/**
 * Where a quote of the old clause lands in the new one. Only for paired clauses (unchanged or modified);
 * throws for added or removed ones.
 */
export function carrySpan(change: ClauseChange, quote: string): CarrySpan {
  const before = change.before;
  const after = change.after;
  if (!before || !after) throw new Error('Only a clause present in both versions can be carried over');
  const whole: CarrySpan = { start: 0, end: after.text.length, wholeClause: true };
  const found = findQuote(before.text, before.label, quote);
  if (!found) return whole;
  const units =
    change.status === 'unchanged'
      ? found
      : { start: mapUnit(change.edits, found.start, false), end: mapUnit(change.edits, found.end, true) };
  if (units.end <= units.start) return whole;
  const span = unitsToOffsets(after.text, units.start, units.end);
  return span.end > span.start ? { ...span, wholeClause: false } : whole;
}

/** The quote's place in the old clause's own text, in normalised units; a leading clause label is ignored. */
function findQuote(text: string, label: string, quote: string): { start: number; end: number } | null {
  const own = normalizeText(text);
  let wanted = normalizeText(quote);
  let at = wanted ? own.indexOf(wanted) : -1;
  const labelUnits = normalizeText(label);
  if (at < 0 && labelUnits && wanted.startsWith(labelUnits)) {
    wanted = wanted.slice(labelUnits.length);
    at = wanted ? own.indexOf(wanted) : -1;
  }
  return at < 0 ? null : { start: at, end: at + wanted.length };
}

/**
 * A unit offset of the old text as an offset of the new one, through the edits. A start in deleted text moves
 * to where the deletion was (before what replaced it); an end in deleted text likewise, so a quote that was
 * deleted whole maps to an empty span.
 */
function mapUnit(edits: ClauseChange['edits'], offset: number, isEnd: boolean): number {
  let old = 0;
  let now = 0;
  for (const edit of edits) {
    const units = normalizeText(edit.text).length;
    if (edit.op === 'insert') {
      now += units;
      continue;
    }
    const inside = isEnd ? offset <= old + units : offset < old + units;
    if (inside) return edit.op === 'equal' ? now + (offset - old) : now;
    old += units;
    if (edit.op === 'equal') now += units;
  }
  return now;
}

/** Normalised units [start, end) of a text as UTF-16 offsets (characters folding to nothing stay outside). */
function unitsToOffsets(text: string, start: number, end: number): { start: number; end: number } {
  let units = 0;
  let offset = 0;
  let from = -1;
  let to = -1;
  for (const point of text) {
    const width = normalizeText(point).length;
    if (from < 0 && units >= start && width > 0) from = offset;
    units += width;
    offset += point.length;
    if (width > 0 && units <= end) to = offset;
    if (units >= end) break;
  }
  if (from < 0) return { start: 0, end: 0 };
  return { start: from, end: Math.max(from, to) };
}

export type CarriedTarget = {
  selectors: Selector[];
  /** The quote as the new page reads it. */
  quote: string;
  clausePath: string[];
};

/**
 * The new version of a notice as a page, rebuilt from its snapshot, to describe carried annotations on. Build it
 * once for all the annotations carried in one go: the anchoring index of the page is built on first use.
 */
export class SnapshotPage {
  private readonly document: Document;
  private readonly ownText: Text[] = [];

  constructor(
    implementation: DOMImplementation,
    private readonly snapshot: ClauseSnapshot,
  ) {
    this.document = implementation.createHTMLDocument(snapshot.title);
    const body = this.document.body;
    for (const clause of snapshot.clauses) {
      const paragraph = this.document.createElement('p');
      // a paragraph page's "¶n" labels are made up: the page never printed them
      if (clause.kind === 'numbered') paragraph.append(this.document.createTextNode(clause.label));
      const own = this.document.createTextNode(clause.text);
      paragraph.append(own);
      body.append(paragraph);
      this.ownText.push(own);
    }
  }

  /** Selectors for [start, end) of a clause's own text (UTF-16 offsets, as from carrySpan). */
  describe(clauseIndex: number, span: Pick<CarrySpan, 'start' | 'end'>): CarriedTarget {
    const clause = this.snapshot.clauses[clauseIndex];
    const text = this.ownText[clauseIndex];
    if (!clause || !text) throw new Error(`The new version has no clause ${clauseIndex}`);
    const range = this.document.createRange();
    range.setStart(text, Math.max(0, Math.min(span.start, text.length)));
    range.setEnd(text, Math.max(0, Math.min(span.end, text.length)));
    const quote = describe(this.document, range).find((s) => s.type === 'TextQuoteSelector');
    if (!quote) throw new Error('The carried text could not be described');
    const path = clause.path.slice(0, LIMITS.clausePathDepth);
    const selectors: Selector[] = [quote];
    // positions on this rebuilt page are not the real page's: only the quote and the clause are kept
    if (clause.path.length <= LIMITS.clausePathDepth)
      selectors.push({ type: 'ClauseSelector', path, hash: clause.hash });
    return { selectors, quote: quote.exact, clausePath: path };
  }
}
