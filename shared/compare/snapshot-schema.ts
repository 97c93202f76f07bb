/**
 * The shape of a clause snapshot and its validation, without the DOM: the server checks what a member writes to
 * a room's `snapshots` map with the same `parseSnapshot` every reader uses (snapshot.ts makes snapshots of pages).
 *
 * A snapshot read from a room is untrusted: `parseSnapshot` checks its shape, its limits and that every hash
 * matches the text it claims to hash (a member cannot slip in a snapshot whose key or clause hashes lie).
 */
import { z } from 'zod';
import { normalizeText } from '../anchoring/normalize.ts';
import { LIMITS, parseOrThrow } from '../model/annotation.ts';
import { hashText } from '../model/hash.ts';

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

/** UTF-8 size of the snapshot as JSON. */
export function snapshotBytes(snapshot: ClauseSnapshot): number {
  return new TextEncoder().encode(JSON.stringify(snapshot)).length;
}

export function structureHash(clauses: readonly Pick<SnapshotClause, 'level' | 'parent' | 'label' | 'hash'>[]): string {
  return hashText(JSON.stringify([SNAPSHOT_VERSION, clauses.map((c) => [c.level, c.parent, c.label, c.hash])]));
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
