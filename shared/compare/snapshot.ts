/**
 * Clause snapshots: a document's clause structure and text (not its HTML), small enough to keep with the
 * document in the team's room (`snapshots` map, keyed by `contentHash`), so a comparison still works after the
 * old page is taken down, and offline. Their shape and validation (`parseSnapshot`) are in snapshot-schema.ts.
 */
import { createPageIndex } from '../anchoring/index.ts';
import { LIMITS, ValidationError } from '../model/annotation.ts';
import { readPageMetadata } from '../page/metadata.ts';
import { type ComparableClause, clausesOf } from './clauses.ts';
import {
  type ClauseSnapshot,
  SNAPSHOT_LIMITS,
  SNAPSHOT_VERSION,
  snapshotBytes,
  structureHash,
} from './snapshot-schema.ts';

/** The snapshot of a page (or of an element's content). Throws a ValidationError when it exceeds the limits. */
export function snapshotOf(root: Document | Element): ClauseSnapshot {
  const index = createPageIndex(root);
  const clauses = clausesOf(index).map((c, i) => ({ ...c, hash: index.clauses[i]!.hash }));
  const doc = root.nodeType === 9 ? (root as Document) : (root as Element).ownerDocument;
  const meta = readPageMetadata(doc, doc.body?.textContent ?? '');
  const snapshot: ClauseSnapshot = {
    version: SNAPSHOT_VERSION,
    title: meta.title.slice(0, LIMITS.titleChars),
    ...(meta.issuer ? { issuer: meta.issuer.slice(0, LIMITS.titleChars) } : {}),
    ...(meta.docNumber ? { docNumber: meta.docNumber.slice(0, 200) } : {}),
    ...(meta.publishedAt ? { publishedAt: meta.publishedAt.slice(0, 40) } : {}),
    contentHash: structureHash(clauses),
    clauses,
  };
  const issues = limitIssues(snapshot);
  if (issues.length) throw new ValidationError('clause snapshot', issues);
  return snapshot;
}

/** The clauses of a snapshot as the comparison reads them. */
export function snapshotClauses(snapshot: ClauseSnapshot): ComparableClause[] {
  return snapshot.clauses.map(({ index, level, parent, label, path, text, kind }) => ({
    index,
    level,
    parent,
    label,
    path,
    text,
    kind,
  }));
}

function limitIssues(snapshot: ClauseSnapshot): string[] {
  const issues: string[] = [];
  if (snapshot.clauses.length > SNAPSHOT_LIMITS.clauses)
    issues.push(`more than ${SNAPSHOT_LIMITS.clauses} clauses (${snapshot.clauses.length})`);
  for (const c of snapshot.clauses) {
    if (c.text.length > SNAPSHOT_LIMITS.clauseChars) issues.push(`clause ${c.index} is longer than the limit`);
    if (c.path.length > SNAPSHOT_LIMITS.pathDepth) issues.push(`clause ${c.index} is nested too deep`);
    if (c.path.some((label) => label.length > SNAPSHOT_LIMITS.labelChars))
      issues.push(`clause ${c.index} has a long label`);
    if (issues.length >= 10) return issues;
  }
  const total = snapshot.clauses.reduce((n, c) => n + c.text.length, 0);
  if (total > SNAPSHOT_LIMITS.totalChars) issues.push(`text longer than ${SNAPSHOT_LIMITS.totalChars} characters`);
  else if (snapshotBytes(snapshot) > SNAPSHOT_LIMITS.jsonBytes)
    issues.push(`larger than ${SNAPSHOT_LIMITS.jsonBytes} bytes as JSON`);
  return issues;
}
