/** Annotation records and Yjs helpers shared by the server's integration tests. */
import * as Y from 'yjs';
import { type Annotation, annotationIdsOf, memberKey, notesMap, writeAnnotation } from '../../../shared/model/index.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';

export function annotation(
  id: string,
  teamId: string,
  documentKey: string,
  extra: Partial<Annotation> = {},
): Annotation {
  return sampleAnnotation({ id, teamId, documentKey, ...extra });
}

export function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b)));
}

/** JSON with object keys sorted: Y.Map iteration order differs between replicas holding the same content. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The author record of a member as the tests join them. */
export function authorOf(member: { memberId: string }, name = '成员'): Annotation['author'] {
  return { id: member.memberId, name };
}

/** Writes an annotation as its author (room layout version 2: the server refuses anyone else's records). */
export function writeOwn(doc: Y.Doc, record: Annotation): void {
  writeAnnotation(doc, record, record.author.id);
}

/** Whether the room holds an annotation with this id (version 2 or version 1). */
export function holds(doc: Y.Doc, id: string): boolean {
  return annotationIdsOf(doc).includes(id);
}

/** Writes (or replaces) a member's note `id` with this text: a small valid version 2 record. */
export function putNote(doc: Y.Doc, member: { memberId: string }, id: string, note: string): void {
  writeOwn(doc, sampleAnnotation({ id, teamId: 'team', documentKey: 'doc', author: authorOf(member), note }));
}

/** The text of a member's note `id` in the doc, if it holds one. */
export function noteText(doc: Y.Doc, member: { memberId: string }, id: string): string | undefined {
  return (notesMap(doc).get(memberKey(member.memberId, id)) as { note?: string } | undefined)?.note;
}
