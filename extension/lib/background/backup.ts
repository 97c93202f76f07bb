/**
 * Local backup: everything as one W3C Web Annotation collection (shared/model/w3c.ts), and back. Import is
 * validated record by record (bad ones are listed, the rest imported) and idempotent by id: a record already
 * stored with the same or a newer `updatedAt` is left alone, so importing a file twice creates nothing new.
 * Imported records take the ordinary write path (team ones through their room).
 */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { fromAnnotationCollection, toAnnotationCollection } from '../../../shared/model/w3c.ts';
import { errorInfo, PizhuError } from '../errors.ts';
import type { ImportSummary } from '../messages.ts';
import { validRows } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { TeamRow } from '../store/schema.ts';

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
  for (const { kind, index, id, message } of parsed.errors) {
    const error = errorInfo(new PizhuError('invalid_input', { detail: message }, message));
    summary.errors.push({ kind, position: index === null ? null : index + 1, id, error });
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
      summary.errors.push({ kind: 'annotation', position: null, id: annotation.id, error: errorInfo(error) });
    }
  }
  summary.errors.splice(MAX_LISTED_ERRORS);
  return summary;
}

/** The backup as the background offers it: this browser's store out, a file in by the ordinary write path. */
export class Backup {
  constructor(
    private readonly db: PizhuDatabase,
    private readonly target: ImportTarget,
  ) {}

  export(): Promise<string> {
    return exportBackup(this.db);
  }

  import(json: string): Promise<ImportSummary> {
    return importBackup(json, this.target);
  }
}
