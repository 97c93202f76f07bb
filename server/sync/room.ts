/**
 * One room: the Yjs document of one (team, policy page), the sockets on it and their presence.
 *
 * Write path: an update is applied to the document, checked (pending structs or deletions are dropped and the
 * sender refused), appended to the store, and only once the append has resolved is it sent to anyone: the
 * outbox holds every outgoing message computed from a state that is not yet durable. Then the query index is
 * told the room changed; it reads the changed annotations with its next batch, once per batch. With a store
 * that commits in the call (SQLite's `appendNow`) and nothing queued, storing and sending happen in the turn
 * the update arrived, like a server that stores nothing.
 *
 * A room that is only read keeps just its encoded state (as stored: the compacted update and its state
 * vector) and answers sync requests from those bytes; the Y.Doc is decoded on the first write and dropped
 * again after a while without writes.
 */
import * as Y from 'yjs';
import {
  changesOfTransaction,
  definePageRoom,
  defineTeamRoom,
  isTeamRoomKey,
  parseRoomId,
  readAnnotations,
  readDocumentInfo,
  readRoom,
  readTeamVocabulary,
} from '../../shared/model/index.ts';
import { CLOSE_CODES, type Role } from '../../shared/protocol/api.ts';
import { defineTaskRoots, progressKey, type TaskKeys, taskChangesOfTransaction } from '../../shared/tasks/index.ts';
import type { ServerConfig } from '../config.ts';
import type { Fanout, FanoutMessage, FanoutSubscriber } from '../fanout/types.ts';
import type { UpdateGuard } from '../guard/update-guard.ts';
import type { Writer } from '../guard/write-rules.ts';
import { fullTaskIndexChange, taskIndexChange } from '../index-db/tasks-index.ts';
import type { IndexSink, IndexSource, RoomIndexChange } from '../index-db/types.ts';
import type { Logger } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';
import type { AppendResult, EncodedState, StoredRoom, UpdateStore } from '../storage/types.ts';
import { AppliedSeqs } from './applied-seqs.ts';
import { Presence } from './presence.ts';
import { RemoteUpdates } from './remote-updates.ts';
import { type ClientMessage, encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol.ts';
import {
  addsNothing,
  dropPending,
  isEmptyStateVector,
  isEmptyUpdate,
  type KnownState,
  knownStateOfDoc,
  knownStateOfEncoded,
  takePending,
} from './update-checks.ts';

/** A socket as the room sees it. */
export interface RoomPeer {
  readonly role: Role;
  readonly memberId: string;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}

export type RoomDeps = {
  store: UpdateStore;
  index: IndexSink;
  fanout: Fanout;
  /** This server instance on the fan-out (its own messages are not delivered back). */
  fanoutSource: symbol;
  config: ServerConfig;
  metrics: Metrics;
  log: Logger;
  /** Called once when the room can no longer be trusted (storage failed); the registry drops it. */
  onFailed: (room: Room) => void;
  /** Bounds, memory and write rules every update passes before it is applied (server/guard/update-guard.ts). */
  guard: UpdateGuard;
};

export type Outcome = { ok: true } | { ok: false; code: number; reason: string; metric: RejectReason };

const LOAD_ORIGIN = Symbol('load');
const REMOTE_ORIGIN = Symbol('remote');
/** Origin of edits the server makes itself (tag renames and merges asked over REST). */
export const SERVER_ORIGIN = Symbol('server');

const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());
const COMPACTION_QUIET_MS = 1_000;
/** How often a closing room hands its index change over again after a refusal (see indexBeforeClosing). */
const CLOSING_INDEX_ROUNDS = 3;
const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

/**
 * The encoded state of the current version; the delete set is filled in when needed (compaction, reads), and so
 * is the sync step 2 message carrying the whole state, sent as one buffer to every client that asks for it.
 */
type Encoded = { update: Uint8Array; stateVector: Uint8Array; deleteSet?: Uint8Array; fullStateMessage?: Uint8Array };

/**
 * A message waiting for `version` to be durable: to one peer (if it is still in the room), or to all but
 * `except`. Data rather than a closure: one is queued per update.
 */
type OutboxEntry = { version: number; message: Uint8Array; to: RoomPeer | null; except: RoomPeer | null };

/** An update made or accepted here, waiting to be stored before it is sent. */
type LocalChange = {
  version: number;
  update: Uint8Array;
  message: Uint8Array;
  /** The peer it came from, which does not get it back. */
  sender: RoomPeer | null;
  /** What the index must read again once the change is stored and sent. */
  transaction: Y.Transaction;
  /** performance.now() when it was applied: fan-out latency runs from here to the broadcast. */
  appliedAt: number;
};

function noTaskKeys(): TaskKeys {
  return { tasks: new Set(), progress: new Set() };
}

export class RoomFailedError extends Error {
  override name = 'RoomFailedError';
}

export class Room implements FanoutSubscriber, IndexSource {
  readonly teamId: string;
  readonly documentKey: string;
  readonly presence: Presence;
  private readonly peers = new Set<RoomPeer>();
  private doc: Y.Doc | null = null;
  /** Encoding of the current version; null when an update made it stale. */
  private encoded: Encoded | null;
  /** Decoded state vector and delete set of `encoded`, for answering "does this add anything?" undecoded. */
  private known: KnownState | null = null;
  private holds = 0;
  /** Which stored updates (by per-room seq) the document holds; compaction and the index stop at `through`. */
  private readonly seqs: AppliedSeqs;
  /** Updates other instances stored, applied in seq order; gaps are read from the store. */
  private readonly remote: RemoteUpdates;
  private storedBytes: number;
  private rowCount: number;
  /** Whether the stored rows are one compacted row (with state vector and delete set). */
  private compacted: boolean;
  private version = 0;
  private durableVersion = 0;
  private readonly outbox: OutboxEntry[] = [];
  private appendChain: Promise<void> = Promise.resolve();
  /** Local changes queued behind the append in flight, to be stored together by the next one. */
  private openBatch: LocalChange[] | null = null;
  /** Per sender: parts of its updates still missing dependencies, never stored or sent (see pendingTimeoutMs). */
  private readonly held = new Map<object, { parts: Uint8Array[]; bytes: number; timer: NodeJS.Timeout }>();
  /** Annotations changed by stored updates that the query index has not been given yet. */
  private unindexed = new Set<string>();
  /** Tasks, progress entries and units likewise. */
  private unindexedTasks: TaskKeys = noTaskKeys();
  private unindexedDocument = false;
  /** Stored updates the index has not been told about (it records how far each room is indexed). */
  private indexDue = false;
  /**
   * The index takes a change only once the document holds every stored update through this seq: the room's own
   * newest update, or the seq through which another instance had indexed the room when it refused a change.
   */
  private indexNotBefore = 0;
  /** Marks the room dirty again while its change waits for updates other instances stored. */
  private indexRetry: NodeJS.Timeout | null = null;
  private closed = false;
  private compactionScheduled = false;
  failed: Error | null = null;
  lastActiveAt = Date.now();
  lastWriteAt = 0;

  private constructor(
    readonly id: string,
    stored: StoredRoom | null,
    private readonly deps: RoomDeps,
  ) {
    const parsed = parseRoomId(id);
    if (!parsed) throw new Error(`not a room id: ${id.slice(0, 140)}`);
    this.teamId = parsed.teamId;
    this.documentKey = parsed.documentKey;
    this.seqs = new AppliedSeqs(stored?.lastSeq ?? 0);
    this.remote = new RemoteUpdates({
      applied: this.seqs,
      apply: (update) => this.applyRemote(update),
      fetch: (afterSeq) => deps.store.updatesSince(id, afterSeq),
      reload: () => this.applyStored(),
      onError: (error) => deps.log.error('fanout', `room ${id}: reading missed updates from the store`, error),
      onApplied: (via) => deps.metrics.countRemote(via),
      onRepair: (how) => deps.metrics.countRepair(how),
      gapWaitMs: deps.config.timings.fanoutGapWaitMs,
    });
    this.storedBytes = stored?.bytes ?? 0;
    this.rowCount = stored?.rows.length ?? 0;
    this.compacted = this.rowCount === 1 && Boolean(stored!.rows[0]!.stateVector && stored!.rows[0]!.deleteSet);
    this.presence = new Presence({
      maxStateBytes: deps.config.limits.maxPresenceStateBytes,
      maxClientsPerOwner: deps.config.limits.maxPresenceClientsPerConnection,
    });
    const rows = stored?.rows ?? [];
    const single = rows.length === 1 ? rows[0]! : null;
    if (rows.length === 0) {
      this.encoded = { update: EMPTY_UPDATE, stateVector: EMPTY_STATE_VECTOR, deleteSet: EMPTY_UPDATE };
    } else if (single?.stateVector && single.deleteSet) {
      // Served undecoded until someone writes (the store checked the bytes against their checksum).
      this.encoded = { update: single.update, stateVector: single.stateVector, deleteSet: single.deleteSet };
    } else {
      // Several rows (the process stopped before compacting): decode them all now, compact soon.
      this.encoded = null;
      this.materialise(rows.map((row) => row.update));
      this.scheduleCompaction();
    }
    deps.fanout.subscribe(id, deps.fanoutSource, this);
  }

  /** Loads a room from the store; throws (and stores nothing) when its data cannot be read. */
  static async load(roomId: string, deps: RoomDeps): Promise<Room> {
    const stored = await deps.store.load(roomId);
    const room = new Room(roomId, stored, deps);
    try {
      await deps.guard.prepare(room);
    } catch (error) {
      deps.fanout.unsubscribe(roomId, room);
      throw error;
    }
    if (stored && (await deps.index.through(roomId)) < stored.lastSeq) await room.reindex();
    return room;
  }

  // --- peers ---

  get peerCount(): number {
    return this.peers.size;
  }

  get isMaterialised(): boolean {
    return this.doc !== null;
  }

  get bytes(): number {
    return this.storedBytes;
  }

  hold(): void {
    this.holds++;
    this.lastActiveAt = Date.now();
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    this.lastActiveAt = Date.now();
  }

  /** In use by a socket or a request. */
  get inUse(): boolean {
    return this.holds > 0 || this.peers.size > 0;
  }

  /** Like the reference server: sync step 1 at once, then who is here. */
  join(peer: RoomPeer): void {
    this.peers.add(peer);
    this.lastActiveAt = Date.now();
    this.deliver(peer, encodeSyncStep1(this.stateVector()));
    const present = this.presence.encodeAll();
    if (present) this.deliver(peer, encodeAwareness(present));
  }

  leave(peer: RoomPeer): void {
    this.releaseHeld(peer);
    if (!this.peers.delete(peer)) return;
    this.lastActiveAt = Date.now();
    const removal = this.presence.removeOwner(peer);
    if (removal) this.relayPresence(removal, peer);
  }

  /** Handles one decoded message from a peer. Throws on malformed content (the caller closes the socket). */
  handle(peer: RoomPeer, message: ClientMessage): Outcome {
    this.lastActiveAt = Date.now();
    switch (message.type) {
      case 'sync-step-1':
        this.deliver(peer, this.syncStep2For(message.stateVector));
        return { ok: true };
      case 'sync-step-2':
      case 'update':
        return this.applyFrom(peer, peer, message.update, { holdPending: true });
      case 'awareness': {
        const { changed, refused } = this.presence.apply(message.update, peer);
        if (refused > 0) this.deps.metrics.reject('presence');
        if (changed) this.relayPresence(changed, peer);
        return { ok: true };
      }
      case 'query-awareness': {
        const present = this.presence.encodeAll();
        if (present) this.deliver(peer, encodeAwareness(present));
        return { ok: true };
      }
    }
  }

  // --- reading ---

  stateVector(): Uint8Array {
    if (this.encoded) return this.encoded.stateVector;
    return Y.encodeStateVector(this.doc!);
  }

  /** What a client with this state vector misses (sync step 2). Throws on a malformed state vector. */
  updateFor(stateVector: Uint8Array): Uint8Array {
    if (isEmptyStateVector(stateVector)) return this.fullState().update;
    if (this.doc) return Y.encodeStateAsUpdate(this.doc, stateVector);
    return Y.diffUpdate(this.encoded!.update, stateVector);
  }

  /**
   * The answer to a sync step 1. Clients that hold nothing get the one cached message of the whole state: a
   * buffer shared by every socket it is queued on, however many ask.
   */
  private syncStep2For(stateVector: Uint8Array): Uint8Array {
    if (!isEmptyStateVector(stateVector)) return encodeSyncStep2(this.updateFor(stateVector));
    const full = this.fullState();
    full.fullStateMessage ??= encodeSyncStep2(full.update);
    return full.fullStateMessage;
  }

  /** State vector and delete set of the room, from the encoded state when there is no document. */
  private knownState(): KnownState {
    if (this.doc) return knownStateOfDoc(this.doc);
    const encoded = this.encoded!;
    if (!encoded.deleteSet) return knownStateOfDoc(this.materialise());
    this.known ??= knownStateOfEncoded(encoded.stateVector, encoded.deleteSet);
    return this.known;
  }

  /** The whole state, encoded once per version: a join storm on a large room encodes it once. */
  fullState(): Encoded {
    if (!this.encoded) {
      this.encoded = { update: Y.encodeStateAsUpdate(this.doc!), stateVector: Y.encodeStateVector(this.doc!) };
    }
    return this.encoded;
  }

  /** The seq through which the document holds every stored update. */
  get appliedSeq(): number {
    return this.seqs.through;
  }

  // --- writing ---

  /**
   * Applies an update from a socket or an HTTP push. The write rules decide what each member may change (a viewer:
   * only progress on their unit's tasks); a viewer's update that changes nothing stays a cheap no-op. What integrates is stored and then sent through the normal path; parts
   * whose dependencies are missing are never stored or sent: a socket's are held for `pendingTimeoutMs` while
   * its next messages may supply the dependencies (`holdPending`), an HTTP push's are refused at once.
   * Callers that must know the update is durable await `whenDurable()` afterwards.
   */
  applyFrom(origin: object, writer: Writer, update: Uint8Array, options: { holdPending?: boolean } = {}): Outcome {
    try {
      return this.apply(origin, writer, update, options);
    } catch (error) {
      if (!(error instanceof RoomFailedError)) throw error;
      return { ok: false, code: CLOSE_CODES.unavailable, reason: 'room unavailable', metric: 'unavailable' };
    }
  }

  private apply(origin: object, writer: Writer, update: Uint8Array, options: { holdPending?: boolean }): Outcome {
    if (this.failed)
      return { ok: false, code: CLOSE_CODES.unavailable, reason: 'room unavailable', metric: 'unavailable' };
    if (isEmptyUpdate(update)) return { ok: true };
    const guard = this.deps.guard;
    const inspected = guard.inspect(update);
    if (!inspected.ok) return inspected;
    let changesNothing: boolean;
    try {
      // A client's answer to sync step 1 usually holds nothing new; a read-only room stays undecoded then.
      changesNothing = (!this.doc || writer.role === 'viewer') && addsNothing(this.knownState(), inspected.decoded);
    } catch (error) {
      if (error instanceof RoomFailedError) throw error;
      return { ok: false, code: CLOSE_CODES.malformed, reason: 'malformed update', metric: 'malformed' };
    }
    if (changesNothing) return { ok: true };
    // The write rules allow a viewer nothing but progress entries on their own unit's tasks (write-rules.ts): a
    // viewer without a unit is refused here, before the room is decoded for them.
    if (writer.role === 'viewer' && !guard.mayWriteAsViewer(writer))
      return { ok: false, code: CLOSE_CODES.forbidden, reason: 'viewers cannot edit', metric: 'forbidden' };
    if (this.wouldOverflow(update)) {
      return { ok: false, code: CLOSE_CODES.roomFull, reason: 'room is full', metric: 'room_full' };
    }
    const short = guard.admit(inspected);
    if (short) return short;
    const doc = this.materialise();
    const held = this.held.get(origin);
    const refused = guard.review(this, doc, writer, inspected, held?.parts ?? []);
    if (refused) return refused;
    this.held.delete(origin);
    try {
      Y.applyUpdate(doc, update, origin);
      // Retry what this sender had pending: the new update may carry its dependencies.
      for (const part of held?.parts ?? []) Y.applyUpdateV2(doc, part, origin);
      guard.applied(this, inspected);
    } catch {
      // Whatever part was fully integrated before the error went through the normal path (stored, then sent).
      dropPending(doc);
      if (held) clearTimeout(held.timer);
      return { ok: false, code: CLOSE_CODES.malformed, reason: 'malformed update', metric: 'malformed' };
    }
    const pending = takePending(doc);
    const bytes = pending.reduce((sum, part) => sum + part.byteLength, 0);
    const hold = pending.length > 0 && options.holdPending && bytes <= this.deps.config.limits.maxHeldBytes;
    if (held && !hold) clearTimeout(held.timer);
    if (this.failed)
      return { ok: false, code: CLOSE_CODES.unavailable, reason: 'storage failed', metric: 'unavailable' };
    if (pending.length === 0) return { ok: true };
    if (!hold)
      return { ok: false, code: CLOSE_CODES.malformed, reason: 'update with missing dependencies', metric: 'pending' };
    // The deadline runs from the first hold: sending more does not extend it.
    this.held.set(origin, { parts: pending, bytes, timer: held?.timer ?? this.pendingDeadline(origin) });
    return { ok: true };
  }

  /**
   * The room size limit applies to the room's state as compaction stores it, not to the bytes appended since the
   * last compaction (overwriting a note appends it again): while the appended rows fit, nothing is computed;
   * past the limit, the state is encoded (once per version) and measured, and compaction is due at once.
   */
  private wouldOverflow(update: Uint8Array): boolean {
    const limit = this.deps.config.limits.maxRoomBytes;
    if (this.storedBytes + update.byteLength <= limit) return false;
    if (this.compacted) return true;
    return this.fullState().update.byteLength + update.byteLength > limit;
  }

  private pendingDeadline(origin: object): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!this.held.has(origin)) return;
      this.held.delete(origin);
      this.deps.metrics.reject('pending');
      if (this.peers.has(origin as RoomPeer)) {
        (origin as RoomPeer).close(CLOSE_CODES.malformed, 'update dependencies never arrived');
      }
    }, this.deps.config.timings.pendingTimeoutMs);
    timer.unref();
    return timer;
  }

  private releaseHeld(origin: object): void {
    const held = this.held.get(origin);
    if (!held) return;
    this.held.delete(origin);
    clearTimeout(held.timer);
  }

  /** Runs an edit made by the server itself (tag rename and merge) in one transaction. */
  edit(change: (doc: Y.Doc) => void): void {
    if (this.failed) throw new RoomFailedError(`room ${this.id} is unavailable`);
    const doc = this.materialise();
    this.deps.guard.serverWrites(this, doc.clientID);
    doc.transact(() => change(doc), SERVER_ORIGIN);
  }

  /**
   * The document, decoded on demand (first write, tag edits, re-indexing). If the stored state does not decode,
   * the room fails (closed, never written) and this throws RoomFailedError.
   */
  materialise(updates?: Uint8Array[]): Y.Doc {
    if (this.doc) return this.doc;
    if (this.failed) throw new RoomFailedError(`room ${this.id} is unavailable`);
    const doc = new Y.Doc();
    // Defined up front, so every transaction names these maps by the types the room reads later.
    if (isTeamRoomKey(this.documentKey)) defineTeamRoom(doc);
    else {
      definePageRoom(doc);
      defineTaskRoots(doc);
    }
    try {
      doc.transact(() => {
        for (const update of updates ?? [this.encoded!.update]) Y.applyUpdate(doc, update, LOAD_ORIGIN);
      }, LOAD_ORIGIN);
    } catch (error) {
      doc.destroy();
      this.fail(error, 'its stored state does not decode');
      throw new RoomFailedError(`room ${this.id} is unavailable`);
    }
    if (dropPending(doc)) this.deps.log.warn('room-load', `room ${this.id}: stored data had missing dependencies`);
    doc.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) =>
      this.onDocUpdate(update, origin, transaction),
    );
    this.doc = doc;
    this.deps.guard.decoded(this, doc);
    return doc;
  }

  /** Resolves once everything accepted so far is stored (and rejects if storing failed). */
  async whenDurable(): Promise<void> {
    await this.appendChain;
    if (this.failed) throw new RoomFailedError(`room ${this.id}: ${this.failed.message}`);
  }

  private onDocUpdate(update: Uint8Array, origin: unknown, transaction: Y.Transaction): void {
    if (origin === LOAD_ORIGIN) return;
    this.encoded = null;
    this.known = null;
    const version = ++this.version;
    if (origin === REMOTE_ORIGIN) {
      // Stored by the instance that accepted it; sent in order behind local appends. Indexed here as well: should
      // that instance die before its index batch, the rows still land (the index refuses whichever is older).
      const message = encodeUpdate(update);
      this.outbox.push({ version, message, to: null, except: null });
      // Local changes after this one must not join a batch stored before it: versions become durable in order.
      this.openBatch = null;
      this.noteIndexChanges(transaction);
      this.appendChain = this.appendChain.then(() => {
        this.durableVersion = version;
        this.flushOutbox();
        this.deps.index.markDirty(this.id, this);
      });
      return;
    }
    this.lastWriteAt = Date.now();
    const change: LocalChange = {
      version,
      update,
      message: encodeUpdate(update),
      sender:
        origin !== null && typeof origin === 'object' && this.peers.has(origin as RoomPeer)
          ? (origin as RoomPeer)
          : null,
      transaction,
      appliedAt: performance.now(),
    };
    this.outbox.push({ version, message: change.message, to: null, except: change.sender });
    const appendNow = this.deps.store.appendNow;
    if (appendNow && this.outbox.length === 1 && this.durableVersion === version - 1) {
      // Nothing queued before it: commit and send in this turn, as a non-durable server would.
      let stored: AppendResult;
      const startedAt = performance.now();
      try {
        stored = appendNow.call(this.deps.store, this.id, this.teamId, update);
      } catch (error) {
        this.fail(error, 'storing an update failed');
        return;
      }
      this.deps.metrics.observeAppend((performance.now() - startedAt) / 1000);
      this.committed(change, stored);
      return;
    }
    if (this.openBatch) {
      this.openBatch.push(change);
      return;
    }
    const batch = [change];
    this.openBatch = batch;
    this.appendChain = this.appendChain.then(() => this.store(batch));
  }

  /**
   * Group commit: the changes that arrived while the previous append was committing are stored in one
   * transaction, then sent in order. A room's commits follow one another, so without this a room could take no
   * more updates per second than commits its store completes, and a slow commit would grow a backlog.
   */
  private async store(batch: LocalChange[]): Promise<void> {
    // Changes arriving from now on wait for this commit and go in the next batch.
    if (this.openBatch === batch) this.openBatch = null;
    if (this.failed) return;
    let stored: AppendResult[];
    const startedAt = performance.now();
    try {
      stored = await this.deps.store.append(
        this.id,
        this.teamId,
        batch.map((change) => change.update),
      );
    } catch (error) {
      this.fail(error, 'storing an update failed');
      return;
    }
    this.deps.metrics.observeAppend((performance.now() - startedAt) / 1000);
    for (let i = 0; i < batch.length; i++) this.committed(batch[i]!, stored[i]!);
  }

  /** A local change is durable: send it (and whatever waited for it), publish it, index it. */
  private committed(change: LocalChange, stored: AppendResult): void {
    // Send first: the subscribers are waiting, the bookkeeping is not. The other instances first of all: one
    // XADD, where this room's own sockets may be hundreds of sends, and theirs is the longer way already.
    this.deps.fanout.publish(
      this.id,
      { kind: 'update', update: change.update, seq: stored.seq },
      this.deps.fanoutSource,
    );
    this.durableVersion = change.version;
    this.flushOutbox();
    this.deps.metrics.observeFanout((performance.now() - change.appliedAt) / 1000);
    this.remote.appended(stored.seq);
    this.storedBytes = stored.roomBytes;
    this.rowCount++;
    this.compacted = false;
    this.deps.metrics.countUpdate(change.update.byteLength);
    this.queueIndex(change.transaction, stored.seq);
    this.maybeCompact();
  }

  /** The index reads the room's changes with its next batch, off the path of the update that made them. */
  private queueIndex(transaction: Y.Transaction, seq: number): void {
    this.indexNotBefore = Math.max(this.indexNotBefore, seq);
    this.noteIndexChanges(transaction);
    this.deps.index.markDirty(this.id, this);
  }

  /** What a transaction touched is due for the index (read from the document with the next batch). */
  private noteIndexChanges(transaction: Y.Transaction): void {
    const changed = changesOfTransaction(transaction);
    for (const id of changed.annotationIds) this.unindexed.add(id);
    this.unindexedDocument ||= changed.document;
    const tasks = taskChangesOfTransaction(transaction);
    for (const kind of ['tasks', 'progress'] as const) {
      for (const key of tasks[kind]) this.unindexedTasks[kind].add(key);
    }
    this.indexDue = true;
  }

  /** Hands what the index lacks to it now (before the document is released). */
  private indexNow(): void {
    const change = this.takeIndexChange();
    if (change) this.deps.index.applyChange(change, this);
  }

  /**
   * What the index lacks of this room, read from the document as it is now. Null when nothing is due, or
   * when the document holds updates not yet stored: the index must never get ahead of the stored updates, so
   * the room marks itself again once they are.
   *
   * Several instances index one room, each every update its document applies (its own and, applied in seq
   * order, the others'), read from its own document. Null as well while the document lacks a stored update
   * below `indexNotBefore`, so a change of annotation X carrying this instance's own update u (seq s) has
   * `throughSeq` >= s and holds every update through it, as one carrying another's does. The index refuses a
   * change older than the room's indexed `through` and never lowers it. A refused change is read again
   * (indexRefused) once the document holds what the index reflects, and can be refused again only if the index
   * moved on meanwhile, which takes newer stored updates: no hot loop, and once writing pauses it is written.
   * So every update u of X ends in a write of X with `throughSeq` >= s; from then on `through` >= s, and every
   * later write of X reflects at least `through`, hence u: the last row of X holds every update of X.
   */
  takeIndexChange(maxAnnotations = Number.POSITIVE_INFINITY): RoomIndexChange | null {
    if (!this.indexDue || this.failed || !this.doc || this.version !== this.durableVersion) return null;
    if (this.seqs.through < this.indexNotBefore) {
      this.retryIndexSoon();
      return null;
    }
    let touched = this.unindexed;
    if (touched.size > maxAnnotations) {
      touched = new Set();
      for (const id of this.unindexed) {
        if (touched.size >= maxAnnotations) break;
        touched.add(id);
        this.unindexed.delete(id);
      }
      // Tasks and progress go with the last chunk, like the document.
      return { ...this.indexChange(touched, false, noTaskKeys()), partial: true };
    }
    const documentTouched = this.unindexedDocument;
    const tasks = this.unindexedTasks;
    this.unindexed = new Set();
    this.unindexedDocument = false;
    this.unindexedTasks = noTaskKeys();
    this.indexDue = false;
    return this.indexChange(touched, documentTouched, tasks);
  }

  private indexChange(touched: Set<string>, documentTouched: boolean, tasks: TaskKeys): RoomIndexChange {
    const change: RoomIndexChange = {
      roomId: this.id,
      teamId: this.teamId,
      documentKey: this.documentKey,
      upserts: [],
      removedIds: [],
      throughSeq: this.seqs.through,
    };
    const doc = this.doc!;
    const room = { teamId: this.teamId, documentKey: this.documentKey };
    const reads = readAnnotations(doc, room, touched);
    for (const id of touched) {
      const read = reads.get(id);
      if (read?.ok) change.upserts.push(read.annotation);
      else change.removedIds.push(id);
    }
    if (documentTouched) change.document = readDocumentInfo(doc);
    // The team room holds only the vocabulary (its write rules allow nothing else), a few entries: whole.
    if (isTeamRoomKey(this.documentKey)) change.vocabulary = readTeamVocabulary(doc);
    const taskChange = taskIndexChange(doc, this.documentKey, tasks);
    if (taskChange) change.tasks = taskChange;
    return change;
  }

  /** The index refused a change as stale: read what it touched again once the document has caught up. */
  indexRefused(change: RoomIndexChange, indexedThrough: number): void {
    if (this.closed || this.failed) return;
    for (const annotation of change.upserts) this.unindexed.add(annotation.id);
    for (const id of change.removedIds) this.unindexed.add(id);
    if (change.document !== undefined) this.unindexedDocument = true;
    const tasks = change.tasks;
    if (tasks) {
      for (const task of tasks.tasks.upserts) this.unindexedTasks.tasks.add(task.id);
      for (const id of tasks.tasks.removedIds) this.unindexedTasks.tasks.add(id);
      for (const entry of tasks.progress.upserts) this.unindexedTasks.progress.add(progressKey(entry.by.id, entry.id));
      for (const key of tasks.progress.removedKeys) this.unindexedTasks.progress.add(key);
    }
    // The team room's change carries its whole vocabulary, whatever it touched.
    this.indexDue = true;
    this.indexNotBefore = Math.max(this.indexNotBefore, indexedThrough);
    // Those updates are stored: read them now rather than wait for the fan-out or the head check.
    this.remote.storedThrough(indexedThrough);
    try {
      this.materialise();
    } catch {
      return; // the room failed (logged); it is re-indexed when next loaded
    }
    this.deps.index.markDirty(this.id, this);
  }

  /** Marks the room dirty after a gap's wait, for a change waiting for updates other instances stored. */
  private retryIndexSoon(): void {
    if (this.indexRetry || this.closed) return;
    this.indexRetry = setTimeout(() => {
      this.indexRetry = null;
      if (!this.closed && !this.failed) this.deps.index.markDirty(this.id, this);
    }, this.deps.config.timings.fanoutGapWaitMs);
    this.indexRetry.unref();
  }

  /**
   * Before the document goes for good: reads what the index waits for, hands the change over and waits for its
   * write, so a change refused as stale is read again while the document is still here (a few rounds at most:
   * each refusal means another instance, still holding the room, indexed it further).
   */
  private async indexBeforeClosing(): Promise<void> {
    for (let round = 0; round < CLOSING_INDEX_ROUNDS && this.indexDue && !this.failed; round++) {
      if (this.seqs.through < this.indexNotBefore) {
        this.remote.storedThrough(this.indexNotBefore);
        await this.remote.settled();
      }
      this.indexNow();
      await this.deps.index.flush();
    }
  }

  /**
   * Rebuilds the room's index rows (after a crash left the index behind the stored updates). When another
   * instance indexed the room further meanwhile, the rebuild reads what it stored and starts again.
   */
  async reindex(): Promise<void> {
    for (;;) {
      const doc = this.materialise();
      const vocabulary = isTeamRoomKey(this.documentKey) ? readTeamVocabulary(doc) : undefined;
      const tasks = fullTaskIndexChange(doc, this.documentKey);
      const through = this.seqs.through;
      const newer = await this.deps.index.replaceRoom(this.id, readRoom(doc, this.id), through, vocabulary, tasks);
      if (newer === null) return;
      this.remote.storedThrough(newer);
      await this.remote.settled();
      if (this.seqs.through <= through || this.failed) {
        this.deps.log.error('index', `room ${this.id}: could not catch up to rebuild its index rows`);
        return;
      }
    }
  }

  /** An update or presence another server instance accepted for this room. */
  onFanout(message: FanoutMessage): void {
    switch (message.kind) {
      case 'presence': {
        let changed: Uint8Array | null;
        try {
          changed = this.presence.apply(message.update, null).changed;
        } catch (error) {
          this.deps.log.error('fanout', `room ${this.id}: presence from another instance does not decode`, error);
          return;
        }
        if (changed) this.relayPresence(changed, null, false);
        return;
      }
      case 'presence-query': {
        const present = this.presence.encodeAll();
        if (present) this.deps.fanout.publish(this.id, { kind: 'presence', update: present }, this.deps.fanoutSource);
        return;
      }
      case 'update':
        if (!this.failed) this.remote.received(message.seq, message.update);
    }
  }

  /** The store holds this room through `lastSeq` (the periodic head check): read what never came through. */
  storedThrough(lastSeq: number): void {
    if (!this.failed) this.remote.storedThrough(lastSeq);
  }

  /** Resolves once no gap repair is running (tests). */
  remoteSettled(): Promise<void> {
    return this.remote.settled();
  }

  private applyRemote(update: Uint8Array): void {
    if (this.failed) return;
    try {
      Y.applyUpdate(this.materialise(), update, REMOTE_ORIGIN);
      dropPending(this.doc!);
    } catch (error) {
      if (error instanceof RoomFailedError) return;
      this.deps.log.error('fanout', `room ${this.id}: update from another instance failed to apply`, error);
    }
  }

  /**
   * Applies the whole stored room again (compaction folded away updates this instance missed); applying what
   * the document already holds changes nothing. Resolves with the seq the store holds the room through.
   */
  private async applyStored(): Promise<number> {
    const stored = await this.deps.store.load(this.id);
    if (!stored || this.failed) return 0;
    for (const row of stored.rows) this.applyRemote(row.update);
    return stored.lastSeq;
  }

  // --- delivery ---

  /** Sends now if everything the message may reflect is durable, otherwise after the pending appends. */
  private deliver(peer: RoomPeer, message: Uint8Array): void {
    if (this.outbox.length === 0 && this.durableVersion === this.version) peer.send(message);
    else this.outbox.push({ version: this.version, message, to: peer, except: null });
  }

  private flushOutbox(): void {
    while (this.outbox.length > 0 && this.outbox[0]!.version <= this.durableVersion) {
      const { message, to, except } = this.outbox.shift()!;
      if (!to) this.broadcast(message, except);
      else if (this.peers.has(to)) to.send(message);
    }
  }

  private broadcast(message: Uint8Array, except: RoomPeer | null): void {
    for (const peer of this.peers) if (peer !== except) peer.send(message);
  }

  private relayPresence(update: Uint8Array, except: RoomPeer | null, publish = true): void {
    const message = encodeAwareness(update);
    for (const peer of this.peers) if (peer !== except) peer.send(message);
    if (publish) this.deps.fanout.publish(this.id, { kind: 'presence', update }, this.deps.fanoutSource);
  }

  // --- housekeeping ---

  /** Removes presence not renewed in time. */
  sweepPresence(timeoutMs: number): void {
    const gone = this.presence.sweep(timeoutMs);
    if (gone) this.relayPresence(gone, null);
  }

  private maybeCompact(): void {
    const { afterUpdates, afterBytes } = this.deps.config.compaction;
    if (this.rowCount >= afterUpdates || (this.rowCount > 1 && this.storedBytes >= afterBytes * 2) || this.halfFull()) {
      this.scheduleCompaction();
    }
  }

  /** Appended rows past half the room size limit: compaction must not wait for a pause any longer. */
  private halfFull(): boolean {
    return this.rowCount > 1 && this.storedBytes >= this.deps.config.limits.maxRoomBytes / 2;
  }

  /**
   * Compaction blocks the event loop while it encodes and writes the whole room, so it waits for a pause in the
   * writing (a second without updates) unless the rows pile up far past the threshold or fill half the room.
   */
  private scheduleCompaction(delayMs = 50): void {
    if (this.compactionScheduled) return;
    this.compactionScheduled = true;
    setTimeout(() => {
      this.compactionScheduled = false;
      const busy = Date.now() - this.lastWriteAt < COMPACTION_QUIET_MS;
      if (busy && this.rowCount < this.deps.config.compaction.afterUpdates * 10 && !this.halfFull()) {
        this.scheduleCompaction(COMPACTION_QUIET_MS);
        return;
      }
      this.compact().catch((error) => this.deps.log.error('compaction', `room ${this.id}`, error));
    }, delayMs).unref();
  }

  /** The full encoded state including its delete set (what compaction stores). */
  private encodedState(): EncodedState {
    const encoded = this.fullState();
    encoded.deleteSet ??= this.doc ? Y.encodeStateAsUpdate(this.doc, encoded.stateVector) : undefined;
    if (!encoded.deleteSet) throw new Error('no delete set without a document');
    return encoded as EncodedState;
  }

  /** Folds the stored rows into one row holding the merged state and its state vector. */
  async compact(): Promise<void> {
    await this.appendChain;
    // A single row that is not compacted yet (one big push) is compacted too: that stores its state vector and
    // delete set, so a restart can serve it without decoding.
    if (this.failed || !this.doc || this.compacted || this.seqs.through === 0) return;
    if (this.version !== this.durableVersion) {
      // Newer updates are still being stored; the merged state must not hold an update that is not stored.
      this.scheduleCompaction();
      return;
    }
    // Only through the seq below which the document holds every update: another instance may have stored an
    // update this one has not received yet, and the rows after `through` must stay until it has.
    const through = this.seqs.through;
    const rowsBefore = this.rowCount;
    const { roomBytes } = await this.deps.store.compact(this.id, through, this.encodedState());
    this.storedBytes = roomBytes;
    // Appends that completed meanwhile stay as rows after the compacted one.
    this.rowCount -= rowsBefore - 1;
    this.compacted = this.seqs.latest === through && !this.seqs.hasGap;
    if (!this.compacted) this.maybeCompact();
  }

  /** Drops the decoded document of a room nobody wrote to lately; its encoded state answers reads. */
  async dematerialise(): Promise<void> {
    if (!this.doc || this.failed) return;
    await this.compact();
    await this.appendChain;
    if (!this.doc || this.version !== this.durableVersion) return;
    this.indexNow();
    // A change waiting for other instances' updates needs the document: released on a later sweep.
    if (this.indexDue) return;
    this.encodedState();
    this.doc.destroy();
    this.doc = null;
    this.deps.guard.released(this);
  }

  /** Stops the room: waits for pending appends, compacts, releases the document. Sockets must be gone. */
  async close(): Promise<void> {
    await this.appendChain.catch(() => {});
    if (!this.failed)
      await this.compact().catch((error) => this.deps.log.error('compaction', `room ${this.id}`, error));
    await this.indexBeforeClosing().catch((error) => this.deps.log.error('index', `room ${this.id}`, error));
    this.closed = true;
    if (this.indexRetry) clearTimeout(this.indexRetry);
    this.deps.fanout.unsubscribe(this.id, this);
    this.remote.close();
    for (const held of this.held.values()) clearTimeout(held.timer);
    this.held.clear();
    this.doc?.destroy();
    this.doc = null;
    this.deps.guard.released(this);
  }

  /** Closes every socket of the room with the given code. */
  closePeers(code: number, reason: string): void {
    for (const peer of [...this.peers]) peer.close(code, reason);
  }

  /** Takes the room out of service without storing anything more; sockets reconnect later. */
  private fail(error: unknown, what: string): void {
    if (this.failed) return;
    this.failed = error instanceof Error ? error : new Error(String(error));
    this.deps.log.error('room-failed', `room ${this.id}: ${what}; the room is closed`, error);
    this.outbox.length = 0;
    this.closePeers(CLOSE_CODES.unavailable, 'room unavailable, reconnect later');
    this.deps.onFailed(this);
  }
}
