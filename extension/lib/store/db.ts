/**
 * The local-first store: everything the extension knows lives in IndexedDB through Dexie.
 * Versioned schema: each version's stores are listed below and never edited once released; upgrades add a
 * new version (tested in db.test.ts so nothing is lost). Only the background writes; extension pages read.
 */
import Dexie, { type EntityTable, type Table, type Transaction } from 'dexie';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { rebuildSearchIndex } from './search-index.ts';
import { rebuildTagLibrary } from './tag-library.ts';

/** One Yjs update of a room, appended as it happens and compacted now and then. */
export type RoomUpdateRow = { seq?: number; room: string; update: Uint8Array; at: number };

/** What the sync client knows of a room (version 1 fields, then version 2). */
export type RoomStateRow = {
  room: string;
  teamId: string;
  documentKey: string;
  /** 1 while the room has local changes the server may not have. */
  dirty: 0 | 1;
  syncedAt: number;
  /** Counts local commits, so a push clears `dirty` only if nothing changed meanwhile. */
  localChanges?: number;
  /** This browser's state vector after the last stored update. */
  stateVector?: Uint8Array;
  /** The server's state vector as last heard (bulk sync or push). */
  serverStateVector?: Uint8Array;
  /** 0 when the annotations table may lag the stored updates (rows from version 1, a repair): re-read on open. */
  projected?: 0 | 1;
};

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

/** The tag library: every tag in use and how many live annotations carry it. */
export type TagRow = { tag: string; count: number; usedAt: number };

/** Postings of one search term for one bucket of 4,096 entry numbers (see search-index.ts). */
export type SearchTermRow = { gram: string; bucket: number; ids: Uint32Array };

/** An annotation's normalised searchable text and tags under a small number that postings refer to. */
export type SearchEntryRow = { seq?: number; annotationId: string; text: string; tags?: string[]; updatedAt: number };

/** The bulk catch-up's progress for a team; survives the service worker being stopped. */
export type SyncStateRow = {
  teamId: string;
  /** The server's change cursor after the last complete catch-up. */
  cursor: string | null;
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  /** Consecutive failed attempts; drives the backoff. */
  failures: number;
  /** No automatic attempt before this time (backoff with jitter). */
  nextAttemptAt?: number;
  lastError?: string;
};

/** Records found unreadable (corrupted rows, updates Yjs refuses), kept for diagnosis instead of deleted. */
export type QuarantineRow = { id?: number; table: string; key: string; value: unknown; error: string; at: number };

export const SCHEMA_V1 = {
  annotations: 'id, documentKey, teamId, *tags, author.id, updatedAt, visibility',
  documents: 'key, canonicalUrl, readAt',
  roomUpdates: '++seq, room',
  rooms: 'room, teamId, dirty',
  settings: 'key',
  teams: 'teamId',
} as const;

export const SCHEMA_V2 = {
  ...SCHEMA_V1,
  annotations: 'id, documentKey, teamId, *tags, author.id, updatedAt, visibility, [documentKey+clausePath]',
  tags: 'tag, count, usedAt',
  searchTerms: '[gram+bucket]',
  searchEntries: '++seq, &annotationId',
  syncState: 'teamId',
  quarantine: '++id, table',
} as const;

export class PizhuDatabase extends Dexie {
  annotations!: EntityTable<Annotation, 'id'>;
  documents!: EntityTable<DocumentInfo, 'key'>;
  roomUpdates!: EntityTable<RoomUpdateRow, 'seq'>;
  rooms!: EntityTable<RoomStateRow, 'room'>;
  settings!: EntityTable<SettingRow, 'key'>;
  teams!: EntityTable<TeamRow, 'teamId'>;
  tags!: Table<TagRow, string>;
  searchTerms!: Table<SearchTermRow, [string, number]>;
  searchEntries!: Table<SearchEntryRow, number>;
  syncState!: EntityTable<SyncStateRow, 'teamId'>;
  quarantine!: EntityTable<QuarantineRow, 'id'>;

  constructor(name = 'pizhu', options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA_V2).upgrade(upgradeToV2);
  }
}

/**
 * Version 2 adds the search index, the tag library, the sync state and the clause index. Existing records are
 * left as they are (an invalid one is skipped by the index, never dropped); rooms are marked for re-projection
 * because version 1 stored updates and projections in separate transactions.
 */
async function upgradeToV2(tx: Transaction): Promise<void> {
  const annotations = (await tx.table('annotations').toArray()) as Annotation[];
  await rebuildSearchIndex(
    { searchTerms: tx.table('searchTerms'), searchEntries: tx.table('searchEntries') },
    annotations,
  );
  await rebuildTagLibrary(tx.table('tags'), annotations);
  await tx
    .table('rooms')
    .toCollection()
    .modify((row: RoomStateRow) => {
      row.projected = 0;
      row.localChanges = row.dirty ? 1 : 0;
    });
}
