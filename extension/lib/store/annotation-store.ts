/**
 * The one way annotations enter or leave the annotations table, and documents the documents table. Every
 * record is validated first (an invalid one refuses the whole batch and nothing is written), and the search
 * index and the library's counts change in the same transaction as the rows, so none of them can disagree.
 * Team annotations arrive here only through their room's projection (sync/rooms.ts); private ones, which have
 * no room, arrive from the background service.
 */
import {
  type Annotation,
  annotationSchema,
  type DocumentInfo,
  parseAnnotation,
  parseDocumentInfo,
} from '../../../shared/model/annotation.ts';
import type { PizhuDatabase } from './db.ts';
import { updateLibraryStats } from './library-stats.ts';
import { indexRecords, type Titles, unindexRecords } from './search-index.ts';
import { toStorageError } from './storage-errors.ts';

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
    return [db.annotations, db.documents, db.searchTerms, db.searchEntries, db.tags, db.documentStats, db.authors];
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
        const before = await this.db.annotations.bulkGet(valid.map((a) => a.id));
        await this.db.annotations.bulkPut(valid);
        await indexRecords(this.db, valid, await this.titles(valid.map((a) => a.documentKey)));
        await updateLibraryStats(
          this.db,
          valid.map((after, i) => ({ before: before[i], after })),
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
        const before = await this.db.annotations.bulkGet([...ids]);
        await this.db.annotations.bulkDelete([...ids]);
        await unindexRecords(this.db, ids);
        await updateLibraryStats(
          this.db,
          before.map((row) => ({ before: row, after: undefined })),
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
        const annotations = await this.db.annotations.where('documentKey').equals(parsed.key).toArray();
        await indexRecords(this.db, annotations, new Map([[parsed.key, parsed.title]]));
      });
    } catch (error) {
      throw toStorageError(error, 'the page');
    }
    return parsed;
  }

  /** The titles of these documents as stored, for the search text. */
  private async titles(documentKeys: readonly string[]): Promise<Titles> {
    const keys = [...new Set(documentKeys)];
    const rows = await this.db.documents.bulkGet(keys);
    return new Map(keys.map((key, i) => [key, rows[i]?.title ?? '']));
  }

  /** One annotation, validated; undefined when absent, an error naming the problem when the row is corrupted. */
  async get(id: string): Promise<Annotation | undefined> {
    const row = await this.db.annotations.get(id);
    if (row === undefined) return undefined;
    const { annotations, problems } = validRows([row]);
    if (problems.length) throw new Error(`The stored annotation ${id} is damaged (${problems[0]!.error})`);
    return annotations[0];
  }
}
