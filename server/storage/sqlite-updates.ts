/**
 * Yjs updates in SQLite: one row per accepted update, each committed in its own transaction (WAL) before the
 * room sends it to anyone; compaction later folds a room's rows into one row that also carries the state
 * vector, the delete set and a checksum. Every read of a compacted row checks that checksum.
 */
import { randomUUID } from 'node:crypto';
import { CorruptRoomError, checksumOf } from './checksum.ts';
import type { SqliteHandle } from './sqlite-db.ts';
import type { AppendResult, EncodedState, RoomHead, StoredRoom, UpdateStore } from './types.ts';

type RoomRow = { id: string; team_id: string; last_id: number; bytes: number; row_count: number };
type UpdateRow = {
  id: number;
  data: Buffer;
  state_vector: Buffer | null;
  delete_set: Buffer | null;
  checksum: string | null;
};

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const asBytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

export class SqliteUpdateStore implements UpdateStore {
  readonly instanceId: string;
  private readonly statements;
  private readonly appendTx;
  private readonly compactTx;

  constructor(private readonly db: SqliteHandle) {
    this.instanceId = this.ensureInstanceId();
    this.statements = {
      room: db.prepare<[string], RoomRow>('SELECT id, team_id, last_id, bytes, row_count FROM rooms WHERE id = ?'),
      rows: db.prepare<[string], UpdateRow>(
        'SELECT id, data, state_vector, delete_set, checksum FROM updates WHERE room = ? ORDER BY id',
      ),
      insertUpdate: db.prepare<[string, Buffer]>('INSERT INTO updates (room, data) VALUES (?, ?)'),
      touchRoom: db.prepare<[number, number, number, string], { bytes: number }>(
        'UPDATE rooms SET last_id = ?, bytes = bytes + ?, row_count = row_count + 1, changed_at = ? WHERE id = ? RETURNING bytes',
      ),
      insertRoom: db.prepare<[string, string, number, number, number, number]>(
        'INSERT INTO rooms (id, team_id, last_id, bytes, row_count, created_at, changed_at) VALUES (?, ?, ?, ?, 1, ?, ?)',
      ),
      replaceRow: db.prepare<[Buffer, Buffer, Buffer, string, number, string]>(
        'UPDATE updates SET data = ?, state_vector = ?, delete_set = ?, checksum = ? WHERE id = ? AND room = ?',
      ),
      deleteBefore: db.prepare<[string, number]>('DELETE FROM updates WHERE room = ? AND id < ?'),
      sumRows: db.prepare<[string], { bytes: number | null; n: number }>(
        'SELECT SUM(LENGTH(data)) AS bytes, COUNT(*) AS n FROM updates WHERE room = ?',
      ),
      setRoomSize: db.prepare<[number, number, string]>('UPDATE rooms SET bytes = ?, row_count = ? WHERE id = ?'),
      changed: db.prepare<[string, number], { id: string; last_id: number }>(
        'SELECT id, last_id FROM rooms WHERE team_id = ? AND last_id > ? ORDER BY last_id',
      ),
      head: db.prepare<[string], { id: string; last_id: number }>('SELECT id, last_id FROM rooms WHERE id = ?'),
      cursor: db.prepare<[], { max: number | null }>('SELECT MAX(last_id) AS max FROM rooms'),
      total: db.prepare<[], { total: number | null }>('SELECT SUM(bytes) AS total FROM rooms'),
      heads: db.prepare<[], { id: string; last_id: number }>('SELECT id, last_id FROM rooms'),
      teamRooms: db.prepare<[string], { id: string; last_id: number }>(
        'SELECT id, last_id FROM rooms WHERE team_id = ? ORDER BY id',
      ),
    };
    this.appendTx = db.transaction((roomId: string, teamId: string, update: Uint8Array): AppendResult => {
      const id = Number(this.statements.insertUpdate.run(roomId, toBuffer(update)).lastInsertRowid);
      const at = Date.now();
      const touched = this.statements.touchRoom.get(id, update.byteLength, at, roomId);
      if (touched) return { id, roomBytes: touched.bytes };
      this.statements.insertRoom.run(roomId, teamId, id, update.byteLength, at, at);
      return { id, roomBytes: update.byteLength };
    });
    this.compactTx = db.transaction((roomId: string, throughId: number, state: EncodedState) => {
      const replaced = this.statements.replaceRow.run(
        toBuffer(state.update),
        toBuffer(state.stateVector),
        toBuffer(state.deleteSet),
        checksumOf(state.update),
        throughId,
        roomId,
      );
      if (replaced.changes !== 1) throw new Error(`compaction of ${roomId}: row ${throughId} is missing`);
      this.statements.deleteBefore.run(roomId, throughId);
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

  async load(roomId: string): Promise<StoredRoom | null> {
    const room = this.statements.room.get(roomId);
    if (!room) return null;
    const rows = this.statements.rows.all(roomId).map((row) => {
      // A compacted row may be served without being decoded: its bytes must be the ones compaction wrote.
      if (row.checksum !== null && checksumOf(row.data) !== row.checksum) throw new CorruptRoomError(roomId, row.id);
      return {
        id: row.id,
        update: asBytes(row.data),
        stateVector: row.state_vector ? asBytes(row.state_vector) : null,
        deleteSet: row.delete_set ? asBytes(row.delete_set) : null,
        checksum: row.checksum,
      };
    });
    return { roomId, teamId: room.team_id, rows, lastId: room.last_id, bytes: room.bytes };
  }

  async append(roomId: string, teamId: string, update: Uint8Array): Promise<AppendResult> {
    return this.appendNow(roomId, teamId, update);
  }

  appendNow(roomId: string, teamId: string, update: Uint8Array): AppendResult {
    return this.appendTx.immediate(roomId, teamId, update);
  }

  async compact(roomId: string, throughId: number, state: EncodedState) {
    return this.compactTx.immediate(roomId, throughId, state);
  }

  async changedRooms(teamId: string, sinceId: number): Promise<RoomHead[]> {
    return this.statements.changed.all(teamId, sinceId).map((r) => ({ roomId: r.id, lastId: r.last_id }));
  }

  async head(roomId: string): Promise<RoomHead | null> {
    const row = this.statements.head.get(roomId);
    return row ? { roomId: row.id, lastId: row.last_id } : null;
  }

  async currentCursor(): Promise<number> {
    return this.statements.cursor.get()?.max ?? 0;
  }

  async totalBytes(): Promise<number> {
    return this.statements.total.get()?.total ?? 0;
  }

  async teamRooms(teamId: string): Promise<RoomHead[]> {
    return this.statements.teamRooms.all(teamId).map((r) => ({ roomId: r.id, lastId: r.last_id }));
  }

  async allHeads(): Promise<RoomHead[]> {
    return this.statements.heads.all().map((r) => ({ roomId: r.id, lastId: r.last_id }));
  }
}
