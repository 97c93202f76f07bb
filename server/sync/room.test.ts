/**
 * The room's write path with an in-memory store whose appends resolve when the test says so: nothing that
 * depends on an update is sent before the update is durable, and a failed append takes the room out of service.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { idsOfMemberKeys, notesMap, writeAnnotation } from '../../shared/model/index.ts';
import { CLOSE_CODES } from '../../shared/protocol/api.ts';
import { resolveConfig } from '../config.ts';
import { LocalFanout } from '../fanout/local.ts';
import { testGuard } from '../guard/testing.ts';
import type { IndexSink, IndexSource, RoomIndexChange } from '../index-db/types.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import type { AppendResult, EncodedState, RoomHead, SeqUpdate, StoredRoom, UpdateStore } from '../storage/types.ts';
import { decodeClientMessage, encodeSyncStep1 } from './protocol.ts';
import { Room, type RoomPeer } from './room.ts';

class ControlledStore implements UpdateStore {
  readonly instanceId = 'test';
  /** One entry per call: the updates of one transaction. */
  appends: { updates: readonly Uint8Array[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  protected id = 0;
  /** Updates another instance stored: they took their seqs, and `updatesSince` returns them. */
  readonly elsewhere: SeqUpdate[] = [];
  storedElsewhere(update: Uint8Array) {
    this.elsewhere.push({ seq: ++this.id, update });
  }
  async load(): Promise<StoredRoom | null> {
    return null;
  }
  append(_room: string, _team: string, updates: readonly Uint8Array[]) {
    return new Promise<AppendResult[]>((resolve, reject) => {
      const stored = () => updates.map(() => ({ id: ++this.id, seq: this.id, roomBytes: 0 }));
      this.appends.push({ updates, resolve: () => resolve(stored()), reject });
    });
  }
  async updatesSince(_room: string, afterSeq: number) {
    return this.elsewhere.filter((row) => row.seq > afterSeq);
  }
  async compact(_r: string, _t: number, _s: EncodedState) {
    return { roomBytes: 0 };
  }
  async changedRooms(): Promise<RoomHead[]> {
    return [];
  }
  async teamRooms(): Promise<RoomHead[]> {
    return [];
  }
  async head(): Promise<RoomHead | null> {
    return null;
  }
  async currentCursor() {
    return this.id;
  }
  async totalBytes() {
    return 0;
  }
  async allHeads(): Promise<RoomHead[]> {
    return [];
  }
}

/** Commits in the call, like SQLite: `appendNow` returns once the update is stored (or throws). */
class CommitNowStore extends ControlledStore {
  committed: Uint8Array[] = [];
  failNext = false;
  appendNow(_room: string, _team: string, update: Uint8Array) {
    if (this.failNext) throw new Error('disk full');
    this.committed.push(update);
    return { id: ++this.id, seq: this.id, roomBytes: 0 };
  }
}

class RecordingIndex implements IndexSink {
  changes: RoomIndexChange[] = [];
  /** Set: the next change handed over is refused at its write, the index holding the room through this seq. */
  refuseNext: number | null = null;
  private handed: { change: RoomIndexChange; source?: IndexSource }[] = [];
  private readonly dirty = new Map<string, IndexSource>();
  markDirty(roomId: string, source: IndexSource) {
    this.dirty.set(roomId, source);
  }
  /** What the real index does when its batch is due: read each dirty room once. */
  writeBatch() {
    const sources = [...this.dirty.values()];
    this.dirty.clear();
    for (const source of sources) {
      const change = source.takeIndexChange();
      if (change) this.changes.push(change);
    }
  }
  async through() {
    return 0;
  }
  applyChange(change: RoomIndexChange, source?: IndexSource) {
    if (this.refuseNext === null) this.changes.push(change);
    else this.handed.push({ change, source });
  }
  async replaceRoom() {
    return null;
  }
  async flush() {
    for (const { change, source } of this.handed.splice(0)) source?.indexRefused?.(change, this.refuseNext!);
    this.refuseNext = null;
  }
}

class Peer implements RoomPeer {
  received: Uint8Array[] = [];
  closed: number | null = null;
  constructor(
    readonly role: 'owner' | 'editor' | 'viewer' = 'editor',
    readonly memberId = 'm',
  ) {}
  send(message: Uint8Array) {
    this.received.push(message);
  }
  close(code: number) {
    this.closed = code;
  }
}

async function setup<S extends ControlledStore = ControlledStore>(store: S = new ControlledStore() as S) {
  const index = new RecordingIndex();
  const fanout = new LocalFanout();
  const room = await Room.load('team.doc', {
    store,
    index,
    fanout,
    fanoutSource: Symbol('test'),
    config: resolveConfig({ dataDir: '/tmp/unused' }),
    metrics: new Metrics(),
    log: silentLogger,
    onFailed: () => {},
    guard: testGuard().guard,
  });
  return { store, index, room, fanout };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Two editors in the room; the reader's join messages are cleared so only what follows is seen. */
function writerAndReader(room: Room): { writer: Peer; reader: Peer } {
  const writer = new Peer();
  const reader = new Peer();
  room.join(writer);
  room.join(reader);
  reader.received = [];
  return { writer, reader };
}
const types = (peer: Peer) => peer.received.map((m) => decodeClientMessage(m).type);

/** A new note `key` of member m (the writer of these tests), from a fresh client. */
function edit(key = 'k'): Uint8Array {
  const doc = new Y.Doc();
  writeAnnotation(doc, sampleAnnotation({ id: key, author: { id: 'm', name: '张三' } }), 'm');
  return Y.encodeStateAsUpdate(doc);
}

/** A room whose first update ('a') is being committed: what arrives now waits for that commit. */
async function commitInFlight() {
  const parts = await setup();
  const { writer, reader } = writerAndReader(parts.room);
  parts.room.applyFrom(writer, writer, edit('a'));
  await tick();
  return { ...parts, writer, reader };
}

/** The annotation ids each update message carries, in the order the peer got them. */
function keysReceived(peer: Peer): string[][] {
  return peer.received
    .map((m) => decodeClientMessage(m))
    .filter((m) => m.type === 'update')
    .map((m) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, (m as { update: Uint8Array }).update);
      return [...idsOfMemberKeys(notesMap(doc).keys())];
    });
}

describe('Room write path', () => {
  it('sends an update to others only after the store has made it durable', async () => {
    const { store, index, room } = await setup();
    const { writer, reader } = writerAndReader(room);
    expect(room.applyFrom(writer, writer, edit(), { holdPending: true })).toEqual({ ok: true });
    // A newcomer's state vector and an answer to sync step 1 reflect the update, so they wait too.
    const late = new Peer();
    room.join(late);
    room.handle(reader, { type: 'sync-step-1', stateVector: Y.encodeStateVector(new Y.Doc()) });
    await tick();
    expect(store.appends).toHaveLength(1);
    expect(reader.received).toEqual([]);
    expect(late.received).toEqual([]);
    expect(index.changes).toEqual([]);

    store.appends[0]!.resolve();
    await tick();
    expect(types(reader)).toEqual(['update', 'sync-step-2']);
    // The newcomer was in the room when the update went out; its sync step 1 already includes it.
    expect(types(late)).toEqual(['update', 'sync-step-1']);
    expect(writer.received.length).toBe(1); // its own join; the update is not echoed
    index.writeBatch();
    expect(index.changes.map((c) => c.throughSeq)).toEqual([1]);
  });

  it('hands a committed update to the other instances before sending it to its own sockets', async () => {
    const { store, room, fanout } = await setup();
    const { writer, reader } = writerAndReader(room);
    // What this room's own reader had been sent when each update reached another instance.
    const sentLocallyBefore: number[] = [];
    fanout.subscribe('team.doc', Symbol('other instance'), {
      onFanout: (message) => {
        if (message.kind === 'update') sentLocallyBefore.push(reader.received.length);
      },
    });
    room.applyFrom(writer, writer, edit('a'));
    await tick();
    store.appends[0]!.resolve();
    await room.whenDurable();
    expect(sentLocallyBefore).toEqual([0]);
    expect(keysReceived(reader)).toEqual([['a']]);
  });

  it('takes itself out of service when an append fails: peers closed with 4503, nothing sent, no more writes', async () => {
    const { store, room } = await setup();
    const { writer, reader } = writerAndReader(room);
    room.applyFrom(writer, writer, edit());
    await tick();
    store.appends[0]!.reject(new Error('disk full'));
    await expect(room.whenDurable()).rejects.toThrow(/disk full/);
    expect(room.failed).not.toBeNull();
    expect(reader.received).toEqual([]);
    expect(reader.closed).toBe(CLOSE_CODES.unavailable);
    const again = room.applyFrom(writer, writer, edit());
    expect(again).toMatchObject({ ok: false, code: CLOSE_CODES.unavailable });
    expect(store.appends).toHaveLength(1);
  });

  it('stores the updates that arrive during a commit together, in order, and sends none before it commits', async () => {
    const { store, index, room, writer, reader } = await commitInFlight();
    room.applyFrom(writer, writer, edit('b'));
    room.applyFrom(writer, writer, edit('c'));
    await tick();
    expect(store.appends.map((a) => a.updates.length)).toEqual([1]);
    store.appends[0]!.resolve();
    await tick();
    expect(keysReceived(reader)).toEqual([['a']]);
    // b and c waited behind a's commit: one transaction for both, not yet committed, so not yet sent.
    expect(store.appends.map((a) => a.updates.length)).toEqual([1, 2]);
    room.applyFrom(writer, writer, edit('d'));
    await tick();
    expect(store.appends).toHaveLength(2);
    store.appends[1]!.resolve();
    await tick();
    expect(keysReceived(reader)).toEqual([['a'], ['b'], ['c']]);
    store.appends[2]!.resolve();
    await room.whenDurable();
    expect(keysReceived(reader)).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(room.appliedSeq).toBe(4);
    index.writeBatch();
    expect(index.changes.at(-1)!.throughSeq).toBe(4);
  });

  it('refuses every update of a batch whose commit fails: none sent, each sender told the room is unavailable', async () => {
    const { store, room, writer, reader } = await commitInFlight();
    const second = new Peer();
    room.join(second);
    room.applyFrom(writer, writer, edit('b'));
    room.applyFrom(second, second, edit('c'));
    store.appends[0]!.resolve();
    await tick();
    expect(store.appends[1]!.updates).toHaveLength(2);
    store.appends[1]!.reject(new Error('disk full'));
    await expect(room.whenDurable()).rejects.toThrow(/disk full/);
    expect(keysReceived(reader)).toEqual([['a']]);
    expect([writer.closed, second.closed, reader.closed]).toEqual(Array(3).fill(CLOSE_CODES.unavailable));
    expect(room.applyFrom(writer, writer, edit('d'))).toMatchObject({ ok: false, code: CLOSE_CODES.unavailable });
    expect(store.appends).toHaveLength(2);
  });

  it('starts a new batch after an update from another instance, so versions become durable in order', async () => {
    const { store, room, fanout, writer, reader } = await commitInFlight();
    room.applyFrom(writer, writer, edit('b'));
    fanout.publish('team.doc', { kind: 'update', update: edit('remote'), seq: 1 }, Symbol('other instance'));
    room.applyFrom(writer, writer, edit('c'));
    store.appends[0]!.resolve();
    await tick();
    store.appends[1]!.resolve();
    await tick();
    store.appends[2]!.resolve();
    await room.whenDurable();
    expect(store.appends.map((a) => a.updates.length)).toEqual([1, 1, 1]);
    expect(keysReceived(reader)).toEqual([['a'], ['b'], ['remote'], ['c']]);
    // Everything is durable: an answer goes out at once instead of waiting for a commit that never comes.
    reader.received = [];
    room.handle(reader, { type: 'sync-step-1', stateVector: Y.encodeStateVector(new Y.Doc()) });
    expect(types(reader)).toEqual(['sync-step-2']);
  });

  it('lets a viewer answer sync step 1 but not write', async () => {
    const { store, room } = await setup();
    const viewer = new Peer('viewer');
    room.join(viewer);
    expect(room.applyFrom(viewer, viewer, Y.encodeStateAsUpdate(new Y.Doc()))).toEqual({ ok: true });
    expect(room.applyFrom(viewer, viewer, edit())).toMatchObject({ ok: false, code: CLOSE_CODES.forbidden });
    await tick();
    expect(store.appends).toEqual([]);
    expect(room.isMaterialised).toBe(false);
  });

  it('answers sync step 1 from the encoded state without decoding a document', async () => {
    const { room } = await setup();
    const peer = new Peer();
    room.join(peer);
    room.handle(peer, { type: 'sync-step-1', stateVector: Y.encodeStateVector(new Y.Doc()) });
    expect(types(peer)).toEqual(['sync-step-1', 'sync-step-2']);
    expect(room.isMaterialised).toBe(false);
    expect(() => room.handle(peer, { type: 'sync-step-1', stateVector: new Uint8Array([5]) })).toThrow();
    expect(encodeSyncStep1(room.stateVector())).toEqual(peer.received[0]);
  });
});

describe('Room write path with a store that commits in the call (SQLite)', () => {
  it('stores and sends an update before applyFrom returns; the index reads it with its next batch', async () => {
    const { store, index, room } = await setup(new CommitNowStore());
    const { writer, reader } = writerAndReader(room);
    expect(room.applyFrom(writer, writer, edit(), { holdPending: true })).toEqual({ ok: true });
    expect(store.committed).toHaveLength(1);
    expect(store.appends).toEqual([]);
    expect(types(reader)).toEqual(['update']);
    expect(writer.received.length).toBe(1);
    expect(index.changes).toEqual([]);
    index.writeBatch();
    expect(index.changes.map((c) => c.throughSeq)).toEqual([1]);
    expect(room.appliedSeq).toBe(1);
    await room.whenDurable();
  });

  it('sends nothing and closes the room when the commit throws', async () => {
    const { store, room } = await setup(new CommitNowStore());
    const { writer, reader } = writerAndReader(room);
    store.failNext = true;
    expect(room.applyFrom(writer, writer, edit())).toMatchObject({ ok: false, code: CLOSE_CODES.unavailable });
    await tick();
    expect(reader.received).toEqual([]);
    expect(reader.closed).toBe(CLOSE_CODES.unavailable);
    expect(room.failed?.message).toMatch(/disk full/);
    await expect(room.whenDurable()).rejects.toThrow(/disk full/);
  });

  it('keeps the order when an update from another instance is still queued: the local one waits behind it', async () => {
    const { store, room, fanout } = await setup(new CommitNowStore());
    const { writer, reader } = writerAndReader(room);
    fanout.publish('team.doc', { kind: 'update', update: edit('remote'), seq: 1 }, Symbol('other instance'));
    room.applyFrom(writer, writer, edit('local'));
    expect(reader.received).toEqual([]);
    await tick();
    expect(keysReceived(reader)).toEqual([['remote']]);
    expect(store.committed).toHaveLength(0);
    expect(store.appends).toHaveLength(1);
    store.appends[0]!.resolve();
    await tick();
    expect(keysReceived(reader)).toEqual([['remote'], ['local']]);
    // Once the queue is empty again, the next update goes straight through.
    room.applyFrom(writer, writer, edit('next'));
    expect(store.committed).toHaveLength(1);
    expect(keysReceived(reader).at(-1)).toEqual(['next']);
  });
});

describe('Room write rules on held parts', () => {
  it('checks a held part again when it is retried: a rewrite of someone else’s record waiting for its origin is refused', async () => {
    const { room } = await setup(new CommitNowStore());
    const owner = new Peer('owner', 'own');
    const editor = new Peer('editor', 'ed');
    room.join(owner);
    room.join(editor);
    const ownerDoc = new Y.Doc();
    writeAnnotation(ownerDoc, sampleAnnotation({ id: 'x', author: { id: 'own', name: '张三' } }), 'own');
    const ownersRecord = Y.encodeStateAsUpdate(ownerDoc);
    // The editor's client knows the owner's record before the server does, and overwrites it.
    const forged = new Y.Doc();
    Y.applyUpdate(forged, ownersRecord);
    const before = Y.encodeStateVector(forged);
    notesMap(forged).set('own/x', { ...(notesMap(forged).get('own/x') as object), note: '改写' });
    const rewrite = Y.encodeStateAsUpdate(forged, before);
    // Its origin is not in the room yet: held, neither stored nor refused.
    expect(room.applyFrom(editor, editor, rewrite, { holdPending: true })).toEqual({ ok: true });
    expect(room.applyFrom(owner, owner, ownersRecord)).toEqual({ ok: true });
    // The editor's next message retries the held part, whose key is now known.
    const own = new Y.Doc();
    writeAnnotation(own, sampleAnnotation({ id: 'e1', author: { id: 'ed', name: '李四' } }), 'ed');
    expect(room.applyFrom(editor, editor, Y.encodeStateAsUpdate(own), { holdPending: true })).toMatchObject({
      ok: false,
      code: CLOSE_CODES.forbidden,
      metric: 'not_allowed',
    });
    const doc = room.materialise();
    expect((notesMap(doc).get('own/x') as { note: string }).note).toBe('');
    expect(notesMap(doc).has('ed/e1')).toBe(false);
  });
});

/** Another instance's update `seq` arrives through the fan-out and is applied. */
async function arrivesFromElsewhere(fanout: LocalFanout, seq: number): Promise<void> {
  fanout.publish('team.doc', { kind: 'update', update: edit('remote'), seq }, Symbol('other instance'));
  await tick();
}

describe('Room index upkeep', () => {
  it('reads an annotation edited many times between two batches once, at the latest stored update', async () => {
    const { index, room } = await setup(new CommitNowStore());
    const { writer } = writerAndReader(room);
    for (let i = 0; i < 5; i++) room.applyFrom(writer, writer, edit('k'));
    room.applyFrom(writer, writer, edit('other'));
    index.writeBatch();
    expect(index.changes).toHaveLength(1);
    expect(index.changes[0]).toMatchObject({ throughSeq: 6, removedIds: [] });
    expect(index.changes[0]!.upserts.map((a) => a.id)).toEqual(['k', 'other']);
    index.writeBatch();
    expect(index.changes).toHaveLength(1);
  });

  it('never gives the index a state ahead of the stored updates', async () => {
    const { store, index, room } = await setup();
    const { writer } = writerAndReader(room);
    room.applyFrom(writer, writer, edit('first'));
    await tick();
    store.appends[0]!.resolve();
    await tick();
    room.applyFrom(writer, writer, edit('second'));
    await tick();
    // The second update is applied but not stored: reading now would index it under the first one's id.
    index.writeBatch();
    expect(index.changes).toEqual([]);
    store.appends[1]!.resolve();
    await tick();
    index.writeBatch();
    expect(index.changes).toHaveLength(1);
    expect(index.changes[0]!.throughSeq).toBe(2);
    expect(index.changes[0]!.upserts.map((a) => a.id)).toEqual(['first', 'second']);
  });

  it("waits for another instance's earlier update before indexing its own", async () => {
    const { store, index, room, fanout } = await setup(new CommitNowStore());
    const { writer } = writerAndReader(room);
    store.storedElsewhere(edit('remote'));
    room.applyFrom(writer, writer, edit('local'));
    // Seq 1 (another instance's, maybe an edit of the same note) has not arrived: a change now would lack it.
    index.writeBatch();
    expect(index.changes).toEqual([]);
    await arrivesFromElsewhere(fanout, 1);
    index.writeBatch();
    // Another instance's update is indexed here too (its instance may die before its own batch).
    expect(index.changes).toMatchObject([{ throughSeq: 2, upserts: [{ id: 'local' }, { id: 'remote' }] }]);
  });

  it('indexes an update another instance accepted, in case that instance dies before its own batch', async () => {
    const { index, fanout } = await setup(new CommitNowStore());
    await arrivesFromElsewhere(fanout, 1);
    index.writeBatch();
    expect(index.changes).toMatchObject([{ throughSeq: 1, upserts: [{ id: 'remote' }] }]);
  });

  it('reads a refused change again once it holds what the index reflects', async () => {
    const { index, room, fanout } = await setup(new CommitNowStore());
    const { writer } = writerAndReader(room);
    room.applyFrom(writer, writer, edit('k'));
    index.writeBatch();
    const [refused] = index.changes.splice(0);
    expect(refused).toMatchObject({ throughSeq: 1, upserts: [{ id: 'k' }] });
    // Another instance indexed the room through seq 2, an update this one has not received yet.
    room.indexRefused(refused!, 2);
    index.writeBatch();
    expect(index.changes).toEqual([]);
    await arrivesFromElsewhere(fanout, 2);
    index.writeBatch();
    expect(index.changes).toMatchObject([{ throughSeq: 2, upserts: [{ id: 'k' }, { id: 'remote' }] }]);
  });

  it('reads a change refused while it closes again before its document goes', async () => {
    const { store, index, room } = await setup(new CommitNowStore());
    const { writer } = writerAndReader(room);
    room.applyFrom(writer, writer, edit('k'));
    // Another instance stored seq 2 (never fanned out here) and indexed the room through it.
    store.storedElsewhere(edit('remote'));
    index.refuseNext = 2;
    await room.close();
    expect(index.changes).toMatchObject([{ throughSeq: 2, upserts: [{ id: 'k' }, { id: 'remote' }] }]);
  });

  it('hands what the index lacks to it before the document is released', async () => {
    const { index, room } = await setup(new CommitNowStore());
    const { writer } = writerAndReader(room);
    room.applyFrom(writer, writer, edit('k'));
    await room.close();
    expect(index.changes).toMatchObject([{ throughSeq: 1, upserts: [{ id: 'k' }] }]);
    index.writeBatch();
    expect(index.changes).toHaveLength(1);
  });
});
