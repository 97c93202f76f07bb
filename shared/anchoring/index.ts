/**
 * Pizhu anchoring: a DOM-only library (browsers, jsdom, happy-dom) that finds the clauses of a policy notice,
 * describes highlights as W3C Web Annotation selectors refined by the clause they sit in, and finds them again
 * after the page changes, or says honestly that it cannot.
 *
 * Required entry points (stable):
 * - `segmentClauses(root)`: the clause tree of the page body, in document order.
 * - `describe(root, range)`: selectors for a DOM Range (TextQuoteSelector, TextPositionSelector, ClauseSelector).
 * - `anchor(root, selectors)`: `{ status: 'exact' | 'fuzzy' | 'orphan' | 'ambiguous', range }`.
 *
 * All three share one index per root (text model, body, clauses, bigram index), created on first use and
 * refreshed automatically when the DOM changed (see page-index.ts). `root` may be a Document (its body may sit in
 * a same-origin or srcdoc iframe) or an Element.
 */
import type { Selector } from '../model/annotation.ts';
import { type AnchorResult, anchorSelectors } from './anchor.ts';
import type { Clause } from './clauses.ts';
import { describeRange } from './describe.ts';
import type { Root } from './dom.ts';
import { AnchoringError } from './errors.ts';
import { PageIndex, pageIndexFor } from './page-index.ts';

export type { AnchorResult, AnchorStatus } from './anchor.ts';
export type { Clause } from './clauses.ts';
export type { Root } from './dom.ts';
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
export function segmentClauses(root: Root): Clause[] {
  return indexOf(root).clauses;
}

/** W3C selectors (quote, position, clause) for a DOM Range on this page. Throws AnchoringError on bad input. */
export function describe(root: Root, range: Range): Selector[] {
  return describeRange(indexOf(root), range);
}

/** Finds selectors on this page again: exact, fuzzy, or an honest orphan / ambiguous (range null). */
export function anchor(root: Root, selectors: Selector[]): AnchorResult {
  return anchorSelectors(indexOf(root), selectors);
}

/** The shared index of a page (for many anchors, incremental updates and watching). */
export function createPageIndex(root: Root): PageIndex {
  return pageIndexFor(checkRoot(root));
}

/** The detected document body (possibly inside a same-origin iframe). */
export function findBody(root: Root | PageIndex): Element | null {
  return indexOf(root).body;
}
