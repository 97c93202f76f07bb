/**
 * The comparison's reads (issue 20): the versions of a document, documents like it, every stored version newest
 * first or by title, and a version's snapshot. Each goes through an index and returns a bounded list of small
 * rows; only `snapshot` reads clause texts, and validates them (a damaged row is reported, never passed on).
 * Screens reach these through StoreQueries (`queries.versions`).
 */
import { type ClauseSnapshot, parseSnapshot } from '../../../shared/compare/index.ts';
import type { PizhuDatabase } from './db.ts';
import type { VersionRow } from './schema.ts';
import { titleTerms } from './snapshots.ts';
import { errorMessage } from '../errors.ts';

/** Versions a picker lists at first (and adds per "more"). */
export const VERSIONS_PAGE = 20;
/** The most versions one list returns. */
export const MAX_VERSIONS = 500;
/** Index entries read per title term when ranking similar titles: a term in more titles says little anyway. */
const MAX_POSTINGS = 1_000;
/** Share of a title's weight another title must share to count as similar (or have the same issuer). */
const SIMILAR_SHARE = 0.3;

export type VersionSummary = Omit<VersionRow, 'titleTerms' | 'bodyHash'> & {
  /** The page's address, when the document is known here. */
  url?: string;
  /** Taken from the page text this browser read last (the document's `seenHash`). */
  current: boolean;
};

export type SnapshotRead = { ok: true; snapshot: ClauseSnapshot } | { ok: false; problem: string } | null;

export class VersionQueries {
  constructor(private readonly db: PizhuDatabase) {}

  /** The versions of one document, newest first. */
  of(documentKey: string): Promise<VersionSummary[]> {
    const db = this.db;
    return db.transaction('r', [db.versions, db.documents], async () => {
      const rows = await db.versions.where('documentKey').equals(documentKey).limit(MAX_VERSIONS).toArray();
      return this.summaries(rows.sort(newestFirst));
    });
  }

  /**
   * Other documents like this one, most alike first: titles sharing terms (each weighted by how few titles have
   * it), or the same issuer. One version per document, its newest.
   */
  similar(document: { key: string; title: string; issuer?: string }, limit = VERSIONS_PAGE): Promise<VersionSummary[]> {
    const db = this.db;
    const terms = titleTerms(document.title);
    return db.transaction('r', [db.versions, db.documents], async () => {
      const total = await db.versions.count();
      const scores = new Map<string, number>();
      let ownWeight = 0;
      for (const term of terms) {
        const keys = (await db.versions.where('titleTerms').equals(term).limit(MAX_POSTINGS).primaryKeys()) as [
          string,
          string,
        ][];
        const weight = Math.log(1 + total / Math.max(1, keys.length));
        ownWeight += weight;
        for (const key of keys) addScore(scores, key, weight);
      }
      if (document.issuer) {
        const keys = (await db.versions.where('issuer').equals(document.issuer).limit(MAX_POSTINGS).primaryKeys()) as [
          string,
          string,
        ][];
        for (const key of keys) addScore(scores, key, ownWeight * SIMILAR_SHARE);
      }
      const best = new Map<string, { key: [string, string]; score: number }>();
      for (const [joined, score] of scores) {
        const key = JSON.parse(joined) as [string, string];
        if (key[0] === document.key || score < ownWeight * SIMILAR_SHARE) continue;
        const seen = best.get(key[0]);
        if (!seen || score > seen.score) best.set(key[0], { key, score });
      }
      const ranked = [...best.values()].sort((a, b) => b.score - a.score).slice(0, Math.min(limit, MAX_VERSIONS));
      const rows = (await db.versions.bulkGet(ranked.map((r) => r.key))).filter((r): r is VersionRow => !!r);
      return this.summaries(await this.newestOfEach(rows));
    });
  }

  /** Every stored version, newest first (any document: "or any stored document"). */
  recent(limit = VERSIONS_PAGE): Promise<VersionSummary[]> {
    const db = this.db;
    return db.transaction('r', [db.versions, db.documents], async () => {
      const rows = await db.versions.orderBy('storedAt').reverse().limit(Math.min(limit, MAX_VERSIONS)).toArray();
      return this.summaries(rows);
    });
  }

  /** Versions whose title holds every term of `text` (search-text's terms), newest first. */
  find(text: string, limit = VERSIONS_PAGE): Promise<VersionSummary[]> {
    const terms = titleTerms(text.slice(0, 100));
    if (!terms.length) return this.recent(limit);
    const db = this.db;
    return db.transaction('r', [db.versions, db.documents], async () => {
      // the rarest term through the index, the others checked on its rows
      const counts = await Promise.all(terms.map((term) => db.versions.where('titleTerms').equals(term).count()));
      const rarest = terms[counts.indexOf(Math.min(...counts))]!;
      const rows = await db.versions
        .where('titleTerms')
        .equals(rarest)
        .filter((row) => terms.every((term) => row.titleTerms.includes(term)))
        .limit(Math.min(limit, MAX_VERSIONS))
        .toArray();
      return this.summaries(rows.sort(newestFirst));
    });
  }

  /** A version's snapshot, validated; null when this browser has none. */
  async snapshot(documentKey: string, contentHash: string): Promise<SnapshotRead> {
    const row = await this.db.snapshots.get([documentKey, contentHash]);
    if (!row) return null;
    try {
      return { ok: true, snapshot: parseSnapshot(row.snapshot) };
    } catch (error) {
      return { ok: false, problem: errorMessage(error) };
    }
  }

  /** Each document's newest version among these (the others of theirs are read through their index). */
  private async newestOfEach(rows: VersionRow[]): Promise<VersionRow[]> {
    const newest: VersionRow[] = [];
    for (const row of rows) {
      const all = await this.db.versions.where('documentKey').equals(row.documentKey).toArray();
      newest.push(all.sort(newestFirst)[0] ?? row);
    }
    return newest;
  }

  private async summaries(rows: VersionRow[]): Promise<VersionSummary[]> {
    const keys = [...new Set(rows.map((r) => r.documentKey))];
    const documents = await this.db.documents.bulkGet(keys);
    const byKey = new Map(keys.map((key, i) => [key, documents[i]]));
    return rows.map(({ titleTerms: _terms, bodyHash, ...row }) => {
      const document = byKey.get(row.documentKey);
      return {
        ...row,
        ...(typeof document?.url === 'string' ? { url: document.url } : {}),
        current: Boolean(bodyHash && bodyHash === document?.seenHash),
      };
    });
  }
}

function newestFirst(a: VersionRow, b: VersionRow): number {
  return b.storedAt - a.storedAt || (a.contentHash < b.contentHash ? -1 : 1);
}

function addScore(scores: Map<string, number>, key: [string, string], weight: number): void {
  const joined = JSON.stringify(key);
  scores.set(joined, (scores.get(joined) ?? 0) + weight);
}
