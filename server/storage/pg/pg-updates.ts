/**
 * Yjs updates in PostgreSQL, one row per accepted update committed (synchronous_commit on) before the room sends
 * it to anyone; the same layout as SQLite (rooms with a per-room seq, compacted rows carrying a state vector,
 * delete set and checksum). Several instances write here at once: the room row, locked by each append until it
 * commits, hands out seqs without gaps.
 */
import { randomUUID } from 'node:crypto';
import { checksumOf } from '../checksum.ts';
import { asBytes, storedUpdate, type UpdateRow } from '../update-rows.ts';
import type { AppendResult, EncodedState, RoomHead, SeqUpdate, StoredRoom, UpdateStore } from '../types.ts';
import type { PendingClaims } from './pg-client-owners.ts';
import { inTransaction, type PgPool, type Queryable } from './pool.ts';

type HeadRow = { id: string; change_id: number; last_seq: number };

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const toHead = (row: HeadRow): RoomHead => ({ roomId: row.id, changeId: row.change_id, lastSeq: row.last_seq });

/**
 * The per-team change cursor. Ids from a sequence may commit out of order (transaction A takes 7, B takes 8, B
 * commits first), so a cursor of "the highest id so far" would skip A. A room's change_id is instead the id of
 * the transaction that changed it, and the cursor handed out is one below the oldest transaction still running
 * (pg_snapshot_xmin): every change at or below it has committed, and any later commit gets a change_id above it.
 */
const CURRENT_CURSOR = 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1 AS cursor';

/**
 * A room's batch in one statement: the room row (locked until commit) takes the batch's seqs at once, and the
 * rows follow in batch order. $3 is the number of updates, $4 their bytes, $5 the updates.
 */
const APPEND = `
  WITH room AS (
    INSERT INTO rooms AS r (id, team_id, change_id, last_seq, bytes, row_count, created_at, changed_at)
    VALUES ($1, $2, pg_current_xact_id()::text::bigint, $3::bigint, $4::bigint, $3::bigint, $6, $6)
    ON CONFLICT (id) DO UPDATE SET change_id = EXCLUDED.change_id, last_seq = r.last_seq + EXCLUDED.last_seq,
      bytes = r.bytes + EXCLUDED.bytes, row_count = r.row_count + EXCLUDED.row_count, changed_at = EXCLUDED.changed_at
    RETURNING last_seq, bytes
  )
  INSERT INTO updates (room, seq, data)
  SELECT $1, room.last_seq - $3::bigint + batch.position, batch.data
  FROM room, unnest($5::bytea[]) WITH ORDINALITY AS batch (data, position) ORDER BY batch.position
  RETURNING id, seq, (SELECT bytes FROM room) AS room_bytes`;

export class PgUpdateStore implements UpdateStore {
  private constructor(
    private readonly pool: PgPool,
    readonly instanceId: string,
    private readonly claims: PendingClaims | null,
  ) {}

  /** `claims`: client id claims made by the update guard, written in the transaction of the room's next append. */
  static async open(pool: PgPool, claims: PendingClaims | null = null): Promise<PgUpdateStore> {
    await pool.query("INSERT INTO meta (key, value) VALUES ('instance_id', $1) ON CONFLICT (key) DO NOTHING", [
      randomUUID().slice(0, 8),
    ]);
    const { rows } = await pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'instance_id'");
    return new PgUpdateStore(pool, rows[0]!.value, claims);
  }

  async load(roomId: string): Promise<StoredRoom | null> {
    // One statement, one snapshot: the rows and the room's last seq describe the same moment.
    const { rows } = await this.pool.query<
      { team_id: string; last_seq: number; bytes: number } & { [K in keyof UpdateRow]: UpdateRow[K] | null }
    >(
      `SELECT r.team_id, r.last_seq, r.bytes, u.id, u.seq, u.data, u.state_vector, u.delete_set, u.checksum
       FROM rooms r LEFT JOIN updates u ON u.room = r.id WHERE r.id = $1 ORDER BY u.seq`,
      [roomId],
    );
    const room = rows[0];
    if (!room) return null;
    const stored = rows.filter((row) => row.id !== null).map((row) => storedUpdate(roomId, row as UpdateRow));
    return { roomId, teamId: room.team_id, rows: stored, lastSeq: room.last_seq, bytes: room.bytes };
  }

  async updatesSince(roomId: string, afterSeq: number): Promise<SeqUpdate[] | null> {
    const { rows } = await this.pool.query<{ seq: number; data: Buffer; checksum: string | null }>(
      `SELECT seq, data, checksum FROM updates
       WHERE room = $1 AND (seq > $2 OR seq = (SELECT MIN(seq) FROM updates WHERE room = $1)) ORDER BY seq`,
      [roomId, afterSeq],
    );
    const oldest = rows[0];
    // A compacted row at seq c replaced the rows 1..c: those after afterSeq are no longer there one by one.
    if (oldest && oldest.checksum !== null && oldest.seq > afterSeq) return null;
    return rows.filter((row) => row.seq > afterSeq).map((row) => ({ seq: row.seq, update: asBytes(row.data) }));
  }

  async append(roomId: string, teamId: string, updates: readonly Uint8Array[]): Promise<AppendResult[]> {
    const claims = this.claims?.take(roomId) ?? [];
    if (claims.length === 0) return appendIn(this.pool, roomId, teamId, updates);
    // A failed append takes the room out of service; its claims go with the updates that made them.
    return inTransaction(this.pool, async (client) => {
      for (const claim of claims) await claim.write(client);
      return appendIn(client, roomId, teamId, updates);
    });
  }

  async compact(roomId: string, throughSeq: number, state: EncodedState): Promise<{ roomBytes: number }> {
    return inTransaction(this.pool, async (client) => {
      // Serialises compactions of the room (two instances may compact it at once) and appends to it.
      await client.query('SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE', [roomId]);
      const replaced = await client.query(
        'UPDATE updates SET data = $1, state_vector = $2, delete_set = $3, checksum = $4 WHERE room = $5 AND seq = $6',
        [
          toBuffer(state.update),
          toBuffer(state.stateVector),
          toBuffer(state.deleteSet),
          checksumOf(state.update),
          roomId,
          throughSeq,
        ],
      );
      if (replaced.rowCount !== 1) {
        const { rows } = await client.query<{ seq: number; checksum: string | null; bytes: number }>(
          `SELECT u.seq, u.checksum, r.bytes FROM updates u JOIN rooms r ON r.id = u.room
           WHERE u.room = $1 ORDER BY u.seq LIMIT 1`,
          [roomId],
        );
        const oldest = rows[0];
        // Already folded into a compaction through a later seq: nothing left to do.
        if (oldest && oldest.seq > throughSeq && oldest.checksum !== null) return { roomBytes: oldest.bytes };
        throw new Error(`compaction of ${roomId}: row ${throughSeq} is missing`);
      }
      await client.query('DELETE FROM updates WHERE room = $1 AND seq < $2', [roomId, throughSeq]);
      const { rows } = await client.query<{ bytes: number }>(
        `UPDATE rooms SET (bytes, row_count) =
           (SELECT COALESCE(SUM(LENGTH(data)), 0), COUNT(*) FROM updates WHERE room = $1)
         WHERE id = $1 RETURNING bytes`,
        [roomId],
      );
      return { roomBytes: rows[0]?.bytes ?? 0 };
    });
  }

  async teamRooms(teamId: string): Promise<RoomHead[]> {
    const { rows } = await this.pool.query<HeadRow>(
      'SELECT id, change_id, last_seq FROM rooms WHERE team_id = $1 ORDER BY id',
      [teamId],
    );
    return rows.map(toHead);
  }

  async changedRooms(teamIds: readonly string[], since: number): Promise<RoomHead[]> {
    if (teamIds.length === 0) return [];
    const { rows } = await this.pool.query<HeadRow>(
      `SELECT id, change_id, last_seq FROM rooms WHERE team_id = ANY($1::text[]) AND change_id > $2
       ORDER BY change_id, id`,
      [teamIds, since],
    );
    return rows.map(toHead);
  }

  async head(roomId: string): Promise<RoomHead | null> {
    const { rows } = await this.pool.query<HeadRow>('SELECT id, change_id, last_seq FROM rooms WHERE id = $1', [
      roomId,
    ]);
    return rows[0] ? toHead(rows[0]) : null;
  }

  async currentCursor(): Promise<number> {
    const { rows } = await this.pool.query<{ cursor: number }>(CURRENT_CURSOR);
    return rows[0]!.cursor;
  }

  async totalBytes(): Promise<number> {
    const { rows } = await this.pool.query<{ total: number | null }>('SELECT SUM(bytes)::bigint AS total FROM rooms');
    return rows[0]?.total ?? 0;
  }

  async allHeads(): Promise<RoomHead[]> {
    const { rows } = await this.pool.query<HeadRow>('SELECT id, change_id, last_seq FROM rooms');
    return rows.map(toHead);
  }
}

/** The append itself, on the pool (its own transaction) or on a client inside one. */
export async function appendIn(
  db: Queryable,
  roomId: string,
  teamId: string,
  updates: readonly Uint8Array[],
): Promise<AppendResult[]> {
  if (updates.length === 0) return [];
  const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
  // Named: each connection parses and plans it once, not with every append.
  const { rows } = await db.query<{ id: number; seq: number; room_bytes: number }>({
    name: 'pizhu_append',
    text: APPEND,
    values: [roomId, teamId, updates.length, bytes, updates.map(toBuffer), Date.now()],
  });
  rows.sort((a, b) => a.seq - b.seq);
  // The room's bytes after each update: the total after the batch, less what the later ones added.
  let roomBytes = rows[0]?.room_bytes ?? 0;
  const results = new Array<AppendResult>(rows.length);
  for (let i = rows.length - 1; i >= 0; i--) {
    results[i] = { id: rows[i]!.id, seq: rows[i]!.seq, roomBytes };
    roomBytes -= updates[i]!.byteLength;
  }
  return results;
}
