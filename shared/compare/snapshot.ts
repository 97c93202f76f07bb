/**
 * Clause snapshots: a document's clause structure and text (not its HTML), small enough to keep with the
 * document in the team's room (`snapshots` map, keyed by `contentHash`), so a comparison still works after the
 * old page is taken down, and offline.
 *
 * A snapshot read from a room is untrusted: `parseSnapshot` checks its shape, its limits and that every hash
 * matches the text it claims to hash (a member cannot slip in a snapshot whose key or clause hashes lie).
 */
import { z } from 'zod';
import { createPageIndex, normalizeText } from '../anchoring/index.ts';
import { LIMITS, parseOrThrow, ValidationError } from '../model/annotation.ts';
import { hashText } from '../model/hash.ts';
import { readPageMetadata } from '../page/metadata.ts';
import { type ComparableClause, clausesOf } from './clauses.ts';

export const SNAPSHOT_VERSION = 1;

/**
 * Bounds of one snapshot. The longest corpus page (105,000 characters, 1,408 clauses) makes about 0.4 MB of
 * JSON; a room holds 16 MiB and a message 8 MiB, so a snapshot stays well inside both.
 */
export const SNAPSHOT_LIMITS = {
  clauses: 10_000,
  /** Own text of one clause, in UTF-16 units. */
  clauseChars: 100_000,
  /** All own texts together. */
  totalChars: 600_000,
  labelChars: LIMITS.labelChars,
  pathDepth: 16,
  /** UTF-8 size of the whole snapshot as JSON. */
  jsonBytes: 2 * 1024 * 1024,
} as const;

const hashSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

const snapshotClauseSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  level: z.number().int().min(1).max(SNAPSHOT_LIMITS.pathDepth),
  parent: z.number().int().min(-1),
  label: z.string().min(1).max(SNAPSHOT_LIMITS.labelChars),
  path: z.array(z.string().min(1).max(SNAPSHOT_LIMITS.labelChars)).min(1).max(SNAPSHOT_LIMITS.pathDepth),
  text: z.string().max(SNAPSHOT_LIMITS.clauseChars),
  kind: z.enum(['numbered', 'paragraph']),
  /** `hashText` of the normalised own text: the clause hash the anchoring library writes in ClauseSelectors. */
  hash: hashSchema,
});

export const clauseSnapshotSchema = z
  .strictObject({
    version: z.literal(SNAPSHOT_VERSION),
    title: z.string().max(LIMITS.titleChars),
    issuer: z.string().max(LIMITS.titleChars).optional(),
    docNumber: z.string().max(200).optional(),
    publishedAt: z.string().max(40).optional(),
    /** Hash of the clause structure (labels, nesting, clause hashes): the snapshot's key in a room. */
    contentHash: hashSchema,
    clauses: z.array(snapshotClauseSchema).max(SNAPSHOT_LIMITS.clauses),
  })
  .superRefine((snapshot, ctx) => {
    for (const issue of consistencyIssues(snapshot))
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  });

export type ClauseSnapshot = z.infer<typeof clauseSnapshotSchema>;
export type SnapshotClause = ClauseSnapshot['clauses'][number];

/** Reads a snapshot from untrusted data (a room, a file). Throws a ValidationError saying what is wrong. */
export function parseSnapshot(value: unknown): ClauseSnapshot {
  return parseOrThrow(clauseSnapshotSchema, value, 'clause snapshot');
}

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

/** UTF-8 size of the snapshot as JSON. */
export function snapshotBytes(snapshot: ClauseSnapshot): number {
  return new TextEncoder().encode(JSON.stringify(snapshot)).length;
}

function structureHash(clauses: readonly Pick<SnapshotClause, 'level' | 'parent' | 'label' | 'hash'>[]): string {
  return hashText(JSON.stringify([SNAPSHOT_VERSION, clauses.map((c) => [c.level, c.parent, c.label, c.hash])]));
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

type Issue = { message: string; path: (string | number)[] };

/** What makes a well-formed snapshot inconsistent: order, nesting, paths, hashes, size. */
function consistencyIssues(snapshot: ClauseSnapshot): Issue[] {
  const issues: Issue[] = [];
  const { clauses } = snapshot;
  for (let i = 0; i < clauses.length && issues.length < 10; i++) {
    const c = clauses[i]!;
    const at = ['clauses', i];
    const message = c.index !== i ? 'index must equal its position' : structureIssue(c, clauses);
    if (message) issues.push({ message, path: at });
  }
  if (issues.length) return issues;
  const total = clauses.reduce((n, c) => n + c.text.length, 0);
  if (total > SNAPSHOT_LIMITS.totalChars) return [{ message: 'text too long', path: ['clauses'] }];
  // hashes last: they cost a pass over the text
  for (let i = 0; i < clauses.length; i++) {
    if (hashText(normalizeText(clauses[i]!.text)) !== clauses[i]!.hash)
      return [{ message: 'hash does not match the text', path: ['clauses', i, 'hash'] }];
  }
  if (structureHash(clauses) !== snapshot.contentHash)
    return [{ message: 'does not match the clauses', path: ['contentHash'] }];
  return [];
}

function structureIssue(c: SnapshotClause, clauses: readonly SnapshotClause[]): string | null {
  if (c.path[c.path.length - 1] !== c.label) return 'path must end with the label';
  if (c.level !== c.path.length) return 'level must equal the path length';
  if (c.parent === -1) return c.level === 1 ? null : 'a top-level clause has level 1';
  if (c.parent >= c.index) return 'parent must come before the clause';
  const parent = clauses[c.parent]!;
  if (parent.level !== c.level - 1 || parent.path.some((label, k) => c.path[k] !== label))
    return 'path must extend the parent path';
  return null;
}
