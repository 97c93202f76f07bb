/**
 * The requests of the comparison (issue 20), part of the contract in messages.ts: storing a page's clause
 * snapshot, carrying annotations over to a new version, and opening the comparison page. Snapshots arrive as
 * unknown values: the background parses them (shared/compare's parseSnapshot) before anything is stored.
 */
import { z } from 'zod';
import { type Annotation, idSchema, LIMITS, selectorSchema } from '../../shared/model/annotation.ts';
import { type Contract, request } from './contract.ts';
import type { ErrorInfo } from './errors.ts';

/** The most annotations carried over in one request ("carry all" sends a notice's worth). */
export const MAX_CARRIED = 2_000;

const bodyHashSchema = z.string().min(1).max(128);

const carryItemSchema = z.object({
  /** The annotation carried over. */
  from: idSchema,
  /** The new version's document. */
  documentKey: idSchema,
  selectors: z.array(selectorSchema).min(1).max(LIMITS.selectorsPerAnnotation),
  clausePath: z.array(z.string().min(1).max(LIMITS.labelChars)).max(LIMITS.clausePathDepth),
  quote: z.string().max(LIMITS.quoteChars),
});
export type CarryItem = z.infer<typeof carryItemSchema>;

/** The answer to `compare.carry` (annotations) and `tasks.carry` (tasks). */
export type CarryResult<T = Annotation> = {
  carried: T[];
  /** Carried over before (a record of the new version already links to them). */
  skipped: string[];
  /** Each with why, as an error's code and params (worded by the comparison page). */
  failed: { id: string; error: ErrorInfo }[];
};

/** What `snapshot.keep` did: the version stored, and whether the team's room of the page holds it. */
export type KeptVersion = { contentHash: string; shared: boolean };

export const COMPARE_REQUESTS = {
  /** A clause snapshot of a page as read now (from the page or the comparison page). */
  'snapshot.keep': request({
    documentKey: idSchema,
    bodyHash: bodyHashSchema.optional(),
    snapshot: z.unknown(),
  }).answers<KeptVersion>(),
  'compare.carry': request({ items: z.array(carryItemSchema).min(1).max(MAX_CARRIED) }).answers<CarryResult>(),
  /** Opens the comparison page for a document (asked from a page's own UI, which cannot open it itself). */
  'compare.open': request({ documentKey: idSchema }).answers<void>(),
} as const satisfies Contract;

/** What a page sends on its port when the background asked for a snapshot (`snapshot.wanted`). */
export const pageSnapshotSchema = z.object({
  type: z.literal('page.snapshot'),
  documentKey: idSchema,
  bodyHash: bodyHashSchema,
  snapshot: z.unknown(),
});

/** The comparison page's address: a document (to pick the other version for), or the two versions. */
export function comparePageUrl(query: { doc: string; tabId?: number }): string {
  const params = new URLSearchParams({ doc: query.doc });
  if (query.tabId !== undefined) params.set('tabId', String(query.tabId));
  return `/compare.html?${params}`;
}
