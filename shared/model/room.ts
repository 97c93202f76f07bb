/**
 * How a team's annotations of one policy page live in a Yjs document (a "room"): layout version 2
 * (docs/room-layout.md). Every entry sits under a key that says who may write it, so the server can check an
 * update before storing it and readers can ignore what breaks the rules.
 *
 * Room id: `<teamId>.<documentKey>`. Root maps of the Y.Doc:
 *   notes:       `<memberId>/<annotationId>` → the annotation record (JSON, replaced whole), written only by
 *                that member and only with `author.id` equal to it
 *   removed:     `<memberId>/<annotationId>` → `{ by, at }`: an owner deleted that member's annotation
 *   document:    field → JSON, the page's metadata (DocumentInfo)
 *   snapshots:   content hash → a clause snapshot of one version of the page (shared/compare), insert only
 *   annotations: version 1 (one nested Y.Map per annotation): read-only legacy, read when `notes` has no
 *                record with that id; editing or deleting such an annotation writes version 2 entries
 * teamId, documentKey and visibility are implied by the room and never read from it, so a client cannot move an
 * annotation into another team by writing a field. Anything else a client puts in the doc is ignored by readers
 * (and refused by the server).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import {
  type Annotation,
  annotationSchema,
  type DocumentInfo,
  describeIssues,
  documentInfoSchema,
  epochMs,
  idSchema,
} from './annotation.ts';

export const NOTES_KEY = 'notes';
export const REMOVED_KEY = 'removed';
export const DOCUMENT_KEY = 'document';
/** Clause snapshots of the page's versions (values: shared/compare's ClauseSnapshot, keyed by its contentHash). */
export const SNAPSHOTS_KEY = 'snapshots';
/**
 * The most snapshots a page room holds. A notice has a handful of versions; a page whose text changes at every
 * visit (a live feed) would otherwise fill its room. Further versions are kept in the browser that saw them.
 */
export const MAX_SNAPSHOTS_PER_ROOM = 20;
/** Version 1: read-only. */
export const ANNOTATIONS_KEY = 'annotations';

const ROOM_ID = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})$/;

export function roomIdFor(teamId: string, documentKey: string): string {
  const room = `${teamId}.${documentKey}`;
  if (!ROOM_ID.test(room)) throw new Error(`Not a valid room id: "${room.slice(0, 140)}"`);
  return room;
}

export function parseRoomId(room: string): { teamId: string; documentKey: string } | null {
  const match = ROOM_ID.exec(room);
  return match ? { teamId: match[1]!, documentKey: match[2]! } : null;
}

/** The key of a member's entry in `notes` or `removed`. */
export function memberKey(memberId: string, annotationId: string): string {
  return `${memberId}/${annotationId}`;
}

/** Two ids (idSchema) joined by a slash. */
const MEMBER_KEY = /^([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})$/;

/** `<memberId>/<annotationId>` with both parts valid ids, or null. */
export function parseMemberKey(key: string): { memberId: string; id: string } | null {
  const match = MEMBER_KEY.exec(key);
  return match ? { memberId: match[1]!, id: match[2]! } : null;
}

/** An annotation as stored under `notes`: the Annotation without what the room implies. */
export const noteRecordSchema = annotationSchema.omit({ teamId: true, documentKey: true, visibility: true });
export type NoteRecord = z.infer<typeof noteRecordSchema>;

/** An owner's deletion of someone else's annotation, under `removed`. */
export const removalSchema = z.object({ by: idSchema, at: epochMs });
export type Removal = z.infer<typeof removalSchema>;

/** Fields of a version 1 record (one nested Y.Map per annotation, tags as a Y.Map). */
export const LEGACY_FIELDS = [
  'selectors',
  'clausePath',
  'quote',
  'note',
  'color',
  'author',
  'replyTo',
  'createdAt',
  'updatedAt',
  'deleted',
] as const satisfies readonly (keyof Annotation)[];

export function notesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(NOTES_KEY);
}

export function removedMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(REMOVED_KEY);
}

export function documentMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(DOCUMENT_KEY);
}

export function snapshotsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(SNAPSHOTS_KEY);
}

/** Version 1 annotations (read-only). */
export function annotationsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap(ANNOTATIONS_KEY);
}

/** Defines the root maps of a page room, so every transaction names them by the types readers use. */
export function definePageRoom(doc: Y.Doc): void {
  notesMap(doc);
  removedMap(doc);
  documentMap(doc);
  snapshotsMap(doc);
  annotationsMap(doc);
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function toNoteRecord(annotation: Annotation): NoteRecord {
  const { teamId: _teamId, documentKey: _documentKey, visibility: _visibility, ...record } = annotation;
  return record;
}

export class NotAllowedError extends Error {
  override name = 'NotAllowedError';
}

/**
 * Writes a team annotation as `writerId` (the member writing, who must be allowed to: the server refuses the
 * rest). The author writes the whole record under their own key; anyone else can only delete it (an owner: a
 * `removed` entry) or take that deletion back. Unchanged records write nothing. Call inside a transaction if
 * batching.
 */
export function writeAnnotation(doc: Y.Doc, annotation: Annotation, writerId: string, origin?: unknown): void {
  if (annotation.visibility !== 'team') throw new Error('Private annotations never go into a shared room');
  const key = memberKey(annotation.author.id, annotation.id);
  doc.transact(() => {
    if (annotation.author.id === writerId) {
      const record = toNoteRecord(annotation);
      if (!sameJson(notesMap(doc).get(key), record)) notesMap(doc).set(key, record);
      return;
    }
    const removed = removedMap(doc);
    if (annotation.deleted) {
      if (!removed.has(key)) removed.set(key, { by: writerId, at: annotation.updatedAt } satisfies Removal);
    } else if (removed.has(key)) {
      removed.delete(key);
    } else {
      throw new NotAllowedError('Only its author can change an annotation');
    }
  }, origin);
}

export function writeDocumentInfo(doc: Y.Doc, info: DocumentInfo, origin?: unknown): void {
  doc.transact(() => {
    const map = documentMap(doc);
    for (const [field, value] of Object.entries(info)) {
      if (value !== undefined && !sameJson(map.get(field), value)) map.set(field, value);
    }
  }, origin);
}

export type RoomReadResult = {
  document: DocumentInfo | null;
  annotations: Annotation[];
  /** Records that failed validation: skipped, never fatal. */
  invalid: { id: string; error: string }[];
};

type RoomPlace = { teamId: string; documentKey: string };
export type AnnotationRead = { ok: true; annotation: Annotation } | { ok: false; error: string };

/**
 * Where the version 2 records are: annotation id → its key under `notes`. One pass over the map; when several
 * members wrote the same id (the server refuses this), the smallest key wins on every replica.
 */
function noteKeysById(doc: Y.Doc, wanted?: ReadonlySet<string>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const key of notesMap(doc).keys()) {
    // The id follows the only '/': keys of other ids are skipped before the full parse (the index reads a few
    // ids of a room of thousands with every batch).
    if (wanted && !wanted.has(key.slice(key.indexOf('/') + 1))) continue;
    const parsed = parseMemberKey(key);
    if (!parsed) continue;
    const seen = keys.get(parsed.id);
    if (seen === undefined || key < seen) keys.set(parsed.id, key);
  }
  return keys;
}

/** Every annotation id in the room, version 2 and version 1. */
export function annotationIdsOf(doc: Y.Doc): string[] {
  const ids = new Set(noteKeysById(doc).keys());
  for (const id of annotationsMap(doc).keys()) ids.add(id);
  return [...ids];
}

/** Reads one annotation: its version 2 record, else its version 1 record; null when the room has neither. */
export function readAnnotation(doc: Y.Doc, room: RoomPlace, id: string): AnnotationRead | null {
  return readAnnotations(doc, room, [id]).get(id) ?? null;
}

/** Reads these annotations (one pass over `notes`); ids the room does not hold are absent from the result. */
export function readAnnotations(doc: Y.Doc, room: RoomPlace, ids: Iterable<string>): Map<string, AnnotationRead> {
  const wanted = new Set(ids);
  const keys = noteKeysById(doc, wanted);
  const result = new Map<string, AnnotationRead>();
  for (const id of wanted) {
    const key = keys.get(id);
    const read = key !== undefined ? readNote(doc, room, key) : readLegacy(doc, room, id);
    if (read) result.set(id, read);
  }
  return result;
}

function readNote(doc: Y.Doc, room: RoomPlace, key: string): AnnotationRead {
  const { memberId, id } = parseMemberKey(key)!;
  const parsed = noteRecordSchema.safeParse(notesMap(doc).get(key));
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error).join('; ') };
  const record = parsed.data;
  if (record.id !== id) return { ok: false, error: 'id differs from its key' };
  if (record.author.id !== memberId) return { ok: false, error: 'author differs from its key' };
  return finish({ ...record, teamId: room.teamId, documentKey: room.documentKey, visibility: 'team' }, doc);
}

function readLegacy(doc: Y.Doc, room: RoomPlace, id: string): AnnotationRead | null {
  const record = annotationsMap(doc).get(id);
  if (record === undefined) return null;
  if (!(record instanceof Y.Map)) return { ok: false, error: 'not a map' };
  const plain: Record<string, unknown> = {};
  for (const field of LEGACY_FIELDS) plain[field] = record.get(field);
  const tags = record.get('tags');
  plain.tags = tags instanceof Y.Map ? tagsInCreationOrder(tags) : [];
  const parsed = annotationSchema.safeParse({
    ...plain,
    id,
    teamId: room.teamId,
    documentKey: room.documentKey,
    visibility: 'team',
  });
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error).join('; ') };
  return finish(parsed.data, doc);
}

/** An id listed in `removed` (under its author's key) reads as deleted, whatever its record says. */
function finish(annotation: Annotation, doc: Y.Doc): AnnotationRead {
  if (!annotation.deleted) {
    const removal = removalSchema.safeParse(removedMap(doc).get(memberKey(annotation.author.id, annotation.id)));
    if (removal.success) return { ok: true, annotation: { ...annotation, deleted: true } };
  }
  return { ok: true, annotation };
}

/**
 * Y.Map iterates keys in the order this replica applied them, which differs between replicas; order tags by
 * the Lamport-ish id of the item that created them so every replica reads the same list.
 */
function tagsInCreationOrder(tags: Y.Map<unknown>): string[] {
  return [...tags._map.entries()]
    .filter(([, item]) => !item.deleted)
    .sort(([, x], [, y]) => x.id.clock - y.id.clock || x.id.client - y.id.client)
    .map(([tag]) => tag);
}

export function readDocumentInfo(doc: Y.Doc): DocumentInfo | null {
  const parsed = documentInfoSchema.safeParse(documentMap(doc).toJSON());
  return parsed.success ? parsed.data : null;
}

/** Decodes every annotation in the room; invalid or foreign content is reported and skipped. */
export function readRoom(doc: Y.Doc, roomId: string): RoomReadResult {
  const room = parseRoomId(roomId);
  if (!room) throw new Error(`Not a valid room id: "${roomId.slice(0, 140)}"`);
  const result: RoomReadResult = { document: readDocumentInfo(doc), annotations: [], invalid: [] };
  for (const id of annotationsMap(doc).keys()) {
    if (!idSchema.safeParse(id).success) result.invalid.push({ id: id.slice(0, 64), error: 'invalid id' });
  }
  const ids = annotationIdsOf(doc).filter((id) => idSchema.safeParse(id).success);
  for (const [id, read] of readAnnotations(doc, room, ids)) {
    if (read.ok) result.annotations.push(read.annotation);
    else result.invalid.push({ id, error: read.error });
  }
  return result;
}

/** The annotation id of a `notes` / `removed` key, or null. */
function idOfMemberKey(key: string): string | null {
  return parseMemberKey(key)?.id ?? null;
}

/** Ids of the annotations touched by a batch of deep-observed events on the version 1 annotations map. */
export function touchedAnnotationIds(events: readonly Y.YEvent<Y.AbstractType<unknown>>[]): Set<string> {
  const ids = new Set<string>();
  const root = (events[0]?.currentTarget ?? null) as Y.AbstractType<unknown> | null;
  for (const event of events) {
    if (event.target === root && event instanceof Y.YMapEvent) {
      for (const key of event.keysChanged) ids.add(key);
      continue;
    }
    // Walk up to the child of the root map: its key is the annotation id.
    let type: Y.AbstractType<unknown> | null = event.target;
    while (type?._item && type._item.parent !== root) type = type._item.parent as Y.AbstractType<unknown>;
    const key = type?._item?.parentSub;
    if (key) ids.add(key);
  }
  return ids;
}

/** Ids of the annotations touched by changed keys of `notes` or `removed`. */
export function idsOfMemberKeys(keys: Iterable<string>): Set<string> {
  const ids = new Set<string>();
  for (const key of keys) {
    const id = idOfMemberKey(key);
    if (id) ids.add(id);
  }
  return ids;
}

/**
 * What one transaction changed in a room: the annotations it touched and whether it touched the document
 * entry. Read from `transaction.changed` (types that existed before it and changed, with the keys), which Yjs
 * keeps anyway; a deep observer would make Yjs build and sort events before the update is even emitted.
 */
export function changesOfTransaction(transaction: Y.Transaction): { annotationIds: Set<string>; document: boolean } {
  const doc = transaction.doc;
  // doc.share, not getMap: getMap would replace a root type the document has not defined yet, and the
  // transaction names the type it had then.
  const annotations: unknown = doc.share.get(ANNOTATIONS_KEY);
  const notes: unknown = doc.share.get(NOTES_KEY);
  const removed: unknown = doc.share.get(REMOVED_KEY);
  const documentEntry: unknown = doc.share.get(DOCUMENT_KEY);
  const annotationIds = new Set<string>();
  let document = false;
  for (const [type, keys] of transaction.changed) {
    if (type === notes || type === removed) {
      for (const key of keys) {
        const id = key === null ? null : idOfMemberKey(key);
        if (id) annotationIds.add(id);
      }
      continue;
    }
    if (type === annotations) {
      for (const key of keys) if (key !== null) annotationIds.add(key);
      continue;
    }
    // Walk up to a root: the annotation id is the key of the ancestor that sits directly in the annotations map.
    let current = type;
    while (current._item && current._item.parent !== annotations) current = current._item.parent as typeof type;
    if (current._item?.parentSub) annotationIds.add(current._item.parentSub);
    else if (current === documentEntry) document = true;
  }
  return { annotationIds, document };
}
