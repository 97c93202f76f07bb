import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { writeVersion1Annotation } from '../../test/fixtures/room-v1.ts';
import type { Annotation } from './annotation.ts';
import {
  annotationIdsOf,
  annotationsMap,
  changesOfTransaction,
  memberKey,
  NotAllowedError,
  notesMap,
  parseMemberKey,
  parseRoomId,
  readAnnotation,
  readAnnotations,
  readRoom,
  removedMap,
  roomIdFor,
  writeAnnotation,
  writeDocumentInfo,
} from './room.ts';

const base: Annotation = sampleAnnotation({ documentKey: 'doc1', teamId: 'team1' });
const author = base.author.id;
const room = roomIdFor('team1', 'doc1');
const place = { teamId: 'team1', documentKey: 'doc1' };

function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('room layout version 2', () => {
  it('round-trips an annotation as one record under its author’s key', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base, author);
    expect([...notesMap(doc).keys()]).toEqual([memberKey(author, base.id)]);
    expect(notesMap(doc).get(memberKey(author, base.id))).not.toHaveProperty('teamId');
    expect(readRoom(doc, room)).toEqual({ document: null, annotations: [base], invalid: [] });
  });

  it('writes nothing when the record did not change', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base, author);
    const before = Y.encodeStateVector(doc);
    writeAnnotation(doc, { ...base }, author);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('lets the author’s devices replace the record; the last write wins on every replica', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    writeAnnotation(a, base, author);
    sync(a, b);
    writeAnnotation(a, { ...base, color: 'green', updatedAt: 2 }, author);
    writeAnnotation(b, { ...base, note: '重点', updatedAt: 3 }, author);
    sync(a, b);
    expect(readRoom(a, room)).toEqual(readRoom(b, room));
    expect(readRoom(a, room).annotations).toHaveLength(1);
  });

  it('lets someone else only delete (a removed entry) and take that back; edits are refused', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base, author);
    expect(() => writeAnnotation(doc, { ...base, note: 'mine now' }, 'owner1')).toThrow(NotAllowedError);
    writeAnnotation(doc, { ...base, deleted: true, updatedAt: 5 }, 'owner1');
    expect(removedMap(doc).get(memberKey(author, base.id))).toEqual({ by: 'owner1', at: 5 });
    expect(readAnnotation(doc, place, base.id)).toEqual({ ok: true, annotation: { ...base, deleted: true } });
    writeAnnotation(doc, { ...base, deleted: false }, 'owner1');
    expect(readAnnotation(doc, place, base.id)).toEqual({ ok: true, annotation: base });
  });

  it('skips records whose author or id differs from their key, and values that fail the schema', () => {
    const doc = new Y.Doc();
    const { teamId: _t, documentKey: _d, visibility: _v, ...record } = base;
    notesMap(doc).set(memberKey('intruder', base.id), record);
    notesMap(doc).set(memberKey(author, 'other'), record);
    notesMap(doc).set(memberKey(author, 'broken'), { ...record, id: 'broken', quote: 42 });
    doc.getArray('somethingElse').push(['kept']);
    const result = readRoom(doc, room);
    expect(result.annotations).toEqual([]);
    expect(result.invalid.map((i) => i.error).sort()).toEqual([
      'author differs from its key',
      'id differs from its key',
      expect.stringContaining('quote'),
    ]);
  });

  it('refuses to put a private annotation into a room', () => {
    expect(() => writeAnnotation(new Y.Doc(), { ...base, visibility: 'private' }, author)).toThrow(/Private/);
  });

  it('takes team and document from the room id, not from the content', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base, author);
    const other = readRoom(doc, roomIdFor('team2', 'doc9')).annotations[0];
    expect(other?.teamId).toBe('team2');
    expect(other?.documentKey).toBe('doc9');
  });

  it('parses member keys strictly', () => {
    expect(parseMemberKey('m1/a1')).toEqual({ memberId: 'm1', id: 'a1' });
    expect(parseMemberKey('m1')).toBeNull();
    expect(parseMemberKey('m1/a/b')).toBeNull();
    expect(parseMemberKey('/a1')).toBeNull();
  });
});

describe('reading some annotations of a room', () => {
  it('finds each id among keys that merely end like it, and the smallest key when two members wrote one id', () => {
    const doc = new Y.Doc();
    for (const id of ['a1', 'xa1', 'a10', 'b2']) writeAnnotation(doc, { ...base, id, note: id }, author);
    // A second member wrote a record under the id a1 (the server refuses this; replicas still agree on a reader).
    const other = { ...base, author: { ...base.author, id: 'm0' }, note: '另一位成员' };
    writeAnnotation(doc, other, 'm0');
    const reads = readAnnotations(doc, place, ['a1', 'b2', 'missing']);
    expect([...reads.keys()].sort()).toEqual(['a1', 'b2']);
    const a1 = reads.get('a1');
    expect(memberKey('m0', 'a1') < memberKey(author, 'a1')).toBe(true);
    expect(a1?.ok && a1.annotation.note).toBe('另一位成员');
    expect(readAnnotation(doc, place, 'xa1')).toMatchObject({ ok: true, annotation: { id: 'xa1', note: 'xa1' } });
    expect(readRoom(doc, room).annotations.find((a) => a.id === 'a1')?.note).toBe(a1?.ok && a1.annotation.note);
  });
});

describe('version 1 rooms (read-only legacy)', () => {
  it('reads a version 1 record when notes has none with its id, and the version 2 record once written', () => {
    const doc = new Y.Doc();
    writeVersion1Annotation(doc, base);
    writeVersion1Annotation(doc, { ...base, id: 'a2' });
    expect(readRoom(doc, room).annotations).toEqual([base, { ...base, id: 'a2' }]);
    expect(annotationIdsOf(doc).sort()).toEqual(['a1', 'a2']);
    // The author edits a1: a full version 2 record, which replaces the version 1 one for readers.
    writeAnnotation(doc, { ...base, note: '新的批注', updatedAt: 9 }, author);
    expect(readAnnotation(doc, place, base.id)).toEqual({
      ok: true,
      annotation: { ...base, note: '新的批注', updatedAt: 9 },
    });
    expect(annotationsMap(doc).get(base.id)?.get('note')).toBe('');
    // An owner deletes a2: a removed entry under its author's key.
    writeAnnotation(doc, { ...base, id: 'a2', deleted: true }, 'owner1');
    expect(readAnnotation(doc, place, 'a2')).toMatchObject({ ok: true, annotation: { id: 'a2', deleted: true } });
    expect(annotationIdsOf(doc).sort()).toEqual(['a1', 'a2']);
  });
});

describe('changes of a transaction', () => {
  it('reads what one transaction changed from the transaction itself, also for updates from elsewhere', () => {
    const doc = new Y.Doc();
    writeAnnotation(doc, base, author);
    writeAnnotation(doc, { ...base, id: 'a2' }, author);
    writeVersion1Annotation(doc, { ...base, id: 'v1' });
    const seen: { annotationIds: string[]; document: boolean }[] = [];
    doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      const changed = changesOfTransaction(transaction);
      seen.push({ annotationIds: [...changed.annotationIds].sort(), document: changed.document });
    });
    writeAnnotation(doc, { ...base, id: 'a2', tags: ['新'] }, author); // an edit
    writeAnnotation(doc, { ...base, id: 'a3' }, author); // a new one
    writeAnnotation(doc, { ...base, deleted: true }, 'owner1'); // an owner's deletion
    writeVersion1Annotation(doc, { ...base, id: 'v1', note: 'x' }); // a nested version 1 edit
    writeDocumentInfo(doc, {
      key: 'doc1',
      canonicalUrl: 'https://example.gov.cn/a',
      url: 'https://example.gov.cn/a',
      title: '通知',
    });
    doc.getMap('someone-elses').set('x', 1); // content the server does not know
    const remote = new Y.Doc();
    writeAnnotation(remote, { ...base, id: 'r1' }, author);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote));
    expect(seen).toEqual([
      { annotationIds: ['a2'], document: false },
      { annotationIds: ['a3'], document: false },
      { annotationIds: [base.id], document: false },
      { annotationIds: ['v1'], document: false },
      { annotationIds: [], document: true },
      { annotationIds: [], document: false },
      { annotationIds: ['r1'], document: false },
    ]);
  });

  it('reads the changes of a document that had not defined the maps before the update', () => {
    const remote = new Y.Doc();
    writeAnnotation(remote, base, author);
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
