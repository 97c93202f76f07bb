/**
 * Yjs rooms in the browser: one Y.Doc per (team, document), its updates persisted in IndexedDB so offline
 * edits survive a restart. Local edits and remote changes take one path into the store: every transaction on a
 * room is committed in ONE IndexedDB transaction that appends the update, writes its projection (a page room:
 * re-reads the annotations it touched from the doc into the annotations table through AnnotationStore, which
 * keeps search and tags in step, adds the clause snapshots it brought to the document's versions through
 * SnapshotStore, and its tasks and progress through TaskStore, tasks-projection.ts; the team room
 * `<teamId>._team`: the team's vocabulary, team-room.ts) and records the room's state vector and whether it
 * holds unsent local changes. A record therefore cannot diverge between the room and the store, and a failed
 * commit (a full disk) leaves both as they were.
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
import { type ErrorInfo, errorInfo, errorMessage, PizhuError } from '../errors.ts';
import { isTeamRoomKey } from '../../../shared/model/team-room.ts';
import type { AnnotationStore } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { RoomStateRow } from '../store/schema.ts';
import { SnapshotStore } from '../store/snapshots.ts';
import { toStorageError } from '../store/storage-errors.ts';
import { TaskStore } from '../store/tasks-store.ts';
import { bothProjections, type RoomProjection } from './projection.ts';
import { TasksProjection } from './tasks-projection.ts';
import { TeamRoomProjection } from './team-room.ts';

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

/** What a commit changed: annotation ids in a page room, entry keys in the team room (see RoomProjection). */
export type RoomChange = { room: string; documentKey: string; ids: string[]; local: boolean };
/** `storage` marks a failed write to IndexedDB (a full disk), as opposed to bad content. */
export type RoomProblem = { room: string; error: ErrorInfo; storage?: boolean };
export type RoomHooks = { onChange(change: RoomChange): void; onProblem(problem: RoomProblem): void };

export class RoomUpdateError extends PizhuError {
  constructor(room: string, cause: unknown) {
    super('room_update_invalid', { room }, `not a valid Yjs update, ignored (${errorMessage(cause)})`);
    this.name = 'RoomUpdateError';
  }
}

export function sharedDocumentFields(document: DocumentInfo): DocumentInfo {
  const shared = { ...document };
  for (const field of LOCAL_DOCUMENT_FIELDS) delete shared[field];
  return shared;
}

/** What a page room's transactions touched: annotation ids, whether the page's metadata changed, snapshot keys. */
type PageWork = { ids: Set<string>; document: boolean; snapshots: Set<string> };

const noPageWork = (): PageWork => ({ ids: new Set(), document: false, snapshots: new Set() });

/** A page room's projection: the annotations a transaction touched, the page's shared metadata, its snapshots. */
class PageProjection implements RoomProjection<PageWork> {
  private touched = noPageWork();
  private doc: Y.Doc | null = null;
  private readonly snapshots: SnapshotStore;

  constructor(
    private readonly room: { id: string; teamId: string; documentKey: string },
    private readonly db: PizhuDatabase,
    private readonly store: AnnotationStore,
    private readonly hooks: RoomHooks,
  ) {
    this.snapshots = new SnapshotStore(db);
  }

  get tables(): readonly Table[] {
    return [...this.store.tables, ...this.snapshots.tables];
  }

  observe(doc: Y.Doc): void {
    this.doc = doc;
    // Version 2 entries (notes, removed) and version 1 records (read-only legacy, nested maps).
    for (const map of [notesMap(doc), removedMap(doc)]) {
      map.observe((event) => {
        for (const id of idsOfMemberKeys(event.keysChanged)) this.touched.ids.add(id);
      });
    }
    annotationsMap(doc).observeDeep((events) => {
      for (const id of touchedAnnotationIds(events)) this.touched.ids.add(id);
    });
    documentMap(doc).observe(() => (this.touched.document = true));
    snapshotsMap(doc).observe((event) => {
      for (const key of event.keysChanged) this.touched.snapshots.add(key);
    });
  }

  take(): PageWork {
    const work = this.touched;
    this.touched = noPageWork();
    return work;
  }

  all(): PageWork {
    const doc = this.doc!;
    return { ids: new Set(annotationIdsOf(doc)), document: true, snapshots: new Set(roomSnapshotKeys(doc)) };
  }

  join(a: PageWork, b: PageWork): PageWork {
    return {
      ids: new Set([...a.ids, ...b.ids]),
      document: a.document || b.document,
      snapshots: new Set([...a.snapshots, ...b.snapshots]),
    };
  }

  async project(work: PageWork, local: boolean): Promise<string[]> {
    // The document first: its title is part of its annotations' search text.
    if (work.document) await this.projectDocument();
    const ids = [...work.ids];
    await this.projectAnnotations(ids, local);
    await this.projectSnapshots([...work.snapshots]);
    return ids;
  }

  /** The room's snapshot keys this browser has not kept as versions yet (stored before store version 4). */
  async unkeptSnapshots(): Promise<PageWork> {
    const known = new Set((await this.snapshots.versionsOf(this.room.documentKey)).map((v) => v.contentHash));
    const missing = roomSnapshotKeys(this.doc!).filter((key) => !known.has(key));
    return { ...noPageWork(), snapshots: new Set(missing) };
  }

  /** Adds the room's valid snapshots under these keys to the document's versions; invalid ones are skipped. */
  private async projectSnapshots(keys: string[]): Promise<void> {
    for (const key of keys) {
      const snapshot = readRoomSnapshot(this.doc!, key);
      if (snapshot) await this.snapshots.keep(this.room.documentKey, snapshot);
      else if (snapshotsMap(this.doc!).has(key)) {
        this.hooks.onProblem({
          room: this.room.id,
          error: { code: 'snapshot_invalid', params: { room: this.room.id } },
        });
      }
    }
  }

  private async projectAnnotations(ids: string[], local: boolean): Promise<void> {
    if (!ids.length) return;
    const { id: roomId, teamId, documentKey } = this.room;
    const existing = await this.db.annotations.bulkGet(ids);
    const reads = readAnnotations(this.doc!, { teamId, documentKey }, ids);
    const next: Annotation[] = [];
    ids.forEach((id, i) => {
      const before = existing[i] as Record<string, unknown> | undefined;
      // A damaged row of this room is simply overwritten (repaired). Only this browser may turn its own private
      // record into a team one; a colleague reusing the id of a private or foreign record is ignored.
      const foreign =
        before !== undefined &&
        ((typeof before.teamId === 'string' && before.teamId !== teamId) ||
          (typeof before.documentKey === 'string' && before.documentKey !== documentKey) ||
          (before.visibility === 'private' && !local));
      if (foreign) {
        this.hooks.onProblem({ room: roomId, error: { code: 'record_id_taken', params: { id } } });
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
        // Not stored; the last valid version is kept.
        this.hooks.onProblem({ room: roomId, error: { code: 'record_invalid', params: { id }, detail: read.error } });
      }
    });
    if (next.length) await this.store.put(next);
  }

  private async projectDocument(): Promise<void> {
    const { documentKey } = this.room;
    const shared = readDocumentInfo(this.doc!);
    if (!shared || shared.key !== documentKey) return;
    const existing = await this.db.documents.get(documentKey);
    await this.store.putDocument({
      ...shared,
      ...existing,
      // The room keeps the hash of the text as first annotated in the team.
      contentHash: shared.contentHash ?? existing?.contentHash,
    });
  }
}

export class Room {
  readonly doc = new Y.Doc();
  readonly teamId: string;
  readonly documentKey: string;
  private queue: Promise<void> = Promise.resolve();
  private last: Promise<void> = Promise.resolve();
  private storedUpdates = 0;
  private needsSnapshot = false;
  private readonly projection: RoomProjection;
  private readonly page: PageProjection | null;
  /** Work whose projection failed with its commit; the next commit projects it too. */
  private unprojected: unknown = null;

  constructor(
    readonly id: string,
    private readonly db: PizhuDatabase,
    store: AnnotationStore,
    private readonly hooks: RoomHooks,
    private readonly compactAfter = COMPACT_AFTER_UPDATES,
  ) {
    const parsed = parseRoomId(id);
    if (!parsed) throw new Error(`Not a valid room id: "${id.slice(0, 140)}"`);
    this.teamId = parsed.teamId;
    this.documentKey = parsed.documentKey;
    this.page = isTeamRoomKey(this.documentKey) ? null : new PageProjection(this, db, store, hooks);
    this.projection = this.page
      ? bothProjections(this.page, new TasksProjection(this, new TaskStore(db), hooks))
      : new TeamRoomProjection(this.teamId, db, store);
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
        bad.push({ seq: row.seq!, update: row.update, error: errorMessage(error) });
      }
    }
    this.storedUpdates = rows.length - bad.length;
    if (bad.length) await this.quarantine(bad);

    this.projection.observe(this.doc);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return;
      const work = this.projection.take();
      const local = origin !== BULK_ORIGIN && !isRemoteConnection(origin);
      // The state this update brings the doc to, taken now: later updates may be in the doc before this one is
      // stored, and the stored vector must never claim what is not stored (the server would not resend it).
      const vector = Y.encodeStateVector(this.doc);
      this.enqueue(() => this.commit(update, local, work, vector));
    });
    // Version 1 stored updates and projections apart, and a repair asks for it: re-read every record once.
    if (state?.projected !== 1 || bad.length) {
      const loaded = Y.encodeStateVector(this.doc);
      this.enqueue(() => this.commit(null, false, this.projection.all(), loaded));
      await this.last;
    }
    // Snapshots stored before this browser kept versions (store version 4) are added once.
    const unkept = await this.page?.unkeptSnapshots();
    if (unkept?.snapshots.size) {
      this.enqueue(() => this.commit(null, false, unkept, null));
      await this.last;
    }
  }

  /**
   * Writes a team annotation as member `writerId` (and the page's shared metadata); resolves once it is in
   * IndexedDB. Throws NotAllowedError, writing nothing, for a change only its author may make.
   */
  write(annotation: Annotation, writerId: string, document?: DocumentInfo): Promise<void> {
    return this.edit((doc) => {
      writeAnnotation(doc, annotation, writerId);
      if (document) writeDocumentInfo(doc, sharedDocumentFields(document));
    });
  }

  /** Makes a local change in one transaction; resolves once it is in IndexedDB (rejects if storing failed). */
  edit(change: (doc: Y.Doc) => void): Promise<void> {
    this.doc.transact(() => change(this.doc), LOCAL_ORIGIN);
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
    this.enqueue(() => this.commit(null, false, this.projection.all(), null));
    return this.last;
  }

  destroy(): void {
    this.doc.destroy();
  }

  private enqueue(task: () => Promise<void>): void {
    this.last = this.queue.then(task);
    this.queue = this.last.catch((error) => {
      const storage = error instanceof Error && (error.name === 'StorageFullError' || error.name === 'StorageError');
      this.hooks.onProblem({ room: this.id, error: errorInfo(error), storage });
    });
  }

  /**
   * One IndexedDB transaction: the update, the projection of what it touched, the room's sync state.
   * `vector` is the state vector the stored updates reach once this one is stored (null: unchanged).
   */
  private async commit(
    update: Uint8Array | null,
    local: boolean,
    work: unknown,
    vector: Uint8Array | null,
  ): Promise<void> {
    const db = this.db;
    const snapshot = update !== null && (this.needsSnapshot || this.storedUpdates + 1 >= this.compactAfter);
    if (this.unprojected !== null) work = this.projection.join(work, this.unprojected);
    let changed: string[] = [];
    try {
      await db.transaction('rw', [db.roomUpdates, db.rooms, ...this.projection.tables], async () => {
        if (snapshot) {
          // The whole doc, which holds at least everything up to `vector`.
          await db.roomUpdates.where('room').equals(this.id).delete();
          await db.roomUpdates.add({ room: this.id, update: Y.encodeStateAsUpdate(this.doc), at: Date.now() });
        } else if (update) {
          await db.roomUpdates.add({ room: this.id, update, at: Date.now() });
        }
        changed = await this.projection.project(work, local);
        const row = await db.rooms.get(this.id);
        const next: RoomStateRow = {
          room: this.id,
          teamId: this.teamId,
          documentKey: this.documentKey,
          dirty: local ? 1 : (row?.dirty ?? 0),
          syncedAt: row?.syncedAt ?? 0,
          // The user's own changes (annotations, team entries); a clause snapshot sent along is not one.
          localChanges: (row?.localChanges ?? 0) + (local && changed.length ? 1 : 0),
          // A new room has sent nothing yet; a room stored before this count was kept has an unknown one.
          pushedChanges: row ? row.pushedChanges : 0,
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
      this.unprojected = work;
      throw toStorageError(error, local ? 'your change' : 'changes from your team');
    }
    if (snapshot) this.storedUpdates = 1;
    else if (update) this.storedUpdates++;
    if (snapshot) this.needsSnapshot = false;
    this.unprojected = null;
    // A local update always counts, even one that changed no annotation (a snapshot): it waits to be sent.
    if (changed.length || (local && update))
      this.hooks.onChange({ room: this.id, documentKey: this.documentKey, ids: changed, local });
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
    this.hooks.onProblem({ room: this.id, error: { code: 'updates_set_aside', params: { count: bad.length } } });
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
  ) {}

  async acquire(roomId: string): Promise<RoomLease> {
    let entry = this.entries.get(roomId);
    if (!entry) {
      const created = new Room(roomId, this.db, this.store, this.hooks, this.compactAfter);
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
