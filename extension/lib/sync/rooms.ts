/**
 * Yjs rooms in the browser: one Y.Doc per (team, document), its updates persisted in IndexedDB so offline
 * edits survive a restart. Local edits and remote changes take one path into the store: every transaction on a
 * room is appended to `roomUpdates`, and the annotations it touched are re-read from the doc and written to the
 * `annotations` table. A record therefore cannot diverge between the room and the store.
 */
import * as Y from 'yjs';
import type { Annotation } from '../../../shared/model/annotation.ts';
import {
  annotationsMap,
  parseRoomId,
  readAnnotation,
  touchedAnnotationIds,
  writeAnnotation,
  writeDocumentInfo,
} from '../../../shared/model/room.ts';
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import type { PizhuDatabase } from '../store/db.ts';

/** Merge a room's stored updates into one row once it has this many. */
const COMPACT_AFTER_UPDATES = 200;
export const LOAD_ORIGIN = Symbol('pizhu-load');

export type RoomChange = { room: string; documentKey: string; ids: string[] };

export class Room {
  readonly doc = new Y.Doc();
  private pendingWrite: Promise<void> = Promise.resolve();
  private storedUpdates = 0;

  constructor(
    readonly id: string,
    private readonly db: PizhuDatabase,
    private readonly onChange: (change: RoomChange) => void,
  ) {}

  get documentKey(): string {
    return parseRoomId(this.id)!.documentKey;
  }

  get teamId(): string {
    return parseRoomId(this.id)!.teamId;
  }

  /** Loads the stored state, then starts persisting and projecting every later transaction. */
  async load(): Promise<void> {
    const rows = await this.db.roomUpdates.where('room').equals(this.id).toArray();
    this.storedUpdates = rows.length;
    if (rows.length) Y.applyUpdate(this.doc, Y.mergeUpdates(rows.map((r) => r.update)), LOAD_ORIGIN);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== LOAD_ORIGIN) this.enqueue(() => this.persist(update));
    });
    annotationsMap(this.doc).observeDeep((events) => {
      const ids = [...touchedAnnotationIds(events)];
      if (ids.length) this.enqueue(() => this.project(ids));
    });
    await this.project([...annotationsMap(this.doc).keys()]);
  }

  write(annotation: Annotation, document?: DocumentInfo): void {
    this.doc.transact(() => {
      if (document) writeDocumentInfo(this.doc, document);
      writeAnnotation(this.doc, annotation);
    });
  }

  read(id: string): Annotation | null {
    const result = readAnnotation(this.doc, { teamId: this.teamId, documentKey: this.documentKey }, id);
    return result?.ok ? result.annotation : null;
  }

  /** Resolves when everything applied so far is in IndexedDB. */
  flushed(): Promise<void> {
    return this.pendingWrite;
  }

  private enqueue(task: () => Promise<void>): void {
    this.pendingWrite = this.pendingWrite.then(task).catch((error) => {
      console.error(`[pizhu] could not save room ${this.id}:`, error);
    });
  }

  private async persist(update: Uint8Array): Promise<void> {
    await this.db.roomUpdates.add({ room: this.id, update, at: Date.now() });
    this.storedUpdates++;
    if (this.storedUpdates >= COMPACT_AFTER_UPDATES) await this.compact();
  }

  /** Replaces the room's stored updates with one merged update, atomically. */
  private async compact(): Promise<void> {
    const merged = Y.encodeStateAsUpdate(this.doc);
    await this.db.transaction('rw', this.db.roomUpdates, async () => {
      await this.db.roomUpdates.where('room').equals(this.id).delete();
      await this.db.roomUpdates.add({ room: this.id, update: merged, at: Date.now() });
    });
    this.storedUpdates = 1;
  }

  private async project(ids: string[]): Promise<void> {
    const room = { teamId: this.teamId, documentKey: this.documentKey };
    const valid: Annotation[] = [];
    for (const id of ids) {
      const result = readAnnotation(this.doc, room, id);
      if (result?.ok) valid.push(result.annotation);
      else if (result) console.warn(`[pizhu] skipped an invalid annotation ${id} in ${this.id}: ${result.error}`);
    }
    if (valid.length) await this.db.annotations.bulkPut(valid);
    this.onChange({ room: this.id, documentKey: this.documentKey, ids });
  }
}

/** Opens each room once and keeps it. */
export class RoomRegistry {
  private readonly rooms = new Map<string, Promise<Room>>();

  constructor(
    private readonly db: PizhuDatabase,
    private readonly onChange: (change: RoomChange) => void,
  ) {}

  open(roomId: string): Promise<Room> {
    let room = this.rooms.get(roomId);
    if (!room) {
      const created = new Room(roomId, this.db, this.onChange);
      room = created.load().then(() => created);
      room.catch(() => this.rooms.delete(roomId));
      this.rooms.set(roomId, room);
    }
    return room;
  }

  openRooms(): Promise<Room[]> {
    return Promise.all(this.rooms.values());
  }
}
