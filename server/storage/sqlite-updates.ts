/**
 * Yjs updates in SQLite: one row per accepted update, each committed in its own transaction (WAL) before the
 * room sends it to anyone; compaction later folds a room's rows into one row that also carries the state
 * vector, the delete set and a checksum. Every read of a compacted row checks that checksum.
 */
import { randomUUID } from 'node:crypto';
import { checksumOf } from './checksum.ts';
import { asBytes, storedUpdate, type UpdateRow } from './update-rows.ts';
import type { SqliteHandle } from './sqlite-db.ts';
import type { AppendResult, EncodedState, RoomHead, SeqUpdate, StoredRoom, UpdateStore } from './types.ts';

type RoomRow = { id: string; team_id: string; last_id: number; last_seq: number; bytes: number; row_count: number };
type HeadRow = { id: string; last_id: number; last_seq: number };

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const toHead = (row: HeadRow): RoomHead => ({ roomId: row.id, changeId: row.last_id, lastSeq: row.last_seq });

/**
 * The change cursor is the id of a room's last update. SQLite has one writer at a time and ids are assigned
 * inside that writer's transaction, so ids commit in increasing order: MAX(last_id) never passes a change that
 * is still to commit.
 */

export class SqliteUpdateStore implements UpdateStore {
  readonly instanceId: string;
  private readonly statements;
  private readonly appendTx;
  private readonly compactTx;

  constructor(private readonly db: SqliteHandle) {
    this.instanceId = this.ensureInstanceId();
    this.statements = {
      room: db.prepare<[string], RoomRow>(
        'SELECT id, team_id, last_id, last_seq, bytes, row_count FROM rooms WHERE id = ?',
      ),
      rows: db.prepare<[string], UpdateRow>(
        'SELECT id, seq, data, state_vector, delete_set, checksum FROM updates WHERE room = ? ORDER BY seq',
      ),
      rowsAfter: db.prepare<[string, number], UpdateRow>(
        'SELECT id, seq, data, state_vector, delete_set, checksum FROM updates WHERE room = ? AND seq > ? ORDER BY seq',
      ),
      oldestRow: db.prepare<[string], { seq: number; checksum: string | null }>(
        'SELECT seq, checksum FROM updates WHERE room = ? ORDER BY seq LIMIT 1',
      ),
      insertUpdate: db.prepare<[string, number, Buffer]>('INSERT INTO updates (room, seq, data) VALUES (?, ?, ?)'),
      nextSeq: db.prepare<[string], { seq: number }>('SELECT last_seq + 1 AS seq FROM rooms WHERE id = ?'),
      touchRoom: db.prepare<[number, number, number, number, string], { bytes: number }>(
        `UPDATE rooms SET last_id = ?, last_seq = ?, bytes = bytes + ?, row_count = row_count + 1, changed_at = ?
         WHERE id = ? RETURNING bytes`,
      ),
      insertRoom: db.prepare<[string, string, number, number, number, number]>(
        `INSERT INTO rooms (id, team_id, last_id, last_seq, bytes, row_count, created_at, changed_at)
         VALUES (?, ?, ?, 1, ?, 1, ?, ?)`,
      ),
      replaceRow: db.prepare<[Buffer, Buffer, Buffer, string, number, string]>(
        'UPDATE updates SET data = ?, state_vector = ?, delete_set = ?, checksum = ? WHERE seq = ? AND room = ?',
      ),
      deleteBefore: db.prepare<[string, number]>('DELETE FROM updates WHERE room = ? AND seq < ?'),
      sumRows: db.prepare<[string], { bytes: number | null; n: number }>(
        'SELECT SUM(LENGTH(data)) AS bytes, COUNT(*) AS n FROM updates WHERE room = ?',
      ),
      setRoomSize: db.prepare<[number, number, string]>('UPDATE rooms SET bytes = ?, row_count = ? WHERE id = ?'),
      changed: db.prepare<[string, number], HeadRow>(
        `SELECT id, last_id, last_seq FROM rooms WHERE team_id IN (SELECT value FROM json_each(?)) AND last_id > ?
         ORDER BY last_id`,
      ),
      head: db.prepare<[string], HeadRow>('SELECT id, last_id, last_seq FROM rooms WHERE id = ?'),
      cursor: db.prepare<[], { max: number | null }>('SELECT MAX(last_id) AS max FROM rooms'),
      total: db.prepare<[], { total: number | null }>('SELECT SUM(bytes) AS total FROM rooms'),
      heads: db.prepare<[], HeadRow>('SELECT id, last_id, last_seq FROM rooms'),
      teamRooms: db.prepare<[string], HeadRow>('SELECT id, last_id, last_seq FROM rooms WHERE team_id = ? ORDER BY id'),
    };
    this.appendTx = db.transaction((roomId: string, teamId: string, updates: readonly Uint8Array[]): AppendResult[] =>
      updates.map((update) => this.appendRow(roomId, teamId, update)),
    );
    this.compactTx = db.transaction((roomId: string, throughSeq: number, state: EncodedState) => {
      const replaced = this.statements.replaceRow.run(
        toBuffer(state.update),
        toBuffer(state.stateVector),
        toBuffer(state.deleteSet),
        checksumOf(state.update),
        throughSeq,
        roomId,
      );
      if (replaced.changes !== 1) {
        // Already folded into a compaction through a later seq: nothing left to do.
        const oldest = this.statements.oldestRow.get(roomId);
        if (oldest && oldest.seq > throughSeq && oldest.checksum !== null) return { roomBytes: this.roomBytes(roomId) };
        throw new Error(`compaction of ${roomId}: row ${throughSeq} is missing`);
      }
      this.statements.deleteBefore.run(roomId, throughSeq);
      const size = this.statements.sumRows.get(roomId)!;
      this.statements.setRoomSize.run(size.bytes ?? 0, size.n, roomId);
      return { roomBytes: size.bytes ?? 0 };
    });
  }

  private ensureInstanceId(): string {
    const existing = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'instance_id'").get();
    if (existing) return existing.value;
    const id = randomUUID().slice(0, 8);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?)").run(id);
    return this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'instance_id'").get()!.value;
  }

  private roomBytes(roomId: string): number {
    return this.statements.room.get(roomId)?.bytes ?? 0;
  }

  async load(roomId: string): Promise<StoredRoom | null> {
    // One read transaction: the rows and the room's last seq must describe the same moment.
    return this.db.transaction(() => {
      const room = this.statements.room.get(roomId);
      if (!room) return null;
      const rows = this.statements.rows.all(roomId).map((row) => storedUpdate(roomId, row));
      return { roomId, teamId: room.team_id, rows, lastSeq: room.last_seq, bytes: room.bytes };
    })();
  }

  async updatesSince(roomId: string, afterSeq: number): Promise<SeqUpdate[] | null> {
    return this.db.transaction(() => {
      const oldest = this.statements.oldestRow.get(roomId);
      // A compacted row at seq c replaced the rows 1..c: those after afterSeq are no longer there one by one.
      if (oldest && oldest.checksum !== null && oldest.seq > afterSeq) return null;
      return this.statements.rowsAfter
        .all(roomId, afterSeq)
        .map((row) => ({ seq: row.seq, update: asBytes(row.data) }));
    })();
  }

  async append(roomId: string, teamId: string, updates: readonly Uint8Array[]): Promise<AppendResult[]> {
    return this.appendTx.immediate(roomId, teamId, updates);
  }

  appendNow(roomId: string, teamId: string, update: Uint8Array): AppendResult {
    return this.appendTx.immediate(roomId, teamId, [update])[0]!;
  }

  /** One update, inside the caller's transaction. */
  private appendRow(roomId: string, teamId: string, update: Uint8Array): AppendResult {
    const seq = this.statements.nextSeq.get(roomId)?.seq ?? 1;
    const id = Number(this.statements.insertUpdate.run(roomId, seq, toBuffer(update)).lastInsertRowid);
    const at = Date.now();
    const touched = this.statements.touchRoom.get(id, seq, update.byteLength, at, roomId);
    if (touched) return { id, seq, roomBytes: touched.bytes };
    this.statements.insertRoom.run(roomId, teamId, id, update.byteLength, at, at);
    return { id, seq, roomBytes: update.byteLength };
  }

  async compact(roomId: string, throughSeq: number, state: EncodedState) {
    return this.compactTx.immediate(roomId, throughSeq, state);
  }

  async changedRooms(teamIds: readonly string[], since: number): Promise<RoomHead[]> {
    return this.statements.changed.all(JSON.stringify(teamIds), since).map(toHead);
  }

  async head(roomId: string): Promise<RoomHead | null> {
    const row = this.statements.head.get(roomId);
    return row ? toHead(row) : null;
  }

  async currentCursor(): Promise<number> {
    return this.statements.cursor.get()?.max ?? 0;
  }

  async totalBytes(): Promise<number> {
    return this.statements.total.get()?.total ?? 0;
  }

  async teamRooms(teamId: string): Promise<RoomHead[]> {
    return this.statements.teamRooms.all(teamId).map(toHead);
  }

  async allHeads(): Promise<RoomHead[]> {
    return this.statements.heads.all().map(toHead);
  }
}
