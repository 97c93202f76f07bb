/**
 * The write rule of a page room's `snapshots` map (docs/room-layout.md): clause snapshots of the page's versions,
 * written by editors and owners, insert only. A value must be a valid snapshot (shared/compare: shape, limits,
 * every hash checked against its text) stored under its own content hash, so whatever sits under a key holds
 * the same clauses; an entry is never deleted nor overwritten (an overwrite names the entry it replaces as its
 * origin, and deletes it).
 *
 * Two members who store the same version while apart both insert under the same key without knowing of each
 * other: that is allowed (Yjs keeps one; both hold the same clauses), or the later one's room would be refused
 * for good. For the same reason the room's cap sits well above the one clients keep to
 * (MAX_SNAPSHOTS_PER_ROOM): members apart may each add one before they hear of the others'.
 */
import type * as Y from 'yjs';
import { roomSnapshotProblem } from '../../shared/compare/room-snapshots.ts';
import { MAX_SNAPSHOTS_PER_ROOM, snapshotsMap } from '../../shared/model/room.ts';
import type { Role } from '../../shared/protocol/api.ts';

/** (A RootRule of write-rules.ts, which lists this one: typed here by shape, so neither imports the other.) */
type Writer = { memberId: string; role: Role };

/** The most snapshots the server lets into one room. */
export const SERVER_SNAPSHOTS_PER_ROOM = 2 * MAX_SNAPSHOTS_PER_ROOM;

const HASH_KEY = /^[A-Za-z0-9_-]{1,64}$/;

export const snapshotsRule = {
  insertOnly: true,
  write: (writer: Writer, key: string) =>
    writer.role === 'owner' || writer.role === 'editor'
      ? HASH_KEY.test(key)
        ? null
        : `"${key.slice(0, 80)}" is not a content hash`
      : 'only editors and owners write here',
  delete: () => 'snapshots are never deleted or overwritten',
  value: (value: unknown, key: string) => roomSnapshotProblem(key, value),
  conflict(key: string, _writer: Writer, doc: Y.Doc) {
    const map = snapshotsMap(doc);
    if (map.has(key) || map.size < SERVER_SNAPSHOTS_PER_ROOM) return null;
    return `the room holds ${SERVER_SNAPSHOTS_PER_ROOM} snapshots already`;
  },
} as const;
