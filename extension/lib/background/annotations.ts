/**
 * The user's annotations and the documents they sit on: listing, creating, editing, deleting and restoring.
 *
 * Where annotations are written: a team annotation is written into its room, whose projection (rooms.ts) is
 * the only path into the annotations table for team data, local edits and colleagues' alike. A private
 * annotation has no room (it never leaves the device, so there is nothing to merge with and nothing to diverge
 * from): the store is its only copy, written through the same AnnotationStore that validates records and keeps
 * the search index and tag library in step.
 */
import type { Annotation, CarriedFrom, DocumentInfo } from '../../../shared/model/annotation.ts';
import { parseAnnotation, parseDocumentInfo } from '../../../shared/model/annotation.ts';
import { stripUndefined } from '../../../shared/model/objects.ts';
import { roomIdFor } from '../../../shared/model/room.ts';
import { PizhuError } from '../errors.ts';
import type { AnnotationPatch, NewAnnotation } from '../messages.ts';
import type { AnnotationStore, StoredProblem } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { StoreQueries } from '../store/queries.ts';
import type { TeamRow } from '../store/schema.ts';
import type { RoomRegistry } from '../sync/rooms.ts';
import type { SyncStatusTracker } from '../sync/status.ts';
import { background } from './background-task.ts';
import type { Membership } from './membership.ts';

export type AnnotationsNeeds = {
  db: PizhuDatabase;
  store: AnnotationStore;
  queries: StoreQueries;
  rooms: RoomRegistry;
  status: SyncStatusTracker;
  membership: Pick<Membership, 'team' | 'preferences' | 'localAuthorId'>;
  /** Sends a document's annotations again to the pages showing it. */
  notifyPages(documentKey: string): Promise<void>;
  /** A version of a document was annotated or read: its clause snapshot may be wanted (compare.ts). */
  versionRead(documentKey: string, contentHash: string): Promise<void>;
  now: () => number;
};

export class Annotations {
  constructor(private readonly needs: AnnotationsNeeds) {}

  async list(documentKey: string): Promise<Annotation[]> {
    const { annotations, problems } = await this.needs.queries.byDocument(documentKey);
    if (problems.length) background(this.repair(problems));
    return annotations;
  }

  async create(input: NewAnnotation, document: DocumentInfo): Promise<Annotation> {
    if (input.documentKey !== document.key) throw new PizhuError('page_mismatch');
    const annotation = await this.newAnnotation(input);
    const stored = await this.rememberDocument(document, true);
    await this.save(annotation, stored);
    // the first annotation of this version of the notice: keep its clause snapshot
    if (document.contentHash) background(this.needs.versionRead(document.key, document.contentHash));
    return annotation;
  }

  /**
   * Creates the user's annotation on a document this browser knows, not on the page in front of them (carrying
   * annotations over to a new version of a notice). The document is kept as stored; its text hash as first
   * annotated becomes the text as last read here, when it has none yet.
   */
  async annotateStored(input: NewAnnotation, documentKey: string, carriedFrom?: CarriedFrom): Promise<Annotation> {
    if (input.documentKey !== documentKey) throw new PizhuError('page_mismatch');
    const document = await this.storedDocument(documentKey);
    const annotation = await this.newAnnotation(input, carriedFrom);
    const stored =
      document.contentHash || !document.seenHash
        ? document
        : await this.needs.store.putDocument({ ...document, contentHash: document.seenHash });
    await this.save(annotation, stored);
    return annotation;
  }

  async update(id: string, patch: AnnotationPatch): Promise<Annotation> {
    const current = await this.needs.store.get(id);
    if (!current) throw new PizhuError('annotation_missing');
    const changes = stripUndefined(patch);
    if (current.visibility === 'team') {
      if (changes.visibility === 'private') throw new PizhuError('cannot_make_private');
      return this.changeInRoom(current, (latest) => ({ ...latest, ...changes }));
    }
    let next = parseAnnotation({ ...current, ...changes, updatedAt: this.nextUpdatedAt(current) });
    if (next.visibility === 'team') {
      const team = await this.needs.membership.team();
      if (!team) throw new PizhuError('join_to_share');
      next = { ...next, teamId: team.teamId };
    }
    await this.save(next);
    return next;
  }

  async setDeleted(id: string, deleted: boolean): Promise<Annotation> {
    const current = await this.needs.store.get(id);
    if (!current) throw new PizhuError('annotation_missing');
    if (current.visibility === 'team') return this.changeInRoom(current, (latest) => ({ ...latest, deleted }));
    const next = { ...current, deleted, updatedAt: this.nextUpdatedAt(current) };
    await this.save(next);
    return next;
  }

  /** Writes a new version of one of the user's own annotations (`updatedAt` moved on), by the ordinary path. */
  async rewrite(annotation: Annotation, change: Partial<Annotation>): Promise<void> {
    await this.save({ ...annotation, ...change, updatedAt: this.nextUpdatedAt(annotation) });
  }

  /** Team annotations go through their room (which projects them into the store); private ones straight in. */
  async save(annotation: Annotation, document?: DocumentInfo): Promise<void> {
    if (annotation.visibility === 'team') {
      if (!annotation.teamId) throw new PizhuError('annotation_no_team');
      const team = await this.needs.membership.team();
      refuseViewer(team, annotation);
      if (!team || team.teamId !== annotation.teamId) throw new PizhuError('annotation_other_team');
      const roomId = roomIdFor(annotation.teamId, annotation.documentKey);
      await this.needs.rooms.use(roomId, (room) => room.write(annotation, team.memberId, document));
      return;
    }
    await this.needs.store.put([annotation]);
    await this.needs.notifyPages(annotation.documentKey);
  }

  /**
   * Stores what the page says about itself. The content hash recorded is the text's when first annotated; the
   * hash of the text as read now is kept as `seenHash`, so a notice edited since is flagged (documentChanged).
   */
  async rememberDocument(document: DocumentInfo, annotating: boolean): Promise<DocumentInfo> {
    const { db, store } = this.needs;
    return db.transaction('rw', store.tables, async () => {
      const existing = await db.documents.get(document.key);
      const annotated = annotating || (await db.annotations.where('documentKey').equals(document.key).count()) > 0;
      const contentHash = (annotated && existing?.contentHash) || document.contentHash || existing?.contentHash;
      const next = {
        ...existing,
        ...(stripUndefined(document) as DocumentInfo),
        ...(contentHash ? { contentHash } : {}),
        ...(document.contentHash ? { seenHash: document.contentHash } : {}),
        readAt: this.needs.now(),
      };
      if (!annotated) delete next.contentHash;
      return store.putDocument(next);
    });
  }

  /** A document the store holds, validated; refused as unknown when it holds none. */
  async storedDocument(documentKey: string): Promise<DocumentInfo> {
    const row = await this.needs.db.documents.get(documentKey);
    if (!row) throw new PizhuError('document_unknown');
    return parseDocumentInfo(row);
  }

  /** Records the hash of a document's text as read now, when the document is known. */
  async documentSeen(documentKey: string, contentHash: string): Promise<void> {
    const existing = await this.needs.db.documents.get(documentKey);
    if (existing) await this.rememberDocument({ ...existing, contentHash }, false);
    await this.needs.versionRead(documentKey, contentHash);
  }

  /** A new annotation of the user's (not stored yet): author, team, visibility and colour as they apply. */
  private async newAnnotation(input: NewAnnotation, carriedFrom?: CarriedFrom): Promise<Annotation> {
    const { membership } = this.needs;
    const team = await membership.team();
    const preferences = await membership.preferences();
    const author = team
      ? { id: team.memberId, name: team.displayName }
      : { id: await membership.localAuthorId(), name: preferences.displayName ?? '我' };
    const now = this.needs.now();
    const visibility = team ? (input.visibility ?? preferences.defaultVisibility) : 'private';
    return parseAnnotation({
      ...input,
      tags: input.tags ?? [],
      note: input.note ?? '',
      replyTo: input.replyTo ?? null,
      id: crypto.randomUUID(),
      teamId: team?.teamId ?? null,
      color: input.color ?? preferences.defaultColor,
      visibility,
      author,
      ...(carriedFrom ? { carriedFrom } : {}),
      createdAt: now,
      updatedAt: now,
      deleted: false,
    });
  }

  /**
   * Changes a team annotation as it is in its room now, not as the store last saw it: a colleague's edit that
   * arrived a moment ago (and is not projected yet) is the base, so only the fields this change touches are
   * written and nothing of theirs is reverted. Reading and writing the doc happen in one synchronous step.
   */
  private async changeInRoom(current: Annotation, change: (latest: Annotation) => Annotation): Promise<Annotation> {
    const team = await this.needs.membership.team();
    refuseViewer(team, current);
    const roomId = roomIdFor(current.teamId!, current.documentKey);
    return this.needs.rooms.use(roomId, async (room) => {
      const latest = room.read(current.id) ?? current;
      const next = parseAnnotation({ ...change(latest), updatedAt: this.nextUpdatedAt(latest) });
      refuseOthersChange(team, latest, next);
      await room.write(next, team!.memberId);
      return next;
    });
  }

  private nextUpdatedAt(annotation: Annotation): number {
    return Math.max(this.needs.now(), annotation.updatedAt + 1);
  }

  /**
   * Damaged rows are never passed on nor deleted. A team record is re-read from its room, which holds the
   * truth; a damaged private record cannot be rebuilt and is reported.
   */
  private async repair(problems: StoredProblem[]): Promise<void> {
    const { db, rooms, store, status } = this.needs;
    const team = await this.needs.membership.team();
    for (const problem of problems) {
      const row = (await db.annotations.get(problem.id)) as Partial<Annotation> | undefined;
      if (team && row?.visibility === 'team' && row.teamId === team.teamId && typeof row.documentKey === 'string') {
        try {
          await rooms.use(roomIdFor(team.teamId, row.documentKey), (room) => room.reproject());
          if ((await store.get(problem.id).catch(() => undefined)) !== undefined) continue;
        } catch {
          // fall through to reporting
        }
      }
      // Hidden, and kept as it was.
      status.problem({ code: 'annotation_damaged', params: { id: problem.id }, detail: problem.error });
    }
  }
}

/** Colleagues' annotations: an owner may delete one (or take that back); nobody else changes them. */
function refuseOthersChange(team: TeamRow | undefined, before: Annotation, after: Annotation): void {
  if (!team || before.author.id === team.memberId) return;
  const onlyDeletion = (Object.keys(after) as (keyof Annotation)[]).every(
    (field) =>
      field === 'deleted' || field === 'updatedAt' || JSON.stringify(before[field]) === JSON.stringify(after[field]),
  );
  if (team.role === 'owner' && onlyDeletion) return;
  throw new PizhuError(team.role === 'owner' ? 'owner_delete_only' : 'author_only');
}

function refuseViewer(team: TeamRow | undefined, annotation: Annotation): void {
  if (team?.teamId === annotation.teamId && team.role === 'viewer') {
    throw new PizhuError('viewer_cannot_edit', { team: team.teamName });
  }
}
