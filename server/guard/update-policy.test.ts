/**
 * The write rules of room layout version 2 as the server checks them: each case is an update a member's client
 * could send, reviewed against the room's document before it is applied.
 */
import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
  type ClauseSnapshot,
  readRoomSnapshot,
  SNAPSHOT_LIMITS,
  writeRoomSnapshot,
} from '../../shared/compare/index.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { sampleSnapshot } from '../../test/fixtures/snapshot.ts';
import { writeVersion1Annotation } from '../../test/fixtures/room-v1.ts';
import type { Annotation } from '../../shared/model/annotation.ts';
import {
  definePageRoom,
  documentMap,
  MAX_SNAPSHOTS_PER_ROOM,
  memberKey,
  notesMap,
  removedMap,
  snapshotsMap,
  TAG_RENAMES_KEY,
  UNITS_KEY,
  writeAnnotation,
} from '../../shared/model/index.ts';
import { InMemoryClientOwners, SERVER_MEMBER } from './client-owners.ts';
import { SERVER_SNAPSHOTS_PER_ROOM } from './snapshot-rule.ts';
import { UpdatePolicy } from './update-policy.ts';
import { decodeUpdate } from './update-shape.ts';
import type { Writer } from './write-rules.ts';

const OWNER: Writer = { memberId: 'own', role: 'owner' };
const EDITOR: Writer = { memberId: 'ed', role: 'editor' };
const VIEWER: Writer = { memberId: 'vw', role: 'viewer' };

const note = (writer: Writer, id: string, extra: Partial<Annotation> = {}): Annotation =>
  sampleAnnotation({ id, author: { id: writer.memberId, name: writer.memberId }, ...extra });

/** The server's side: a room document, its owners, and a review of what a client sends. */
function room(documentKey = 'doc', maxConflictsPerUpdate = 4_096) {
  const doc = new Y.Doc();
  definePageRoom(doc);
  const owners = new InMemoryClientOwners();
  const policy = new UpdatePolicy(owners, { maxConflictsPerUpdate });
  const key = {};
  const review = (writer: Writer, update: Uint8Array) =>
    policy.review({
      room: key,
      roomId: `team.${documentKey}`,
      documentKey,
      doc,
      writer,
      incoming: [decodeUpdate(update)],
    });
  /** Reviews and, when allowed, applies (as the room would). */
  const send = (writer: Writer, update: Uint8Array) => {
    const refused = review(writer, update);
    if (!refused) Y.applyUpdate(doc, update);
    return refused;
  };
  return { doc, owners, policy, review, send, key };
}

/** A member's client: a document that knows the room, and the update its next change makes. */
function client(server: Y.Doc) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
  return {
    doc,
    change(edit: (doc: Y.Doc) => void): Uint8Array {
      const before = Y.encodeStateVector(doc);
      edit(doc);
      return Y.encodeStateAsUpdate(doc, before);
    },
  };
}

describe('notes: a member writes only under their own key', () => {
  it('accepts a member’s own record and a replacement of it', () => {
    const { doc, send } = room();
    const editor = client(doc);
    expect(
      send(
        EDITOR,
        editor.change((d) => writeAnnotation(d, note(EDITOR, 'a1'), 'ed')),
      ),
    ).toBeNull();
    expect(
      send(
        EDITOR,
        editor.change((d) => writeAnnotation(d, note(EDITOR, 'a1', { note: '改' }), 'ed')),
      ),
    ).toBeNull();
    expect(
      send(
        EDITOR,
        editor.change((d) => notesMap(d).delete(memberKey('ed', 'a1'))),
      ),
    ).toBeNull();
  });

  it('refuses a record created under another member’s key, or naming another author', () => {
    const { doc, send } = room();
    const editor = client(doc);
    expect(
      send(
        EDITOR,
        editor.change((d) => notesMap(d).set(memberKey('own', 'a1'), record(note(OWNER, 'a1')))),
      ),
    ).toEqual({ metric: 'not_allowed', reason: "notes: another member's entry" });
    const forged = client(doc);
    expect(
      send(
        EDITOR,
        forged.change((d) => notesMap(d).set(memberKey('ed', 'a1'), record(note(OWNER, 'a1')))),
      ),
    ).toEqual({ metric: 'invalid_value', reason: 'notes: the author must be the writer' });
    expect(
      send(
        EDITOR,
        client(doc).change((d) => notesMap(d).set(memberKey('ed', 'a1'), record(note(EDITOR, 'other')))),
      ),
    ).toEqual({ metric: 'invalid_value', reason: 'notes: the record id must match its key' });
  });

  it('refuses a rewrite and a deletion of another member’s record (their key found through the origin / delete set)', () => {
    const { doc, send } = room();
    const owner = client(doc);
    expect(
      send(
        OWNER,
        owner.change((d) => writeAnnotation(d, note(OWNER, 'a1'), 'own')),
      ),
    ).toBeNull();
    const editor = client(doc);
    // The overwrite carries no key: its origin (the owner's record) says where it lands.
    const rewrite = editor.change((d) => notesMap(d).set(memberKey('own', 'a1'), record(note(EDITOR, 'a1'))));
    expect(decodeUpdate(rewrite).structs[0]).toMatchObject({ parentSub: null });
    expect(send(EDITOR, rewrite)).toMatchObject({ metric: 'not_allowed' });
    const deletion = client(doc).change((d) => notesMap(d).delete(memberKey('own', 'a1')));
    expect(decodeUpdate(deletion).structs).toEqual([]);
    expect(send(EDITOR, deletion)).toEqual({ metric: 'not_allowed', reason: "notes: another member's entry" });
  });

  it('refuses an annotation id another member has taken, in version 2 or version 1', () => {
    const { doc, send } = room();
    send(
      OWNER,
      client(doc).change((d) => writeAnnotation(d, note(OWNER, 'a1'), 'own')),
    );
    const editor = client(doc);
    expect(
      send(
        EDITOR,
        editor.change((d) => writeAnnotation(d, note(EDITOR, 'a1'), 'ed')),
      ),
    ).toEqual({
      metric: 'not_allowed',
      reason: "notes: the annotation id is another member's",
    });
    const legacy = new Y.Doc();
    writeVersion1Annotation(legacy, note(OWNER, 'old'));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(legacy));
    expect(
      send(
        EDITOR,
        client(doc).change((d) => writeAnnotation(d, note(EDITOR, 'old'), 'ed')),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    // Its author takes a version 1 record over as version 2.
    expect(
      send(
        OWNER,
        client(doc).change((d) => writeAnnotation(d, note(OWNER, 'old', { note: 'v2' }), 'own')),
      ),
    ).toBeNull();
  });

  it('refuses values that fail the schema, and anything but one JSON value', () => {
    const { doc, send } = room();
    const bad = client(doc).change((d) =>
      notesMap(d).set(memberKey('ed', 'a1'), { ...record(note(EDITOR, 'a1')), color: 'octarine' }),
    );
    expect(send(EDITOR, bad)).toMatchObject({ metric: 'invalid_value', reason: expect.stringMatching(/color/) });
    const nested = client(doc).change((d) => notesMap(d).set(memberKey('ed', 'a2'), new Y.Map()));
    expect(send(EDITOR, nested)).toEqual({ metric: 'invalid_value', reason: 'notes: values are single JSON values' });
  });
});

describe('removed, legacy annotations, document, other roots', () => {
  it('lets owners (only) delete someone else’s annotation with a removed entry signed by themselves', () => {
    const { doc, send } = room();
    send(
      EDITOR,
      client(doc).change((d) => writeAnnotation(d, note(EDITOR, 'a1'), 'ed')),
    );
    const removal = (writer: Writer, by = writer.memberId) =>
      client(doc).change((d) => removedMap(d).set(memberKey('ed', 'a1'), { by, at: 5 }));
    expect(send(EDITOR, removal(EDITOR))).toEqual({ metric: 'not_allowed', reason: 'removed: only owners write here' });
    expect(send(OWNER, removal(OWNER, 'ed'))).toEqual({
      metric: 'invalid_value',
      reason: 'removed: "by" must be the writer',
    });
    expect(send(OWNER, removal(OWNER))).toBeNull();
    expect(
      send(
        EDITOR,
        client(doc).change((d) => removedMap(d).delete(memberKey('ed', 'a1'))),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    expect(
      send(
        OWNER,
        client(doc).change((d) => removedMap(d).delete(memberKey('ed', 'a1'))),
      ),
    ).toBeNull();
  });

  it('lets the author of a version 1 record write it (queued offline edits land) and no one else', () => {
    const { doc, send } = room();
    const legacy = new Y.Doc();
    writeVersion1Annotation(legacy, note(EDITOR, 'old'));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(legacy));
    const OTHER: Writer = { memberId: 'ot', role: 'editor' };
    // A colleague: a nested edit of the author's record, an overwrite of it, a deletion of it.
    expect(
      send(
        OTHER,
        client(doc).change((d) => writeVersion1Annotation(d, note(EDITOR, 'old', { note: '改' }))),
      ),
    ).toEqual({ metric: 'not_allowed', reason: "annotations: another member's version 1 record" });
    expect(
      send(
        OTHER,
        client(doc).change((d) => writeVersion1Annotation(d, note(OTHER, 'old'))),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    expect(
      send(
        OTHER,
        client(doc).change((d) => d.getMap('annotations').delete('old')),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    // A new record must name its writer, with an id no other member holds.
    expect(
      send(
        OTHER,
        client(doc).change((d) => writeVersion1Annotation(d, note(EDITOR, 'new'))),
      ),
    ).toEqual({
      metric: 'not_allowed',
      reason: 'annotations: the author must be the writer',
    });
    expect(
      send(
        EDITOR,
        client(doc).change((d) => writeAnnotation(d, note(EDITOR, 'taken'), 'ed')),
      ),
    ).toBeNull();
    expect(
      send(
        OTHER,
        client(doc).change((d) => writeVersion1Annotation(d, note(OTHER, 'taken'))),
      ),
    ).toEqual({
      metric: 'not_allowed',
      reason: "annotations: the annotation id is another member's",
    });
    expect(
      send(
        VIEWER,
        client(doc).change((d) => writeVersion1Annotation(d, note(VIEWER, 'mine'))),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    // The author: an edit of the old record (fields overwritten, a tag added) and a new record, as an old client.
    expect(
      send(
        EDITOR,
        client(doc).change((d) => writeVersion1Annotation(d, note(EDITOR, 'old', { note: '改', tags: ['新'] }))),
      ),
    ).toBeNull();
    expect(
      send(
        EDITOR,
        client(doc).change((d) => writeVersion1Annotation(d, note(EDITOR, 'new'))),
      ),
    ).toBeNull();
    const record = doc.getMap<Y.Map<unknown>>('annotations').get('old')!;
    expect(record.get('note')).toBe('改');
    // Inside a record: only its fields, valid values, no other types, nothing deeper than its tags.
    for (const edit of [
      (r: Y.Map<unknown>) => r.set('unknown', 1),
      (r: Y.Map<unknown>) => r.set('createdAt', 'yesterday'),
      (r: Y.Map<unknown>) => r.set('note', new Y.Text('x')),
      (r: Y.Map<unknown>) => (r.get('tags') as Y.Map<unknown>).set('深', new Y.Map()),
      (r: Y.Map<unknown>) => r.set('author', { id: 'ot', name: 'ot' }),
    ]) {
      const refused = send(
        EDITOR,
        client(doc).change((d) => edit(d.getMap<Y.Map<unknown>>('annotations').get('old')!)),
      );
      expect(refused).not.toBeNull();
    }
    // Its author or an owner deletes it.
    expect(
      send(
        OWNER,
        client(doc).change((d) => d.getMap('annotations').delete('new')),
      ),
    ).toBeNull();
    expect(
      send(
        EDITOR,
        client(doc).change((d) => d.getMap('annotations').delete('old')),
      ),
    ).toBeNull();
    expect(doc.getMap('annotations').size).toBe(0);
  });

  it('refuses containers nested deeper than a version 1 record', () => {
    const { doc, send } = room();
    const deep = client(doc).change((d) => {
      let map = new Y.Map<unknown>();
      d.getMap('annotations').set('deep', map);
      for (let i = 0; i < 50; i++) {
        const inner = new Y.Map<unknown>();
        map.set('tags', inner);
        map = inner;
      }
    });
    expect(send(EDITOR, deep)).toMatchObject({ metric: 'not_allowed' });
  });

  it('lets editors write known document fields with valid values', () => {
    const { doc, send } = room();
    expect(
      send(
        EDITOR,
        client(doc).change((d) => documentMap(d).set('title', '通知')),
      ),
    ).toBeNull();
    expect(
      send(
        EDITOR,
        client(doc).change((d) => documentMap(d).set('title', 42)),
      ),
    ).toMatchObject({
      metric: 'invalid_value',
    });
    expect(
      send(
        EDITOR,
        client(doc).change((d) => documentMap(d).set('seenHash', 'x')),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    expect(
      send(
        VIEWER,
        client(doc).change((d) => documentMap(d).set('title', '改')),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
  });

  it('refuses roots without a rule and lists in root maps', () => {
    const { doc, send } = room();
    for (const root of ['comments', 'somethingElse']) {
      expect(
        send(
          OWNER,
          client(doc).change((d) => d.getMap(root).set('x', 1)),
        ),
      ).toEqual({
        metric: 'not_allowed',
        reason: `no rule allows writing to "${root}"`,
      });
    }
    expect(
      send(
        OWNER,
        client(doc).change((d) => d.getText('t').insert(0, 'x')),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
  });
});

describe('the team room', () => {
  it('lets editors and owners rename tags and keep units, signed with their own id', () => {
    const { doc, send } = room('_team');
    const rename = (writer: Writer, tag: string, by = writer.memberId) =>
      client(doc).change((d) => d.getMap(TAG_RENAMES_KEY).set(tag, { to: '体育', by, at: 1 }));
    expect(send(EDITOR, rename(EDITOR, 'ppp'))).toBeNull();
    expect(send(EDITOR, rename(EDITOR, 'PPP'))).toEqual({
      metric: 'not_allowed',
      reason: 'tagRenames: invalid key "PPP"',
    });
    expect(send(EDITOR, rename(EDITOR, '运动', 'own'))).toMatchObject({ metric: 'invalid_value' });
    expect(send(VIEWER, rename(VIEWER, '运动'))).toMatchObject({ metric: 'not_allowed' });
    const unit = client(doc).change((d) => d.getMap(UNITS_KEY).set('u1', { name: '体卫艺科', by: 'own', at: 2 }));
    expect(send(OWNER, unit)).toBeNull();
    // Page-room maps have no rule in the team room.
    expect(
      send(
        OWNER,
        client(doc).change((d) => writeAnnotation(d, note(OWNER, 'a1'), 'own')),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
  });
});

describe('client ids', () => {
  it('refuses structs under a client id another member wrote with first', () => {
    const { doc, send } = room();
    const owner = client(doc);
    send(
      OWNER,
      owner.change((d) => writeAnnotation(d, note(OWNER, 'a1'), 'own')),
    );
    // The editor's client takes the owner's client id (and so the clock range the owner's next edits need).
    const impostor = new Y.Doc();
    Y.applyUpdate(impostor, Y.encodeStateAsUpdate(doc));
    // (Set after loading: Yjs itself picks a new id when a remote update uses its own.)
    impostor.clientID = owner.doc.clientID;
    const before = Y.encodeStateVector(impostor);
    writeAnnotation(impostor, note(EDITOR, 'e1'), 'ed');
    expect(send(EDITOR, Y.encodeStateAsUpdate(impostor, before))).toEqual({
      metric: 'not_allowed',
      reason: "edits under another member's client id",
    });
  });

  it('records the first writer of each client id durably, and the server’s own', () => {
    const { doc, send, owners, policy, key } = room();
    const editor = client(doc);
    send(
      EDITOR,
      editor.change((d) => writeAnnotation(d, note(EDITOR, 'a1'), 'ed')),
    );
    policy.claimForServer(key, 'team.doc', 42);
    expect(owners.ownersOf('team.doc')).toEqual(
      new Map([
        [editor.doc.clientID, 'ed'],
        [42, SERVER_MEMBER],
      ]),
    );
  });
});

describe('the cost of ordering concurrent edits', () => {
  it('refuses an update whose items pile onto concurrent edits at one place, spread over many updates', () => {
    const { doc, send } = room('doc', 200);
    const base = client(doc);
    send(
      EDITOR,
      base.change((d) => writeAnnotation(d, note(EDITOR, 'x'), 'ed')),
    );
    const known = Y.encodeStateAsUpdate(doc);
    /** Twenty clients that each replace note x, all from the same base: twenty items after one origin. */
    const round = (r: number) =>
      Y.mergeUpdates(
        Array.from({ length: 20 }, (_, c) => {
          const d = new Y.Doc();
          Y.applyUpdate(d, known);
          const sv = Y.encodeStateVector(d);
          writeAnnotation(d, note(EDITOR, 'x', { note: `${r}-${c}` }), 'ed');
          return Y.encodeStateAsUpdate(d, sv);
        }),
      );
    const outcomes = Array.from({ length: 6 }, (_, r) => send(EDITOR, round(r)));
    // 20 × 20 = 400 items to order against in the second round already: over 200.
    expect(outcomes[0]).toBeNull();
    expect(outcomes[1]).toEqual({
      metric: 'too_costly',
      reason: 'update must be ordered against more than 200 concurrent edits already in the room',
    });
  });
});

/** The update's structs with an empty delete set (what a hostile client can send), in update format v1. */
function withoutDeletions(update: Uint8Array): Uint8Array {
  const byClient = new Map<number, (Y.Item | Y.GC)[]>();
  for (const struct of Y.decodeUpdate(update).structs) {
    if (struct instanceof Y.Skip) continue;
    const list = byClient.get(struct.id.client) ?? [];
    list.push(struct);
    byClient.set(struct.id.client, list);
  }
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, byClient.size);
  for (const [client, structs] of byClient) {
    encoding.writeVarUint(encoder.restEncoder, structs.length);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, structs[0]!.id.clock);
    for (const struct of structs) struct.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, 0);
  return encoder.toUint8Array();
}

function record(annotation: Annotation) {
  const { teamId: _t, documentKey: _d, visibility: _v, ...rest } = annotation;
  return rest;
}

describe('snapshots: editors and owners add versions, nobody changes or removes one', () => {
  const versions = new Map<number, ClauseSnapshot>();
  const version = (n: number) => {
    let snapshot = versions.get(n);
    if (!snapshot)
      versions.set(n, (snapshot = sampleSnapshot([`第${n}版的第一条，加强学校体育工作。`, '完善资助体系。'])));
    return snapshot;
  };

  it('accepts a valid snapshot under its content hash from an editor or an owner', () => {
    const { doc, send } = room();
    const snapshot = version(1);
    expect(
      send(
        EDITOR,
        client(doc).change((d) => writeRoomSnapshot(d, snapshot)),
      ),
    ).toBeNull();
    expect(
      send(
        OWNER,
        client(doc).change((d) => writeRoomSnapshot(d, version(2))),
      ),
    ).toBeNull();
    expect(readRoomSnapshot(doc, snapshot.contentHash)).toEqual(snapshot);
  });

  it('refuses a viewer', () => {
    const { doc, send } = room();
    expect(
      send(
        VIEWER,
        client(doc).change((d) => writeRoomSnapshot(d, version(1))),
      ),
    ).toEqual({
      metric: 'not_allowed',
      reason: 'snapshots: only editors and owners write here',
    });
  });

  it('refuses a snapshot under another key, or whose text does not match its hashes', () => {
    const { doc, send } = room();
    const snapshot = version(1);
    expect(
      send(
        EDITOR,
        client(doc).change((d) => snapshotsMap(d).set(version(2).contentHash, snapshot)),
      ),
    ).toEqual({
      metric: 'invalid_value',
      reason: 'snapshots: the key must be the snapshot’s content hash',
    });
    const lying = { ...snapshot, clauses: snapshot.clauses.map((c, i) => (i ? c : { ...c, text: '被改写的条款' })) };
    expect(
      send(
        EDITOR,
        client(doc).change((d) => snapshotsMap(d).set(snapshot.contentHash, lying)),
      ),
    ).toMatchObject({
      metric: 'invalid_value',
      reason: expect.stringMatching(/^snapshots: invalid snapshot \(clauses\.0\.hash: hash does not match/),
    });
    expect(
      send(
        EDITOR,
        client(doc).change((d) => snapshotsMap(d).set('not a hash!', snapshot)),
      ),
    ).toMatchObject({
      metric: 'not_allowed',
    });
    expect(snapshotsMap(doc).size).toBe(0);
  });

  it('refuses a snapshot larger than the limit before reading it', () => {
    const { doc, send } = room();
    const snapshot = version(1);
    const padded = { ...snapshot, title: 'x'.repeat(10), padding: 'y'.repeat(SNAPSHOT_LIMITS.jsonBytes) };
    expect(
      send(
        EDITOR,
        client(doc).change((d) => snapshotsMap(d).set(snapshot.contentHash, padded)),
      ),
    ).toEqual({
      metric: 'invalid_value',
      reason: `snapshots: larger than ${SNAPSHOT_LIMITS.jsonBytes} bytes`,
    });
  });

  it('refuses an overwrite and a deletion, even of one’s own snapshot', () => {
    const { doc, send } = room();
    const snapshot = version(1);
    const editor = client(doc);
    expect(
      send(
        EDITOR,
        editor.change((d) => writeRoomSnapshot(d, snapshot)),
      ),
    ).toBeNull();
    expect(
      send(
        EDITOR,
        editor.change((d) => snapshotsMap(d).set(snapshot.contentHash, { ...snapshot, title: '改过的标题' })),
      ),
    ).toEqual({ metric: 'not_allowed', reason: 'snapshots: entries are never overwritten' });
    expect(
      send(
        OWNER,
        client(doc).change((d) => snapshotsMap(d).delete(snapshot.contentHash)),
      ),
    ).toEqual({
      metric: 'not_allowed',
      reason: 'snapshots: snapshots are never deleted or overwritten',
    });
    expect(readRoomSnapshot(doc, snapshot.contentHash)).toEqual(snapshot);
  });

  it('refuses an overwrite crafted without its deletion (Yjs would still replace the value)', () => {
    const { doc, send } = room();
    const snapshot = version(1);
    const editor = client(doc);
    expect(
      send(
        EDITOR,
        editor.change((d) => writeRoomSnapshot(d, snapshot)),
      ),
    ).toBeNull();
    const overwrite = editor.change((d) => snapshotsMap(d).set(snapshot.contentHash, { ...snapshot, title: '改' }));
    expect(send(EDITOR, withoutDeletions(overwrite))).toEqual({
      metric: 'not_allowed',
      reason: 'snapshots: entries are never overwritten',
    });
    expect(readRoomSnapshot(doc, snapshot.contentHash)).toEqual(snapshot);
  });

  it('accepts the same version stored by two members apart (both insert its key)', () => {
    const { doc, send } = room();
    const snapshot = version(1);
    const first = client(doc);
    const second = client(doc);
    expect(
      send(
        EDITOR,
        first.change((d) => writeRoomSnapshot(d, snapshot)),
      ),
    ).toBeNull();
    expect(
      send(
        OWNER,
        second.change((d) => writeRoomSnapshot(d, snapshot)),
      ),
    ).toBeNull();
    expect(snapshotsMap(doc).size).toBe(1);
    expect(readRoomSnapshot(doc, snapshot.contentHash)).toEqual(snapshot);
  });

  it('stops new versions at the room’s cap, well above what clients add', () => {
    const { doc, send } = room();
    const writer = client(doc);
    for (let n = 0; n < SERVER_SNAPSHOTS_PER_ROOM; n++) {
      expect(
        send(
          EDITOR,
          writer.change((d) => snapshotsMap(d).set(version(n).contentHash, version(n))),
        ),
      ).toBeNull();
    }
    expect(SERVER_SNAPSHOTS_PER_ROOM).toBeGreaterThan(MAX_SNAPSHOTS_PER_ROOM);
    expect(
      send(
        EDITOR,
        writer.change((d) => snapshotsMap(d).set(version(99).contentHash, version(99))),
      ),
    ).toEqual({
      metric: 'not_allowed',
      reason: `snapshots: the room holds ${SERVER_SNAPSHOTS_PER_ROOM} snapshots already`,
    });
    // and a client keeps to its own cap: it writes nothing once the room holds that many
    const honest = client(doc);
    expect(writeRoomSnapshot(honest.doc, version(100))).toBe('full');
  });
});
