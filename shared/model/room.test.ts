import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import type { Annotation } from './annotation.ts';
import {
  annotationsMap,
  changesOfTransaction,
  parseRoomId,
  readRoom,
  roomIdFor,
  touchedAnnotationIds,
  writeAnnotation,
  writeDocumentInfo,
} from './room.ts';

const base: Annotation = sampleAnnotation({ documentKey: 'doc1', teamId: 'team1' });
const room = roomIdFor('team1', 'doc1');

function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('room layout', () => {
  it('round-trips an annotation', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base);
    expect(readRoom(doc, room)).toEqual({ document: null, annotations: [base], invalid: [] });
  });

  it('merges concurrent edits of different fields and concurrent tags', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    writeAnnotation(a, base);
    sync(a, b);
    writeAnnotation(a, { ...base, color: 'green', tags: ['体育', '健康'] });
    writeAnnotation(b, { ...base, note: '重点', tags: ['体育', '学校'] });
    sync(a, b);
    const [merged] = readRoom(b, room).annotations;
    expect(merged?.color).toBe('green');
    expect(merged?.note).toBe('重点');
    expect(new Set(merged?.tags)).toEqual(new Set(['体育', '健康', '学校']));
    expect(readRoom(a, room)).toEqual(readRoom(b, room));
  });

  it('takes team and document from the room id, not from the content', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base);
    const other = readRoom(doc, roomIdFor('team2', 'doc9')).annotations[0];
    expect(other?.teamId).toBe('team2');
    expect(other?.documentKey).toBe('doc9');
  });

  it('skips invalid and foreign content without failing', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base);
    const broken = new Y.Map<unknown>();
    annotationsMap(doc).set('bad', broken);
    broken.set('quote', 42);
    doc.getArray('somethingElse').push(['kept']);
    const result = readRoom(doc, room);
    expect(result.annotations.map((a) => a.id)).toEqual(['a1']);
    expect(result.invalid.map((i) => i.id)).toEqual(['bad']);
  });

  it('refuses to put a private annotation into a room', () => {
    expect(() => writeAnnotation(new Y.Doc(), { ...base, visibility: 'private' })).toThrow(/Private/);
  });

  it('reports which annotations an edit touched', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base);
    writeAnnotation(doc, { ...base, id: 'a2' });
    const seen: string[][] = [];
    annotationsMap(doc).observeDeep((events) => seen.push([...touchedAnnotationIds(events)]));
    writeAnnotation(doc, { ...base, id: 'a2', tags: ['新'] });
    writeAnnotation(doc, { ...base, id: 'a3' });
    expect(seen).toEqual([['a2'], ['a3']]);
  });

  it('reads what one transaction changed from the transaction itself, also for updates from elsewhere', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base);
    writeAnnotation(doc, { ...base, id: 'a2' });
    const seen: { annotationIds: string[]; document: boolean }[] = [];
    doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      const changed = changesOfTransaction(transaction);
      seen.push({ annotationIds: [...changed.annotationIds].sort(), document: changed.document });
    });
    writeAnnotation(doc, { ...base, id: 'a2', tags: ['新'] }); // a nested edit of an existing annotation
    writeAnnotation(doc, { ...base, id: 'a3' }); // a new one
    annotationsMap(doc).delete(base.id);
    writeDocumentInfo(doc, {
      key: 'doc1',
      canonicalUrl: 'https://example.gov.cn/a',
      url: 'https://example.gov.cn/a',
      title: '通知',
    });
    doc.getMap('someone-elses').set('x', 1); // content the server does not know
    const remote = new Y.Doc();
    writeAnnotation(remote, { ...base, id: 'r1' });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote));
    expect(seen).toEqual([
      { annotationIds: ['a2'], document: false },
      { annotationIds: ['a3'], document: false },
      { annotationIds: [base.id], document: false },
      { annotationIds: [], document: true },
      { annotationIds: [], document: false },
      { annotationIds: ['r1'], document: false },
    ]);
  });

  it('reads the changes of a document that had not defined the annotations map before the update', () => {
    const remote = new Y.Doc();
    writeAnnotation(remote, base);
    const doc = new Y.Doc();
    let changed: Set<string> | null = null;
    doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      changed = changesOfTransaction(transaction).annotationIds;
    });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote));
    expect(changed).toEqual(new Set([base.id]));
  });

  it('validates room ids', () => {
    expect(parseRoomId('team1.doc1')).toEqual({ teamId: 'team1', documentKey: 'doc1' });
    expect(parseRoomId('team1/doc1')).toBeNull();
    expect(parseRoomId('a.b.c')).toBeNull();
    expect(() => roomIdFor('te am', 'x')).toThrow();
  });
});
