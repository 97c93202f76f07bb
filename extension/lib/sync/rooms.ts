/**
 * Yjs rooms in the browser: one Y.Doc per (team, document), its updates persisted in IndexedDB so offline
 * edits survive a restart. Local edits and remote changes take one path into the store: every transaction on a
 * room is committed in ONE IndexedDB transaction that appends the update, re-reads the annotations it touched
 * from the doc into the annotations table (through AnnotationStore, which keeps search and tags in step), adds
 * the clause snapshots it brought to the document's versions (SnapshotStore) and
 * records the room's state vector and whether it holds unsent local changes. A record therefore cannot diverge
 * between the room and the store, and a failed commit (a full disk) leaves both as they were.
 */
import type { Table } from 'dexie';
import * as Y from 'yjs';
import {
  type ClauseSnapshot,
  readRoomSnapshot,
  type RoomSnapshotWrite,
  roomSnapshotKeys,
  writeRoomSnapshot,
} from '../../../shared/compare/index.ts';
import { type Annotation, annotationSchema, type DocumentInfo } from '../../../shared/model/annotation.ts';
import {
  annotationIdsOf,
  annotationsMap,
  documentMap,
  idsOfMemberKeys,
  notesMap,
  parseRoomId,
  readAnnotation,
  readAnnotations,
  readDocumentInfo,
  removedMap,
  snapshotsMap,
  touchedAnnotationIds,
  writeAnnotation,
  writeDocumentInfo,
} from '../../../shared/model/room.ts';
import type { AnnotationStore } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { RoomStateRow } from '../store/schema.ts';
import { SnapshotStore } from '../store/snapshots.ts';
import { toStorageError } from '../store/storage-errors.ts';

/** Replace a room's stored updates with one merged update once it has this many. */
const COMPACT_AFTER_UPDATES = 200;
/** How long an unused room stays in memory (a page reload should not reload it). */
const IDLE_CLOSE_MS = 30_000;

/** Transaction origins: loading from IndexedDB (not stored again), local edits, and HTTP catch-up (remote). */
export const LOAD_ORIGIN = Symbol('pizhu-load');
export const LOCAL_ORIGIN = Symbol('pizhu-local');
export const BULK_ORIGIN = Symbol('pizhu-bulk');

/** Fields of a page's metadata that are this browser's own and never go into a shared room. */
const LOCAL_DOCUMENT_FIELDS = ['seenHash', 'readAt'] as const;

/** `ids`: the annotations a commit touched; `other`: whether it touched other projections (tasks, units). */
export type RoomChange = { room: string; documentKey: string; ids: string[]; local: boolean; other?: boolean };
/** `storage` marks a failed write to IndexedDB (a full disk), as opposed to bad content. */
export type RoomProblem = { room: string; message: string; storage?: boolean };
export type RoomHooks = { onChange(change: RoomChange): void; onProblem(problem: RoomProblem): void };

export class RoomUpdateError extends Error {
  constructor(room: string, cause: unknown) {
    super(
      `An update for room ${room} is not a valid Yjs update and was ignored (${cause instanceof Error ? cause.message : String(cause)})`,
    );
    this.name = 'RoomUpdateError';
  }
}

export function sharedDocumentFields(document: DocumentInfo): DocumentInfo {
  const shared = { ...document };
  for (const field of LOCAL_DOCUMENT_FIELDS) delete shared[field];
  return shared;
}

/**
 * A part of the store fed from a room's maps besides annotations and the document (tasks, progress and units:
 * store/tasks-projection.ts). Its writes go into the same IndexedDB transaction as the room's update.
 */
export interface RoomProjection {
  /** The tables its writes touch. */
  readonly tables: Table[];
  /** Starts following a room's document (after its stored updates are applied). */
  follow(room: Room): ProjectionFollower;
}

export interface ProjectionFollower {
  /** The keys changed since the last call (cleared by it). */
  take(): Set<string>;
  /** Every key the room holds, for reading everything again. */
  all(): Set<string>;
  /** Writes these keys' current state into the store, inside the commit's transaction. */
  project(keys: ReadonlySet<string>): Promise<void>;
}

export class Room {
  readonly doc = new Y.Doc();
  readonly teamId: string;
  readonly documentKey: string;
  private queue: Promise<void> = Promise.resolve();
  private last: Promise<void> = Promise.resolve();
  private touched = new Set<string>();
  private documentTouched = false;
  private snapshotsTouched = new Set<string>();
  private readonly snapshots: SnapshotStore;
  private storedUpdates = 0;
  private needsSnapshot = false;
  /** Records whose projection failed with their commit; the next commit projects them too. */
  private unprojected = new Set<string>();
  private documentUnprojected = false;
  private followers: ProjectionFollower[] = [];
  /** Per projection, keys whose projection failed with their commit. */
  private otherUnprojected: Set<string>[] = [];
  private snapshotsUnprojected = new Set<string>();

  constructor(
    readonly id: string,
    private readonly db: PizhuDatabase,
    private readonly store: AnnotationStore,
    private readonly hooks: RoomHooks,
    private readonly compactAfter = COMPACT_AFTER_UPDATES,
    private readonly projections: readonly RoomProjection[] = [],
  ) {
    const parsed = parseRoomId(id);
    if (!parsed) throw new Error(`Not a valid room id: "${id.slice(0, 140)}"`);
    this.teamId = parsed.teamId;
    this.documentKey = parsed.documentKey;
    this.snapshots = new SnapshotStore(db);
  }

  /** Loads the stored state, then commits every later transaction. Unreadable stored updates are quarantined. */
  async load(): Promise<void> {
    const [rows, state] = await Promise.all([
      this.db.roomUpdates.where('room').equals(this.id).toArray(),
      this.db.rooms.get(this.id),
    ]);
    const bad: { seq: number; update: unknown; error: string }[] = [];
    for (const row of rows) {
      try {
        if (!(row.update instanceof Uint8Array)) throw new Error('not binary');
        Y.applyUpdate(this.doc, row.update, LOAD_ORIGIN);
      } catch (error) {
        bad.push({ seq: row.seq!, update: row.update, error: error instanceof Error ? error.message : String(error) });
      }
    }
    this.storedUpdates = rows.length - bad.length;
    if (bad.length) await this.quarantine(bad);

    // Version 2 entries (notes, removed) and version 1 records (read-only legacy, nested maps).
    for (const map of [notesMap(this.doc), removedMap(this.doc)]) {
      map.observe((event) => {
        for (const id of idsOfMemberKeys(event.keysChanged)) this.touched.add(id);
      });
    }
    annotationsMap(this.doc).observeDeep((events) => {
      for (const id of touchedAnnotationIds(events)) this.touched.add(id);
    });
    documentMap(this.doc).observe(() => (this.documentTouched = true));
    this.followers = this.projections.map((projection) => projection.follow(this));
    this.otherUnprojected = this.followers.map(() => new Set());
    snapshotsMap(this.doc).observe((event) => {
      for (const key of event.keysChanged) this.snapshotsTouched.add(key);
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return;
      const other = this.followers.map((follower) => follower.take());
      const ids = [...this.touched];
      const documentChanged = this.documentTouched;
      const snapshotKeys = [...this.snapshotsTouched];
      this.touched = new Set();
      this.documentTouched = false;
      this.snapshotsTouched = new Set();
      const local = origin !== BULK_ORIGIN && !isRemoteConnection(origin);
      // The state this update brings the doc to, taken now: later updates may be in the doc before this one is
      // stored, and the stored vector must never claim what is not stored (the server would not resend it).
      const vector = Y.encodeStateVector(this.doc);
      this.enqueue(() => this.commit(update, local, ids, documentChanged, vector, snapshotKeys, other));
    });
    // Version 1 stored updates and projections apart, and a repair asks for it: re-read every record once.
    if (state?.projected !== 1 || bad.length) {
      const loaded = Y.encodeStateVector(this.doc);
      const everything = this.followers.map((follower) => follower.all());
      this.enqueue(() =>
        this.commit(null, false, annotationIdsOf(this.doc), true, loaded, roomSnapshotKeys(this.doc), everything),
      );
      await this.last;
    }
    // Snapshots stored before this browser kept versions (store version 4) are added once.
    const known = new Set((await this.snapshots.versionsOf(this.documentKey)).map((v) => v.contentHash));
    const missing = roomSnapshotKeys(this.doc).filter((key) => !known.has(key));
    if (missing.length) {
      this.enqueue(() => this.commit(null, false, [], false, null, missing));
      await this.last;
    }
  }

  /**
   * Writes a team annotation as member `writerId` (and the page's shared metadata); resolves once it is in
   * IndexedDB. Throws NotAllowedError, writing nothing, for a change only its author may make.
   */
  write(annotation: Annotation, writerId: string, document?: DocumentInfo): Promise<void> {
    this.doc.transact(() => {
      writeAnnotation(this.doc, annotation, writerId);
      if (document) writeDocumentInfo(this.doc, sharedDocumentFields(document));
    }, LOCAL_ORIGIN);
    return this.last;
  }

  /** Applies an update received over HTTP; resolves once stored. Throws RoomUpdateError for garbage. */
  applyRemote(update: Uint8Array): Promise<void> {
    try {
      Y.applyUpdate(this.doc, update, BULK_ORIGIN);
    } catch (error) {
      throw new RoomUpdateError(this.id, error);
    }
    return this.last;
  }

  /** Makes a local change to the room's document (tasks and the like); resolves once it is in IndexedDB. */
  change(edit: (doc: Y.Doc) => void): Promise<void> {
    this.doc.transact(() => edit(this.doc), LOCAL_ORIGIN);
    return this.last;
  }

  /**
   * Adds a clause snapshot of the page to the room (never over one already there, and not past the room's
   * cap); resolves once it is in IndexedDB.
   */
  async writeSnapshot(snapshot: ClauseSnapshot): Promise<RoomSnapshotWrite> {
    const result = writeRoomSnapshot(this.doc, snapshot, LOCAL_ORIGIN);
    if (result === 'written') await this.last;
    return result;
  }

  read(id: string): Annotation | null {
    const result = readAnnotation(this.doc, { teamId: this.teamId, documentKey: this.documentKey }, id);
    return result?.ok ? result.annotation : null;
  }

  /** Resolves when everything applied so far has been committed (or has failed). */
  flushed(): Promise<void> {
    return this.queue;
  }

  /** Re-reads every record from the doc into the store (after a damaged row was found). */
  reproject(): Promise<void> {
    const everything = this.followers.map((follower) => follower.all());
    this.enqueue(() =>
      this.commit(null, false, annotationIdsOf(this.doc), true, null, roomSnapshotKeys(this.doc), everything),
    );
    return this.last;
  }

  destroy(): void {
    this.doc.destroy();
  }

  private enqueue(task: () => Promise<void>): void {
    this.last = this.queue.then(task);
    this.queue = this.last.catch((error) => {
      const storage = error instanceof Error && (error.name === 'StorageFullError' || error.name === 'StorageError');
      this.hooks.onProblem({ room: this.id, message: error instanceof Error ? error.message : String(error), storage });
    });
  }

  /**
   * One IndexedDB transaction: the update, the projection of what it touched, the room's sync state.
   * `vector` is the state vector the stored updates reach once this one is stored (null: unchanged).
   */
  private async commit(
    update: Uint8Array | null,
    local: boolean,
    ids: string[],
    documentChanged: boolean,
    vector: Uint8Array | null,
    snapshotKeys: string[] = [],
    other: Set<string>[] = [],
  ): Promise<void> {
    const db = this.db;
    const snapshot = update !== null && (this.needsSnapshot || this.storedUpdates + 1 >= this.compactAfter);
    const retried = this.unprojected;
    if (retried.size) ids = [...new Set([...ids, ...retried])];
    documentChanged ||= this.documentUnprojected;
    if (this.snapshotsUnprojected.size) snapshotKeys = [...new Set([...snapshotKeys, ...this.snapshotsUnprojected])];
    const otherKeys = this.followers.map((_, i) => new Set([...(other[i] ?? []), ...this.otherUnprojected[i]!]));
    const tables = [
      db.roomUpdates,
      db.rooms,
      ...this.store.tables,
      ...this.snapshots.tables,
      ...this.projections.flatMap((p) => p.tables),
    ];
    try {
      await db.transaction('rw', tables, async () => {
        if (snapshot) {
          // The whole doc, which holds at least everything up to `vector`.
          await db.roomUpdates.where('room').equals(this.id).delete();
          await db.roomUpdates.add({ room: this.id, update: Y.encodeStateAsUpdate(this.doc), at: Date.now() });
        } else if (update) {
          await db.roomUpdates.add({ room: this.id, update, at: Date.now() });
        }
        // The document first: its title is part of its annotations' search text.
        if (documentChanged) await this.projectDocument();
        await this.project(ids, local);
        await this.projectSnapshots(snapshotKeys);
        for (const [i, follower] of this.followers.entries()) {
          if (otherKeys[i]!.size) await follower.project(otherKeys[i]!);
        }
        const row = await db.rooms.get(this.id);
        const next: RoomStateRow = {
          room: this.id,
          teamId: this.teamId,
          documentKey: this.documentKey,
          dirty: local ? 1 : (row?.dirty ?? 0),
          syncedAt: row?.syncedAt ?? 0,
          localChanges: (row?.localChanges ?? 0) + (local ? 1 : 0),
          stateVector: vector ?? row?.stateVector,
          serverStateVector: row?.serverStateVector,
          projected: 1,
        };
        await db.rooms.put(next);
      });
    } catch (error) {
      // What failed to store is still in memory: the next commit stores the whole state and projects these
      // records again, closing the gap.
      if (update) this.needsSnapshot = true;
      this.unprojected = new Set(ids);
      this.documentUnprojected = documentChanged;
      this.otherUnprojected = otherKeys;
      this.snapshotsUnprojected = new Set(snapshotKeys);
      throw toStorageError(error, local ? 'your change' : 'changes from your team');
    }
    if (snapshot) this.storedUpdates = 1;
    else if (update) this.storedUpdates++;
    if (snapshot) this.needsSnapshot = false;
    this.unprojected = new Set();
    this.documentUnprojected = false;
    this.snapshotsUnprojected = new Set();
    this.otherUnprojected = this.followers.map(() => new Set());
    const otherChanged = otherKeys.some((keys) => keys.size > 0);
    if (ids.length || otherChanged || (local && snapshotKeys.length)) {
      this.hooks.onChange({ room: this.id, documentKey: this.documentKey, ids, local, other: otherChanged });
    }
  }

  /** Adds the room's valid snapshots under these keys to the document's versions; invalid ones are skipped. */
  private async projectSnapshots(keys: string[]): Promise<void> {
    for (const key of keys) {
      const snapshot = readRoomSnapshot(this.doc, key);
      if (snapshot) await this.snapshots.keep(this.documentKey, snapshot);
      else if (snapshotsMap(this.doc).has(key)) {
        this.hooks.onProblem({
          room: this.id,
          message: `A clause snapshot in room ${this.id} is not valid and was not stored`,
        });
      }
    }
  }

  private async project(ids: string[], local: boolean): Promise<void> {
    if (!ids.length) return;
    const room = { teamId: this.teamId, documentKey: this.documentKey };
    const existing = await this.db.annotations.bulkGet(ids);
    const reads = readAnnotations(this.doc, room, ids);
    const next: Annotation[] = [];
    ids.forEach((id, i) => {
      const before = existing[i] as Record<string, unknown> | undefined;
      // A damaged row of this room is simply overwritten (repaired). Only this browser may turn its own private
      // record into a team one; a colleague reusing the id of a private or foreign record is ignored.
      const foreign =
        before !== undefined &&
        ((typeof before.teamId === 'string' && before.teamId !== this.teamId) ||
          (typeof before.documentKey === 'string' && before.documentKey !== this.documentKey) ||
          (before.visibility === 'private' && !local));
      if (foreign) {
        this.hooks.onProblem({
          room: this.id,
          message: `Ignored annotation ${id} in room ${this.id}: its id belongs to another record`,
        });
        return;
      }
      const read = reads.get(id) ?? null;
      if (read === null) {
        // Removed from the room by someone: keep the text here as a deleted record rather than lose it.
        const kept = annotationSchema.safeParse(before);
        if (kept.success && !kept.data.deleted) next.push({ ...kept.data, deleted: true });
      } else if (read.ok) {
        next.push(read.annotation);
      } else {
        this.hooks.onProblem({
          room: this.id,
          message: `Annotation ${id} in room ${this.id} failed validation and was not stored (${read.error}); the last valid version is kept`,
        });
      }
    });
    if (next.length) await this.store.put(next);
  }

  private async projectDocument(): Promise<void> {
    const shared = readDocumentInfo(this.doc);
    if (!shared || shared.key !== this.documentKey) return;
    const existing = await this.db.documents.get(this.documentKey);
    await this.store.putDocument({
      ...shared,
      ...existing,
      // The room keeps the hash of the text as first annotated in the team.
      contentHash: shared.contentHash ?? existing?.contentHash,
    });
  }

  private async quarantine(bad: { seq: number; update: unknown; error: string }[]): Promise<void> {
    await this.db.transaction('rw', [this.db.roomUpdates, this.db.quarantine], async () => {
      await this.db.quarantine.bulkAdd(
        bad.map((b) => ({
          table: 'roomUpdates',
          key: `${this.id}#${b.seq}`,
          value: b.update,
          error: b.error,
          at: Date.now(),
        })),
      );
      await this.db.roomUpdates.bulkDelete(bad.map((b) => b.seq));
    });
    this.hooks.onProblem({
      room: this.id,
      message: `${bad.length} stored update(s) of room ${this.id} could not be read and were set aside; the rest loaded`,
    });
  }
}

/** Connections mark the updates they apply with themselves as origin (see connection.ts). */
function isRemoteConnection(origin: unknown): boolean {
  return (
    typeof origin === 'object' &&
    origin !== null &&
    (origin as { isRoomConnection?: unknown }).isRoomConnection === true
  );
}

export type RoomLease = { room: Room; release(): void };

/**
 * Opens each room once, shares it between its users (a page's realtime connection, the catch-up, a write) and
 * closes it once unused for a while, so memory stays bounded however many rooms the team has.
 */
export class RoomRegistry {
  private readonly entries = new Map<
    string,
    { room: Promise<Room>; users: number; timer?: ReturnType<typeof setTimeout> }
  >();

  constructor(
    private readonly db: PizhuDatabase,
    private readonly store: AnnotationStore,
    private readonly hooks: RoomHooks,
    private readonly idleCloseMs = IDLE_CLOSE_MS,
    private readonly compactAfter = COMPACT_AFTER_UPDATES,
    private readonly projections: readonly RoomProjection[] = [],
  ) {}

  async acquire(roomId: string): Promise<RoomLease> {
    let entry = this.entries.get(roomId);
    if (!entry) {
      const created = new Room(roomId, this.db, this.store, this.hooks, this.compactAfter, this.projections);
      const room = created.load().then(() => created);
      entry = { room, users: 0 };
      this.entries.set(roomId, entry);
      room.catch(() => {
        if (this.entries.get(roomId) === entry) this.entries.delete(roomId);
      });
    }
    entry.users++;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    const current = entry;
    let room: Room;
    try {
      room = await current.room;
    } catch (error) {
      current.users--;
      throw error;
    }
    let released = false;
    return {
      room,
      release: () => {
        if (released) return;
        released = true;
        if (--current.users > 0) return;
        current.timer = setTimeout(() => this.close(roomId, current).catch(() => undefined), this.idleCloseMs);
      },
    };
  }

  /** Runs `task` with the room open. */
  async use<T>(roomId: string, task: (room: Room) => Promise<T>): Promise<T> {
    const lease = await this.acquire(roomId);
    try {
      return await task(lease.room);
    } finally {
      lease.release();
    }
  }

  /** Waits for every open room's pending commits. */
  async flushAll(): Promise<void> {
    const rooms = await Promise.allSettled([...this.entries.values()].map((e) => e.room));
    await Promise.all(rooms.map((r) => (r.status === 'fulfilled' ? r.value.flushed() : undefined)));
  }

  /** Closes the rooms of a team now (leaving it). */
  async closeTeam(teamId: string): Promise<void> {
    for (const [roomId, entry] of [...this.entries]) {
      if (parseRoomId(roomId)?.teamId === teamId) await this.close(roomId, entry, true);
    }
  }

  get openCount(): number {
    return this.entries.size;
  }

  private async close(roomId: string, entry: { room: Promise<Room>; users: number }, force = false): Promise<void> {
    if (!force && entry.users > 0) return;
    if (this.entries.get(roomId) !== entry) return;
    this.entries.delete(roomId);
    const room = await entry.room.catch(() => null);
    if (!room) return;
    await room.flushed();
    room.destroy();
  }
}
