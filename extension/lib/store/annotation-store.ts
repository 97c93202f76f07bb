/**
 * The one way annotations enter or leave the annotations table, and documents the documents table. Every
 * record is validated first (an invalid one refuses the whole batch and nothing is written), and the search
 * index and the library's counts change in the same transaction as the rows, so none of them can disagree.
 * Team annotations arrive here only through their room's projection (sync/rooms.ts); private ones, which have
 * no room, arrive from the background service.
 *
 * Rows keep the tags their authors wrote; the index and the counts hold them as the team reads them now (through
 * its tag renames, vocabulary.ts). A record arriving later with an old tag is counted under the new one, and a
 * rename arriving later re-derives just the records that carry a tag it re-maps (`retag`).
 */
import {
  type Annotation,
  annotationSchema,
  type DocumentInfo,
  parseAnnotation,
  parseDocumentInfo,
} from '../../../shared/model/annotation.ts';
import { PizhuError } from '../errors.ts';
import type { TagResolver } from '../../../shared/model/tag-renames.ts';
import type { PizhuDatabase } from './db.ts';
import { updateLibraryStats } from './library-stats.ts';
import { indexRecords, type Titles, unindexRecords } from './search-index.ts';
import { toStorageError } from './storage-errors.ts';
import { readingAs, storedTagResolver } from './vocabulary.ts';

/** Records re-derived per step when renames re-map many of them, so memory stays flat. */
const RETAG_BATCH = 2_000;

export type StoredProblem = { id: string; error: string };

/** Rows read back from IndexedDB are validated too: a corrupted one is reported, never passed on. */
export function validRows(rows: readonly unknown[]): { annotations: Annotation[]; problems: StoredProblem[] } {
  const annotations: Annotation[] = [];
  const problems: StoredProblem[] = [];
  for (const row of rows) {
    if (row === undefined) continue;
    const parsed = annotationSchema.safeParse(row);
    if (parsed.success) annotations.push(parsed.data);
    else {
      const id = typeof (row as { id?: unknown })?.id === 'string' ? (row as { id: string }).id.slice(0, 64) : '?';
      problems.push({
        id,
        error: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; '),
      });
    }
  }
  return { annotations, problems };
}

export class AnnotationStore {
  constructor(readonly db: PizhuDatabase) {}

  /** The tables a write touches; callers that batch a write with others include these in their transaction. */
  get tables() {
    const db = this.db;
    return [
      db.annotations,
      db.documents,
      db.searchTerms,
      db.searchEntries,
      db.tags,
      db.documentStats,
      db.authors,
      db.tagRenames,
    ];
  }

  /** Stores the current state of these annotations (last one wins for a repeated id). */
  async put(records: readonly unknown[]): Promise<Annotation[]> {
    const latest = new Map<string, Annotation>();
    for (const record of records) {
      const annotation = parseAnnotation(record);
      latest.set(annotation.id, annotation);
    }
    const valid = [...latest.values()];
    if (!valid.length) return [];
    try {
      await this.db.transaction('rw', this.tables, async () => {
        const resolve = await storedTagResolver(this.db.tagRenames);
        const before = await this.db.annotations.bulkGet(valid.map((a) => a.id));
        await this.db.annotations.bulkPut(valid);
        await this.derive(
          valid.map((after, i) => ({ before: before[i], after })),
          resolve,
          resolve,
        );
      });
    } catch (error) {
      throw toStorageError(error, valid.length === 1 ? 'this annotation' : `${valid.length} annotations`);
    }
    return valid;
  }

  /** Removes annotations entirely (leaving a team); a deletion by the user is a `deleted` flag, not this. */
  async remove(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    try {
      await this.db.transaction('rw', this.tables, async () => {
        const resolve = await storedTagResolver(this.db.tagRenames);
        const before = await this.db.annotations.bulkGet([...ids]);
        await this.db.annotations.bulkDelete([...ids]);
        await unindexRecords(this.db, ids);
        await updateLibraryStats(
          this.db,
          before.map((row) => ({ before: row && readingAs(row, resolve), after: undefined })),
        );
      });
    } catch (error) {
      throw toStorageError(error, 'the change');
    }
  }

  /**
   * Stores what is known of a document (validated). Its title is part of the search text of its annotations, so
   * a new title re-indexes them in the same transaction.
   */
  async putDocument(document: DocumentInfo): Promise<DocumentInfo> {
    const parsed = parseDocumentInfo(document);
    try {
      await this.db.transaction('rw', this.tables, async () => {
        const before = await this.db.documents.get(parsed.key);
        await this.db.documents.put(parsed);
        if (before?.title === parsed.title) return;
        const resolve = await storedTagResolver(this.db.tagRenames);
        const annotations = await this.db.annotations.where('documentKey').equals(parsed.key).toArray();
        await indexRecords(
          this.db,
          annotations.map((row) => readingAs(row, resolve)),
          new Map([[parsed.key, parsed.title]]),
        );
      });
    } catch (error) {
      throw toStorageError(error, 'the page');
    }
    return parsed;
  }

  /**
   * The team's renames changed: the records carrying one of these tags (as written) read differently, so their
   * index entries and counts move from the tags they read as `before` to those they read as `after`. Runs in the
   * caller's transaction (the team room's commit), over the records found through the index of written tags.
   */
  async retag(tags: readonly string[], before: TagResolver, after: TagResolver): Promise<number> {
    if (!tags.length) return 0;
    const ids = (await this.db.annotations
      .where('tags')
      .anyOf([...tags])
      .primaryKeys()) as string[];
    const unique = [...new Set(ids)];
    for (let from = 0; from < unique.length; from += RETAG_BATCH) {
      const rows = await this.db.annotations.bulkGet(unique.slice(from, from + RETAG_BATCH));
      const present = rows.filter((row): row is Annotation => row !== undefined);
      await this.derive(
        present.map((row) => ({ before: row, after: row })),
        before,
        after,
      );
    }
    return unique.length;
  }

  /**
   * Brings the search index and the library's counts from each record's `before` state, read through the renames
   * `readBefore` (what they were derived with), to its `after` state read through `readAfter`.
   */
  private async derive(
    changes: readonly { before: Annotation | undefined; after: Annotation }[],
    readBefore: TagResolver,
    readAfter: TagResolver,
  ): Promise<void> {
    const after = changes.map((change) => readingAs(change.after, readAfter));
    await indexRecords(this.db, after, await this.titles(after.map((a) => a.documentKey)));
    await updateLibraryStats(
      this.db,
      changes.map((change, i) => ({ before: change.before && readingAs(change.before, readBefore), after: after[i] })),
    );
  }

  /** The titles of these documents as stored, for the search text. */
  private async titles(documentKeys: readonly unknown[]): Promise<Titles> {
    // Damaged rows (re-derived by retag) may lack a document key: they are not indexed, and no title is needed.
    const keys = [...new Set(documentKeys.filter((key): key is string => typeof key === 'string'))];
    const rows = await this.db.documents.bulkGet(keys);
    return new Map(keys.map((key, i) => [key, rows[i]?.title ?? '']));
  }

  /** One annotation, validated; undefined when absent, an error naming the problem when the row is corrupted. */
  async get(id: string): Promise<Annotation | undefined> {
    const row = await this.db.annotations.get(id);
    if (row === undefined) return undefined;
    const { annotations, problems } = validRows([row]);
    if (problems.length) throw new PizhuError('annotation_damaged', { id }, problems[0]!.error);
    return annotations[0];
  }
}
