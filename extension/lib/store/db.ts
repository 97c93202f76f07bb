/**
 * The local-first store: everything the extension knows lives in IndexedDB through Dexie.
 * Versioned schema: each version's stores are listed below and never edited once released; upgrades add a
 * new version (tested in db.test.ts so nothing is lost).
 */
import Dexie, { type EntityTable } from 'dexie';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';

/** One Yjs update of a room, appended as it happens and compacted now and then. */
export type RoomUpdateRow = { seq?: number; room: string; update: Uint8Array; at: number };

/** What the sync client knows of a room: whether it has unsent local changes. */
export type RoomStateRow = { room: string; teamId: string; documentKey: string; dirty: 0 | 1; syncedAt: number };

export type SettingRow = { key: string; value: unknown };

export type TeamRow = {
  teamId: string;
  teamName: string;
  serverUrl: string;
  memberId: string;
  displayName: string;
  role: 'owner' | 'editor' | 'viewer';
  token: string;
  joinedAt: number;
};

export class PizhuDatabase extends Dexie {
  annotations!: EntityTable<Annotation, 'id'>;
  documents!: EntityTable<DocumentInfo, 'key'>;
  roomUpdates!: EntityTable<RoomUpdateRow, 'seq'>;
  rooms!: EntityTable<RoomStateRow, 'room'>;
  settings!: EntityTable<SettingRow, 'key'>;
  teams!: EntityTable<TeamRow, 'teamId'>;

  constructor(name = 'pizhu') {
    super(name);
    this.version(1).stores({
      annotations: 'id, documentKey, teamId, *tags, author.id, updatedAt, visibility',
      documents: 'key, canonicalUrl, readAt',
      roomUpdates: '++seq, room',
      rooms: 'room, teamId, dirty',
      settings: 'key',
      teams: 'teamId',
    });
  }
}
