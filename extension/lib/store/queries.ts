/**
 * Read-only queries over the store, usable from the background and from any extension page (side panel,
 * options). Every row is validated on the way out; corrupted rows are reported through `problems`, not passed on.
 */
import Dexie, { type IndexableType } from 'dexie';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { normaliseTag } from '../../../shared/model/tags.ts';
import { type StoredProblem, validRows } from './annotation-store.ts';
import type { PizhuDatabase, TagRow } from './db.ts';
import { searchIndex, tagIndex } from './search-index.ts';

export type QueryResult = { annotations: Annotation[]; problems: StoredProblem[] };
export type SearchResult = QueryResult & { total: number; totalExact: boolean };

const live = (result: QueryResult): QueryResult => ({
  annotations: result.annotations.filter((a) => !a.deleted),
  problems: result.problems,
});

function byCreation(a: Annotation, b: Annotation): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);
}

export class StoreQueries {
  constructor(private readonly db: PizhuDatabase) {}

  /** A page's live annotations, oldest first (what a page paints on load). */
  async byDocument(documentKey: string): Promise<QueryResult> {
    const result = live(validRows(await this.db.annotations.where('documentKey').equals(documentKey).toArray()));
    result.annotations.sort(byCreation);
    return result;
  }

  /** A page's live annotations in one clause (exact label path), oldest first. */
  async byClause(documentKey: string, clausePath: readonly string[]): Promise<QueryResult> {
    const rows = await this.db.annotations
      .where('[documentKey+clausePath]')
      .equals([documentKey, [...clausePath]] as unknown as IndexableType)
      .toArray();
    const result = live(validRows(rows));
    result.annotations.sort(byCreation);
    return result;
  }

  /** Live annotations carrying a tag (normalised as stored), newest first; only the first `limit` are read. */
  async byTag(tag: string, limit = 500): Promise<SearchResult> {
    const { hits, rows } = await this.db.transaction(
      'r',
      [this.db.searchTerms, this.db.searchEntries, this.db.annotations],
      async () => {
        const found = await tagIndex(this.db, normaliseTag(tag), limit);
        return { hits: found, rows: await this.db.annotations.bulkGet(found.ids) };
      },
    );
    const result = live(validRows(rows));
    return { ...result, total: hits.total, totalExact: true };
  }

  async byAuthor(authorId: string, limit = 500): Promise<QueryResult> {
    const rows = await this.db.annotations.where('author.id').equals(authorId).toArray();
    const result = live(validRows(rows));
    result.annotations.sort((a, b) => b.updatedAt - a.updatedAt);
    result.annotations.splice(limit);
    return result;
  }

  /** Live annotations updated at or after `since`, most recent first. */
  async updatedSince(since: number, limit = 500): Promise<QueryResult> {
    const rows = await this.db.annotations
      .where('updatedAt')
      .between(since, Dexie.maxKey, true, true)
      .reverse()
      .limit(limit)
      .toArray();
    return live(validRows(rows));
  }

  /** Text search over quotes and notes (Chinese and other languages); newest first, `total` may be "about". */
  async search(query: string, limit = 100): Promise<SearchResult> {
    // One read transaction for every step: each transaction of its own costs a round trip in Chromium.
    const { hits, rows } = await this.db.transaction(
      'r',
      [this.db.searchTerms, this.db.searchEntries, this.db.annotations],
      async () => {
        const found = await searchIndex(this.db, query, limit);
        return { hits: found, rows: await this.db.annotations.bulkGet(found.ids) };
      },
    );
    const result = live(validRows(rows));
    return { ...result, total: hits.total, totalExact: hits.totalExact };
  }

  /** The tag library, most used first. */
  async tagLibrary(): Promise<TagRow[]> {
    const rows = await this.db.tags.orderBy('count').reverse().toArray();
    return rows;
  }

  async documents(): Promise<DocumentInfo[]> {
    return this.db.documents.toArray();
  }
}
