/** The comparison's result types (the interface of issue 20). */
import type { ClauseEdit } from './edits.ts';

/** A clause on one side of a comparison. `index`: position in segmentClauses() order; `text`: own text. */
export type ClauseRef = { index: number; path: string; label: string; text: string };

export type ChangeStatus = 'unchanged' | 'modified' | 'added' | 'removed';

export type ClauseChange = {
  /** unchanged: equal after the anchoring library's normalisation. */
  status: ChangeStatus;
  /** null for added / removed. */
  before: ClauseRef | null;
  after: ClauseRef | null;
  /** The same clause under another label path (renumbered or moved to another section). */
  renumbered: boolean;
  /** 0..1: 1 unchanged, 0 added or removed; for modified clauses the share of the text kept. */
  similarity: number;
  /** Character-level, for modified clauses (empty otherwise); see edits.ts. */
  edits: ClauseEdit[];
};
