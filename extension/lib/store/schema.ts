import type { ProgressEntry, Task } from '../../../shared/tasks/model.ts';

/**
 * What the store holds: every table's row type and each schema version's stores. A released version's stores
 * are never edited; a change adds a version here and its upgrade in migrations.ts.
 */

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
  /** `localChanges` when the server last confirmed a push: the difference is what waits to be sent. */
  pushedChanges?: number;
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
  /** The unit the owner gave this member (GET /api/me), for progress on its tasks; absent until first read. */
  unit?: { id: string; name: string } | null;
};

/**
 * The tag library: every tag in use, how many live annotations carry it, on how many documents (version 3),
 * and when it was last used.
 */
export type TagRow = { tag: string; count: number; documents?: number; usedAt: number };

/**
 * Per document with live annotations: its live highlights (replies not counted), its tags with their counts, its
 * last activity.
 */
export type DocumentStatsRow = {
  documentKey: string;
  /** Live annotations of any kind (replies included); the row goes when this reaches 0. */
  live: number;
  /** Live highlights (not replies): what the library counts. */
  highlights: number;
  tags: Record<string, number>;
  lastAt: number;
};

/** Every author with live annotations in the store, under the name last seen. */
export type AuthorRow = { authorId: string; name: string; count: number };

/** Postings of one search term for one bucket of 4,096 entry numbers (see search-index.ts). */
export type SearchTermRow = { gram: string; bucket: number; ids: Uint32Array };

/**
 * An annotation's normalised searchable text (quote, note, tags and its document's title) and what the filters
 * need, under a small number that postings refer to. Version 2 rows have only text, tags and updatedAt; the
 * upgrade to version 3 rebuilds them.
 */
export type SearchEntryRow = {
  seq?: number;
  annotationId: string;
  text: string;
  tags?: string[];
  documentKey?: string;
  authorId?: string;
  createdAt?: number;
  updatedAt: number;
};

/** A task as stored (version 6): the room's record with its team and what the indexes need (tasks-store.ts). */
export type TaskRow = Task & {
  teamId: string;
  /** clause.index, top level for the compound indexes. */
  clauseIndex: number;
  /** Lead and responsible unit ids as written (merges are followed when filtering). */
  unitIds: string[];
  /** due.date, or '' for a deadline without a date or none (IndexedDB indexes no null). */
  dueDate: string;
  /** 1 until done: with dueDate, the index of what is overdue or due soon. */
  open: 0 | 1;
  /** The leader field folded, whole and split into names (the leader filter). */
  leaderKeys: string[];
};

/** A progress entry as stored (version 6), under its room's key `<memberId>/<entryId>`. */
export type ProgressRow = ProgressEntry & { key: string; teamId: string; documentKey: string };

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

/**
 * One version of a document this browser knows a clause snapshot of (version 4): what the comparison's picker
 * lists and finds, without reading the snapshot itself (in `snapshots`, under the same key).
 */
export type VersionRow = {
  documentKey: string;
  /** The snapshot's content hash: its key in the team's room. */
  contentHash: string;
  /** When this browser first stored it (taken here or received from the team). */
  storedAt: number;
  /** Hash of the page text it was taken from (the page's `contentHash`), when this browser took it. */
  bodyHash?: string;
  title: string;
  issuer?: string;
  docNumber?: string;
  publishedAt?: string;
  clauses: number;
  /** The title's search terms (search-text.ts), to find documents with a similar title. */
  titleTerms: string[];
};

/** A version's clause snapshot (shared/compare), validated again when read. */
export type SnapshotRow = { documentKey: string; contentHash: string; snapshot: unknown };

/**
 * A tag rename of the team (the team room's `tagRenames` entry under `tag`, version 5), projected from the team
 * room. Rows are keyed by tag alone: the team joined now owns them (its room's projection replaces its rows).
 */
export type TagRenameRow = { tag: string; teamId: string; to: string; by: string; at: number };

/** A unit of the team (the team room's `units` entry under `id`, version 5). */
export type UnitRow = {
  id: string;
  teamId: string;
  name: string;
  aliases?: string[];
  mergedInto?: string;
  deleted?: boolean;
  by: string;
  at: number;
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

/**
 * Version 3: the library's per-document and per-author counts, and search entries by date and document. Tags lose
 * their count and usedAt indexes: every write moved their entries, and reading an index so churned (LevelDB skips
 * its deleted entries) took 50-100 ms for 200 tags, against 2 ms for the whole small table by its key.
 */
export const SCHEMA_V3 = {
  ...SCHEMA_V2,
  tags: 'tag',
  searchEntries: '++seq, &annotationId, createdAt, documentKey',
  documentStats: 'documentKey, lastAt',
  authors: 'authorId',
} as const;

/**
 * Version 4: clause snapshots of the documents' versions, for comparing versions offline (issue 20): `versions`
 * (small rows, indexed by document, time, title terms and issuer) and `snapshots` (the clause texts).
 */
export const SCHEMA_V4 = {
  ...SCHEMA_V3,
  versions: '[documentKey+contentHash], documentKey, storedAt, *titleTerms, issuer',
  snapshots: '[documentKey+contentHash]',
} as const;

/**
 * Version 5: the team's vocabulary from its team room (tag renames, units). Nothing is rebuilt: with no renames
 * yet, tags read as written, which is what the search index and the counts already hold.
 */
export const SCHEMA_V5 = {
  ...SCHEMA_V4,
  tagRenames: 'tag, teamId',
  units: 'id, teamId',
} as const;

/**
 * Version 6: tasks on clauses and their progress, projected from the page rooms (tasks-store.ts); the units they
 * name are the team's vocabulary (version 5's `units`).
 * Tasks are keyed by room and id; indexed for a notice in clause order, the team in document and clause order,
 * what is open by due date (overdue and due soon on top), units, due dates and leaders.
 */
export const SCHEMA_V6 = {
  ...SCHEMA_V5,
  tasks:
    '[documentKey+id], teamId, [documentKey+clauseIndex], [teamId+documentKey+clauseIndex], [teamId+open+dueDate], [teamId+dueDate], *unitIds, *leaderKeys',
  progress: '[documentKey+key], teamId, [documentKey+taskId], [teamId+at]',
} as const;
