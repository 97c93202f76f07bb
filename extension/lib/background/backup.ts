/**
 * Local backup: everything as one W3C Web Annotation collection (shared/model/w3c.ts), and back. Import is
 * validated record by record (bad ones are listed, the rest imported) and idempotent by id: a record already
 * stored with the same or a newer `updatedAt` is left alone, so importing a file twice creates nothing new.
 * Imported records take the ordinary write path (team ones through their room).
 */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { fromAnnotationCollection, toAnnotationCollection } from '../../../shared/model/w3c.ts';
import { errorMessage, PizhuError } from '../errors.ts';
import { validRows } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { TeamRow } from '../store/schema.ts';

export type ImportSummary = {
  /** New or newer records written. */
  imported: number;
  /** Records already stored in this or a newer version. */
  unchanged: number;
  /** Records that could not be imported, each with the reason. */
  errors: string[];
};

export type ImportTarget = {
  existing(ids: string[]): Promise<(Annotation | undefined)[]>;
  rememberDocument(document: DocumentInfo): Promise<void>;
  save(annotation: Annotation): Promise<void>;
  team(): Promise<TeamRow | undefined>;
};

/** Every annotation (deleted ones too: this is a backup) and every document, as JSON text. */
export async function exportBackup(db: PizhuDatabase, now = Date.now()): Promise<string> {
  const { annotations, problems } = validRows(await db.annotations.toArray());
  if (problems.length) {
    console.warn(`[pizhu] ${problems.length} damaged annotation(s) left out of the backup`, problems);
  }
  const documents = await db.documents.toArray();
  const collection = toAnnotationCollection(annotations, documents, { label: 'Pizhu backup', generated: now });
  return JSON.stringify(collection, null, 1);
}

const MAX_LISTED_ERRORS = 50;

export async function importBackup(json: string, target: ImportTarget): Promise<ImportSummary> {
  const parsed = fromAnnotationCollection(json);
  const summary: ImportSummary = { imported: 0, unchanged: 0, errors: [] };
  const fileProblem = parsed.errors.find((e) => e.kind === 'collection');
  if (fileProblem && !parsed.annotations.length) {
    throw new PizhuError('not_a_backup', { detail: fileProblem.message }, fileProblem.message);
  }
  for (const problem of parsed.errors) {
    summary.errors.push(
      `${problem.kind}${problem.index !== null ? ` #${problem.index + 1}` : ''}${problem.id ? ` (${problem.id})` : ''}: ${problem.message}`,
    );
  }

  for (const document of parsed.documents) await target.rememberDocument(document);

  const existing = await target.existing(parsed.annotations.map((a) => a.id));
  const team = await target.team();
  for (const [i, annotation] of parsed.annotations.entries()) {
    const stored = existing[i];
    if (stored && typeof stored.updatedAt === 'number' && stored.updatedAt >= annotation.updatedAt) {
      summary.unchanged++;
      continue;
    }
    // A private record made before joining a team stays private and teamless; one of this team stays its own.
    const record =
      annotation.visibility === 'private' && annotation.teamId !== team?.teamId
        ? { ...annotation, teamId: null }
        : annotation;
    try {
      await target.save(record);
      summary.imported++;
    } catch (error) {
      summary.errors.push(`annotation ${annotation.id}: ${errorMessage(error)}`);
    }
  }
  summary.errors.splice(MAX_LISTED_ERRORS);
  return summary;
}
