/**
 * The one way clause snapshots enter the store: a version row (what the comparison's picker reads) and the
 * snapshot itself, written together. Snapshots arrive validated (the background parses what a page sends, a
 * room's projection reads only valid ones); a version is stored once and never changed, except that the page
 * text it was taken from (`bodyHash`) is recorded when this browser takes a version it first received from the
 * team.
 */
import type { ClauseSnapshot } from '../../../shared/compare/index.ts';
import type { PizhuDatabase } from './db.ts';
import type { VersionRow } from './schema.ts';
import { indexTerms, normaliseForSearch } from './search-text.ts';
import { toStorageError } from './storage-errors.ts';

/** A title's terms for finding similar titles: CJK bigrams and words (single characters say too little). */
export function titleTerms(title: string): string[] {
  return [...indexTerms(normaliseForSearch(title))].filter((term) => [...term].length > 1);
}

export class SnapshotStore {
  constructor(private readonly db: PizhuDatabase) {}

  /** The tables a write touches; callers that batch a write with others include these in their transaction. */
  get tables() {
    return [this.db.versions, this.db.snapshots];
  }

  /** Stores a version of a document unless known; returns whether it was new. */
  async keep(documentKey: string, snapshot: ClauseSnapshot, bodyHash?: string, now = Date.now()): Promise<boolean> {
    const key: [string, string] = [documentKey, snapshot.contentHash];
    try {
      return await this.db.transaction('rw', this.tables, async () => {
        const known = await this.db.versions.get(key);
        if (known) {
          if (bodyHash && !known.bodyHash) await this.db.versions.put({ ...known, bodyHash });
          return false;
        }
        const row: VersionRow = {
          documentKey,
          contentHash: snapshot.contentHash,
          storedAt: now,
          ...(bodyHash ? { bodyHash } : {}),
          title: snapshot.title,
          ...(snapshot.issuer ? { issuer: snapshot.issuer } : {}),
          ...(snapshot.docNumber ? { docNumber: snapshot.docNumber } : {}),
          ...(snapshot.publishedAt ? { publishedAt: snapshot.publishedAt } : {}),
          clauses: snapshot.clauses.length,
          titleTerms: titleTerms(snapshot.title),
        };
        await this.db.versions.put(row);
        await this.db.snapshots.put({ documentKey, contentHash: snapshot.contentHash, snapshot });
        return true;
      });
    } catch (error) {
      throw toStorageError(error, 'the version of this page');
    }
  }

  /** The versions of a document this browser holds (small rows). */
  versionsOf(documentKey: string): Promise<VersionRow[]> {
    return this.db.versions.where('documentKey').equals(documentKey).toArray();
  }

  /** A stored snapshot as stored (validate before use). */
  async snapshot(documentKey: string, contentHash: string): Promise<unknown> {
    return (await this.db.snapshots.get([documentKey, contentHash]))?.snapshot;
  }
}
