/**
 * How a team's annotations of one policy page live in a Yjs document (a "room").
 *
 * Room id: `<teamId>.<documentKey>`. Layout of the Y.Doc:
 *   annotations: Y.Map<id, Y.Map>  one nested map per annotation; each field a JSON value, except
 *                                  `tags`, a Y.Map<tag, true>, so two people tagging at once both keep their tag
 *   document:    Y.Map<field, JSON> the page's metadata (DocumentInfo)
 * Field-level maps mean concurrent edits to different fields of one annotation (a colour here, a note there)
 * merge instead of one overwriting the other. teamId, documentKey and visibility are implied by the room and
 * never read from it, so a client cannot move an annotation into another team by writing a field.
 * Anything else a client puts in the doc is kept and synced but ignored by readers.
 */
import * as Y from 'yjs';
import {
  type Annotation,
  annotationSchema,
  type DocumentInfo,
  documentInfoSchema,
  describeIssues,
  idSchema,
} from './annotation.ts';

export const ANNOTATIONS_KEY = 'annotations';
export const DOCUMENT_KEY = 'document';

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

/** Fields stored per annotation in the room (the rest is implied by the room). */
const ROOM_FIELDS = [
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

export function annotationsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap(ANNOTATIONS_KEY);
}

export function documentMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(DOCUMENT_KEY);
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Writes a team annotation into the room, touching only the fields that differ, so unchanged fields keep
 * their history small and concurrent edits of other fields survive. Call inside a transaction if batching.
 */
export function writeAnnotation(doc: Y.Doc, annotation: Annotation, origin?: unknown): void {
  if (annotation.visibility !== 'team') throw new Error('Private annotations never go into a shared room');
  doc.transact(() => {
    const all = annotationsMap(doc);
    let record = all.get(annotation.id);
    if (!(record instanceof Y.Map)) {
      record = new Y.Map<unknown>();
      all.set(annotation.id, record);
    }
    for (const field of ROOM_FIELDS) {
      const value = annotation[field];
      if (!sameJson(record.get(field), value)) record.set(field, value);
    }
    let tags = record.get('tags');
    if (!(tags instanceof Y.Map)) {
      tags = new Y.Map<boolean>();
      record.set('tags', tags);
    }
    const tagMap = tags as Y.Map<boolean>;
    const wanted = new Set(annotation.tags);
    for (const tag of [...tagMap.keys()]) if (!wanted.has(tag)) tagMap.delete(tag);
    for (const tag of annotation.tags) if (!tagMap.has(tag)) tagMap.set(tag, true);
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

export function readAnnotation(
  doc: Y.Doc,
  room: { teamId: string; documentKey: string },
  id: string,
): { ok: true; annotation: Annotation } | { ok: false; error: string } | null {
  const record = annotationsMap(doc).get(id);
  if (record === undefined) return null;
  if (!(record instanceof Y.Map)) return { ok: false, error: 'not a map' };
  const plain: Record<string, unknown> = {};
  for (const field of ROOM_FIELDS) plain[field] = record.get(field);
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
  return { ok: true, annotation: parsed.data };
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
    if (!idSchema.safeParse(id).success) {
      result.invalid.push({ id: id.slice(0, 64), error: 'invalid id' });
      continue;
    }
    const read = readAnnotation(doc, room, id);
    if (read?.ok) result.annotations.push(read.annotation);
    else if (read) result.invalid.push({ id, error: read.error });
  }
  return result;
}

/** Ids of the annotations touched by a batch of deep-observed events on the annotations map. */
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
  const documentEntry: unknown = doc.share.get(DOCUMENT_KEY);
  const annotationIds = new Set<string>();
  let document = false;
  for (const [type, keys] of transaction.changed) {
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
