/**
 * The clauses of a document as the comparison sees them: the anchoring library's segmentation, each clause with
 * its own text (after its label, up to its first sub-clause), read from a live page or from a stored snapshot.
 */
import { createPageIndex, normalizeText, type PageIndex } from '../anchoring/index.ts';

export interface ComparableClause {
  /** Position in `segmentClauses()` order. */
  index: number;
  /** Nesting depth, 1 = top. */
  level: number;
  /** Index of the parent clause, or -1. */
  parent: number;
  /** The numbering token as printed ("二、", "（三）", "第十二条", "¶4"). */
  label: string;
  /** Labels from the top level down to this clause. */
  path: string[];
  /** Readable own text after the label, up to the first sub-clause (line breaks as "\n"). */
  text: string;
  /** 'paragraph' when the page has no numbering and its paragraphs stand in for clauses (labels "¶n"). */
  kind: 'numbered' | 'paragraph';
}

/** The clauses of a page (or of an element's content) with their own texts, in document order. */
export function readClauses(root: Document | Element): ComparableClause[] {
  return clausesOf(createPageIndex(root));
}

/** The comparable clauses of an anchoring page index (`index.clauses[i]` is the source of clause i). */
export function clausesOf(index: PageIndex): ComparableClause[] {
  return index.clauses.map((clause) => {
    // a paragraph standing in for a clause has no label in its text (its "¶n" is made up)
    const labelUnits = clause.kind === 'paragraph' ? 0 : normalizeText(clause.label).length;
    const ownStart = index.bodyStart + clause.start + labelUnits;
    const ownEnd = index.bodyStart + clause.ownEnd;
    return {
      index: clause.index,
      level: clause.level,
      parent: clause.parent,
      label: clause.label,
      path: [...clause.path],
      text: ownEnd > ownStart ? index.text.readable(ownStart, ownEnd) : '',
      kind: clause.kind,
    };
  });
}

/**
 * A label path as one string: labels that end in a Chinese character or full-width punctuation run straight
 * into the next ("二、8.", "第三章第十二条"), others are separated by a space ("I. A. (1)").
 */
export function pathText(path: readonly string[]): string {
  let out = '';
  for (const label of path) {
    if (out && !/[\u2e80-\uffef]$/u.test(out)) out += ' ';
    out += label;
  }
  return out;
}
