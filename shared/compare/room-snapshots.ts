/**
 * Clause snapshots in a page room (docs/room-layout.md): the `snapshots` map holds one snapshot per version of
 * the page, under its content hash, written once and never changed. The same check serves the server's write
 * rule and every reader, so what the server accepts is exactly what clients read, and a reader skips anything
 * else (a room written before the rule, a damaged value).
 */
import type * as Y from 'yjs';
import { MAX_SNAPSHOTS_PER_ROOM, snapshotsMap } from '../model/room.ts';
import { type ClauseSnapshot, clauseSnapshotSchema, SNAPSHOT_LIMITS, snapshotBytes } from './snapshot-schema.ts';

/** Why a value cannot be the snapshot under `key` (the server's rule), or null when it can. */
export function roomSnapshotProblem(key: string, value: unknown): string | null {
  return checkRoomSnapshot(key, value).problem;
}

function checkRoomSnapshot(key: string, value: unknown): { problem: string | null; snapshot?: ClauseSnapshot } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a snapshot' };
  // The size first: it bounds what the schema and the hashes below have to read.
  let bytes: number;
  try {
    bytes = snapshotBytes(value as ClauseSnapshot);
  } catch {
    return { problem: 'not JSON' };
  }
  if (bytes > SNAPSHOT_LIMITS.jsonBytes) return { problem: `larger than ${SNAPSHOT_LIMITS.jsonBytes} bytes` };
  const parsed = clauseSnapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `invalid snapshot (${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : ''})` };
  }
  if (parsed.data.contentHash !== key) return { problem: 'the key must be the snapshot’s content hash' };
  return { problem: null, snapshot: parsed.data };
}

/** The snapshot stored under `key`, or null when there is none or it is not a valid one. */
export function readRoomSnapshot(doc: Y.Doc, key: string): ClauseSnapshot | null {
  return checkRoomSnapshot(key, snapshotsMap(doc).get(key)).snapshot ?? null;
}

/** The keys of the room's snapshots (valid or not: read each with readRoomSnapshot). */
export function roomSnapshotKeys(doc: Y.Doc): string[] {
  return [...snapshotsMap(doc).keys()];
}

export type RoomSnapshotWrite = 'written' | 'present' | 'full';

/**
 * Adds a snapshot to the room unless it holds that version already ('present') or as many versions as a room may
 * ('full'). Never overwrites: the server refuses an overwrite, and a value under a key is the same clauses anyway.
 */
export function writeRoomSnapshot(doc: Y.Doc, snapshot: ClauseSnapshot, origin?: unknown): RoomSnapshotWrite {
  const map = snapshotsMap(doc);
  if (map.has(snapshot.contentHash)) return 'present';
  if (map.size >= MAX_SNAPSHOTS_PER_ROOM) return 'full';
  doc.transact(() => map.set(snapshot.contentHash, snapshot), origin);
  return 'written';
}
