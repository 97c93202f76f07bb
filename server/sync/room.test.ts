/**
 * The room's write path with an in-memory store whose appends resolve when the test says so: nothing that
 * depends on an update is sent before the update is durable, and a failed append takes the room out of service.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CLOSE_CODES } from '../../shared/protocol/api.ts';
import { resolveConfig } from '../config.ts';
import { LocalFanout } from '../fanout/local.ts';
import type { IndexSink, RoomIndexChange } from '../index-db/types.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import type { EncodedState, RoomHead, StoredRoom, UpdateStore } from '../storage/types.ts';
import { decodeClientMessage, encodeSyncStep1 } from './protocol.ts';
import { Room, type RoomPeer } from './room.ts';

class ControlledStore implements UpdateStore {
  readonly instanceId = 'test';
  appends: { update: Uint8Array; resolve: () => void; reject: (e: Error) => void }[] = [];
  private id = 0;
  async load(): Promise<StoredRoom | null> {
    return null;
  }
  append(_room: string, _team: string, update: Uint8Array) {
    return new Promise<{ id: number; roomBytes: number }>((resolve, reject) => {
      this.appends.push({ update, resolve: () => resolve({ id: ++this.id, roomBytes: 0 }), reject });
    });
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

class RecordingIndex implements IndexSink {
  changes: RoomIndexChange[] = [];
  async through() {
    return 0;
  }
  applyChange(change: RoomIndexChange) {
    this.changes.push(change);
  }
  async replaceRoom() {}
  async flush() {}
}

class Peer implements RoomPeer {
  received: Uint8Array[] = [];
  closed: number | null = null;
  constructor(readonly role: 'owner' | 'editor' | 'viewer' = 'editor', readonly memberId = 'm') {}
  send(message: Uint8Array) {
    this.received.push(message);
  }
  close(code: number) {
    this.closed = code;
  }
}

async function setup() {
  const store = new ControlledStore();
  const index = new RecordingIndex();
  const room = await Room.load('team.doc', {
    store,
    index,
    fanout: new LocalFanout(),
    fanoutSource: Symbol('test'),
    config: resolveConfig({ dataDir: '/tmp/unused' }),
    metrics: new Metrics(),
    log: silentLogger,
    onFailed: () => {},
  });
  return { store, index, room };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const types = (peer: Peer) => peer.received.map((m) => decodeClientMessage(m).type);

function edit(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('annotations').set('k', 'v');
  return Y.encodeStateAsUpdate(doc);
}

describe('Room write path', () => {
  it('sends an update to others only after the store has made it durable', async () => {
    const { store, index, room } = await setup();
    const writer = new Peer();
    const reader = new Peer();
    room.join(writer);
    room.join(reader);
    reader.received = [];
    expect(room.applyFrom(writer, 'editor', edit(), { holdPending: true })).toEqual({ ok: true });
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
    expect(index.changes.map((c) => c.throughId)).toEqual([1]);
  });

  it('takes itself out of service when an append fails: peers closed with 4503, nothing sent, no more writes', async () => {
    const { store, room } = await setup();
    const writer = new Peer();
    const reader = new Peer();
    room.join(writer);
    room.join(reader);
    reader.received = [];
    room.applyFrom(writer, 'editor', edit());
    await tick();
    store.appends[0]!.reject(new Error('disk full'));
    await expect(room.whenDurable()).rejects.toThrow(/disk full/);
    expect(room.failed).not.toBeNull();
    expect(reader.received).toEqual([]);
    expect(reader.closed).toBe(CLOSE_CODES.unavailable);
    const again = room.applyFrom(writer, 'editor', edit());
    expect(again).toMatchObject({ ok: false, code: CLOSE_CODES.unavailable });
    expect(store.appends).toHaveLength(1);
  });

  it('lets a viewer answer sync step 1 but not write', async () => {
    const { store, room } = await setup();
    const viewer = new Peer('viewer');
    room.join(viewer);
    expect(room.applyFrom(viewer, 'viewer', Y.encodeStateAsUpdate(new Y.Doc()))).toEqual({ ok: true });
    expect(room.applyFrom(viewer, 'viewer', edit())).toMatchObject({ ok: false, code: CLOSE_CODES.forbidden });
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
