/**
 * Pizhu anchoring: a DOM-only library (browsers, jsdom, happy-dom; no extension APIs, no globals: DOM
 * constructors come from the root's own window) that finds the clauses of a policy notice, describes highlights
 * as W3C Web Annotation selectors refined by the clause they sit in, and finds them again after the page
 * changes, or says honestly that it cannot.
 *
 * Required entry points (stable):
 * - `segmentClauses(root)`: the clause tree of the page body, in document order; each clause has `level`,
 *   `label`, `path` (labels from the top level down to itself), `text` (from its label to its end, sub-clauses
 *   included), unit offsets `start`/`end`/`ownEnd` relative to the body, and `hash`.
 * - `describe(root, range)`: JSON-serialisable selectors for a DOM Range: TextQuoteSelector (exact, prefix,
 *   suffix), TextPositionSelector (code-point offsets in the body's comparison text) and ClauseSelector (label
 *   path + hash of the clause's own text). Throws AnchoringError for ranges it cannot describe.
 * - `anchor(root, selectors)`: `{ status: 'exact' | 'fuzzy' | 'orphan' | 'ambiguous', range }` (synchronous);
 *   `range` is null unless exact or fuzzy. Malformed selectors never throw: they give an orphan with a reason.
 *
 * For the extension (one page, many annotations, a page that changes):
 * - `createPageIndex(root)`: the shared per-page index (text model, body, clauses, bigram index). Every function
 *   here accepts it in place of the root; all share it per root anyway, and it follows DOM changes by itself,
 *   incrementally, with one MutationObserver per page. `createPageIndexAsync(root)` builds it in steps that
 *   yield to the page (very long pages). `index.documents()`: the top and frame documents it reads.
 * - `Anchorer`: `anchor(id, selectors)`, `anchorMany(items, { onSlice, reuse })` (async, yields to the page
 *   between slices, reports each slice as it ends, keeps anchors whose selectors did not change),
 *   `update()` / `updateAsync()` (re-anchor only what DOM changes touched) and `watch(onChange)` (the page
 *   index's MutationObserver, debounced; re-anchoring in slices).
 * - `watch(root, onChange)`: page-level change notifications (new clauses, changed text stretches).
 * - `findBody(root)`: the detected document body element (possibly inside a same-origin iframe).
 * - `clauseAt(root, nodeOrRange)`: the clause holding a point or a range (for "hover shows the label path").
 * - `clauseRange(root, clause)` and `snapToClause(root, range)`: a clause's DOM Range; the clause range around a
 *   selection (for "snap a selection to its clause"); `coversClause(root, range, clause)`: whether snapping
 *   would widen it at all.
 * - `clauseByPath(root, path)`: a clause by its label path.
 * - `pageTextHash(root)`: hash of the body's normalised text ("the page changed since it was annotated").
 * - `normalizeText(text)`: the comparison form used everywhere (NFKC, width, dashes, no whitespace, code points).
 * - `locateSelectors(index, selectors)`: like anchor, in unit offsets, without building a DOM Range.
 */
import type { Selector } from '../model/annotation.ts';
import { type AnchorResult, anchorSelectors, type Location, locate } from './anchor.ts';
import { watchPage, type WatchOptions } from './anchorer.ts';
import type { Clause } from './clauses.ts';
import { describeRange } from './describe.ts';
import type { Root } from './dom.ts';
import { AnchoringError } from './errors.ts';
import { PageIndex, pageIndexFor, pageIndexForAsync } from './page-index.ts';
import type { TextChange } from './text-model.ts';

export type { AnchorResult, AnchorStatus, Location } from './anchor.ts';
export type { AnchorManyOptions, AnnotationTarget, WatchOptions } from './anchorer.ts';
export type { Clause } from './clauses.ts';
export type { Root } from './dom.ts';
export type { TextChange } from './text-model.ts';
export { Anchorer } from './anchorer.ts';
export { AnchoringError } from './errors.ts';
export { normalizeText } from './normalize.ts';
export { PageIndex, forgetPageIndex } from './page-index.ts';

function checkRoot(root: unknown): Root {
  const node = root as Node | null;
  if (!node || typeof node !== 'object' || (node.nodeType !== 1 && node.nodeType !== 9)) {
    throw new AnchoringError('root must be a Document or an Element');
  }
  return node as Root;
}

function indexOf(rootOrIndex: Root | PageIndex): PageIndex {
  if (rootOrIndex instanceof PageIndex) {
    rootOrIndex.refresh();
    return rootOrIndex;
  }
  return pageIndexFor(checkRoot(rootOrIndex));
}

/** The clauses of the page body in document order (each `text` starts at its label). */
export function segmentClauses(root: Root | PageIndex): Clause[] {
  return indexOf(root).clauses;
}

/** W3C selectors (quote, position, clause) for a DOM Range on this page. Throws AnchoringError on bad input. */
export function describe(root: Root | PageIndex, range: Range): Selector[] {
  return describeRange(indexOf(root), range);
}

/** Finds selectors on this page again: exact, fuzzy, or an honest orphan / ambiguous (range null). */
export function anchor(root: Root | PageIndex, selectors: Selector[]): AnchorResult {
  return anchorSelectors(indexOf(root), selectors);
}

/** Like `anchor`, in page unit offsets and without building a DOM Range (for batch work and measurements). */
export function locateSelectors(root: Root | PageIndex, selectors: Selector[]): Location {
  return locate(indexOf(root), selectors);
}

/** The shared index of a page (for many anchors, incremental updates and watching). */
export function createPageIndex(root: Root): PageIndex {
  return pageIndexFor(checkRoot(root));
}

/** Like createPageIndex, building in steps that yield to the page (for very long pages). */
export function createPageIndexAsync(root: Root): Promise<PageIndex> {
  return pageIndexForAsync(checkRoot(root));
}

/** The detected document body (possibly inside a same-origin iframe). */
export function findBody(root: Root | PageIndex): Element | null {
  return indexOf(root).body;
}

/** The deepest clause holding a DOM point (a node, or node + offset) or a whole Range; null outside clauses. */
export function clauseAt(root: Root | PageIndex, where: Node | Range | { node: Node; offset: number }): Clause | null {
  const index = indexOf(root);
  let units: { start: number; end: number } | null;
  if ('startContainer' in where) units = index.text.unitsOfRange(where);
  else {
    const node = 'nodeType' in where ? where : where.node;
    const offset = 'nodeType' in where ? 0 : where.offset;
    const u = index.text.unitOfPoint(node, offset);
    units = u === null ? null : { start: u, end: u + 1 };
  }
  if (!units) return null;
  return index.clauseSpanning(units.start - index.bodyStart, Math.max(units.start + 1, units.end) - index.bodyStart);
}

/** A DOM Range over a clause (its label to its end, sub-clauses included). */
export function clauseRange(root: Root | PageIndex, clause: Pick<Clause, 'start' | 'end'>): Range | null {
  return indexOf(root).clauseRange(clause);
}

/** The Range of the deepest clause holding all of `range` ("snap a selection to its clause"), or null. */
export function snapToClause(root: Root | PageIndex, range: Range): Range | null {
  const clause = clauseAt(root, range);
  return clause ? clauseRange(root, clause) : null;
}

/** Whether a Range holds all of a clause: widening it to the clause (`snapToClause`) would add nothing. */
export function coversClause(root: Root | PageIndex, range: Range, clause: Pick<Clause, 'start' | 'end'>): boolean {
  const index = indexOf(root);
  const units = index.text.unitsOfRange(range);
  return !!units && units.start <= clause.start + index.bodyStart && units.end >= clause.end + index.bodyStart;
}

/** The clause with this label path, or null. */
export function clauseByPath(root: Root | PageIndex, path: readonly string[]): Clause | null {
  return indexOf(root).clausesByPath(path)[0] ?? null;
}

/** Hash of the body's normalised text: differs when the wording of the body changed, not its markup. */
export function pageTextHash(root: Root | PageIndex): string {
  return indexOf(root).bodyHash();
}

export interface PageChange {
  index: PageIndex;
  /** True after a complete re-read (then `changes` is empty). */
  full: boolean;
  /** Changed stretches of the page's comparison text, in page units of the new text. */
  changes: TextChange[];
  clauses: Clause[];
}

/**
 * Watches a page: after DOM changes settle (debounced), brings its index up to date and reports what changed.
 * Returns a function that stops watching. For annotations, prefer `Anchorer.watch`, which re-anchors them.
 */
export function watch(
  root: Root | PageIndex,
  onChange: (change: PageChange) => void,
  options: WatchOptions = {},
): () => void {
  const index = indexOf(root);
  let reported = index.version;
  return watchPage(
    index,
    () => {
      index.refresh();
      if (index.version === reported) return;
      // refreshed more than once since the last report (the index is shared): only "everything" is accurate
      const full = index.version !== reported + 1 || index.lastChange.full;
      reported = index.version;
      onChange({ index, full, changes: full ? [] : index.lastChange.changes, clauses: index.clauses });
    },
    options,
  );
}
