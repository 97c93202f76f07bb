/**
 * Yjs updates in SQLite: one row per accepted update; compaction later folds a room's rows into one row that
 * also carries the state vector.
 *
 * With a journal (the server's setting) an append is durable once its record is in the journal file, and the
 * rows reach SQLite in batches a moment later; every read hands the pending records to SQLite first, so readers
 * never see a difference. Without one, each append is its own SQLite transaction.
 */
import { randomUUID } from 'node:crypto';
import { QuietTimer, SYNC_QUIET_MS } from '../quiet-timer.ts';
import { checksumOf } from './checksum.ts';
import type { SqliteHandle } from './sqlite-db.ts';
import type { AppendResult, EncodedState, RoomHead, StoredRoom, UpdateStore } from './types.ts';
import type { JournalRecord, UpdateJournal } from './update-journal.ts';

/** Rooms whose stored size is remembered between appends. */
const ROOM_SIZES_KEPT = 10_000;

/** Journal size at which a batch empties it (recovery reads at most about this much). */
const JOURNAL_EMPTIED_AT = 1 << 20;

/**
 * The highest update id SQLite has given out: journal records up to it are stored. AUTOINCREMENT keeps it in
 * sqlite_sequence also after compaction deleted that row.
 */
export function highestStoredUpdateId(db: SqliteHandle): number {
  return (
    db
      .prepare<[], { id: number | null }>(
        "SELECT MAX(id) AS id FROM (SELECT seq AS id FROM sqlite_sequence WHERE name = 'updates' UNION ALL SELECT MAX(id) FROM updates)",
      )
      .get()?.id ?? 0
  );
}

export type Journaling = {
  journal: UpdateJournal;
  /** How long appended records gather in the journal before they go to SQLite together (in the next pause). */
  batchDelayMs: number;
  /** A batch that SQLite refused stays in the journal and is tried again with the next one. */
  onBatchError: (error: unknown) => void;
};

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
  private readonly storeBatchTx;
  private readonly compactTx;
  /** Journaled records not yet in SQLite, in append order. */
  private pending: JournalRecord[] = [];
  /**
   * Stored bytes of rooms appended to lately, pending records included (the rooms table counts those only
   * after their batch). This process is the only writer of rooms, so the values stay exact.
   */
  private knownRoomBytes = new Map<string, number>();
  private lastId = 0;
  private readonly batchTimer: QuietTimer | null;

  constructor(
    private readonly db: SqliteHandle,
    private readonly journaling?: Journaling,
  ) {
    this.instanceId = this.ensureInstanceId();
    this.batchTimer = journaling
      ? new QuietTimer(() => this.storeBatchLater(), {
          gatherMs: journaling.batchDelayMs,
          quietMs: SYNC_QUIET_MS,
          maxDelayMs: 2 * journaling.batchDelayMs,
        })
      : null;
    this.statements = {
      room: db.prepare<[string], RoomRow>('SELECT id, team_id, last_id, bytes, row_count FROM rooms WHERE id = ?'),
      rows: db.prepare<[string], UpdateRow>(
        'SELECT id, data, state_vector, delete_set, checksum FROM updates WHERE room = ? ORDER BY id',
      ),
      insertUpdate: db.prepare<[string, Buffer]>('INSERT INTO updates (room, data) VALUES (?, ?)'),
      insertUpdateWithId: db.prepare<[number, string, Buffer]>('INSERT INTO updates (id, room, data) VALUES (?, ?, ?)'),
      roomSize: db.prepare<[string], { bytes: number }>('SELECT bytes FROM rooms WHERE id = ?'),
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
    this.appendTx = db.transaction((roomId: string, teamId: string, update: Uint8Array) => {
      const id = Number(this.statements.insertUpdate.run(roomId, toBuffer(update)).lastInsertRowid);
      return this.countInRoom({ id, roomId, teamId, at: Date.now(), update });
    });
    this.storeBatchTx = db.transaction((records: JournalRecord[]) => {
      for (const record of records) {
        this.statements.insertUpdateWithId.run(record.id, record.roomId, toBuffer(record.update));
        this.countInRoom(record);
      }
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
    if (journaling) {
      try {
        this.lastId = this.recoverJournal(journaling.journal);
      } catch (error) {
        journaling.journal.close();
        throw error;
      }
    }
  }

  /** Moves the room's head to the stored update and adds its bytes (creating the room row on its first update). */
  private countInRoom(record: JournalRecord): AppendResult {
    const { id, roomId, teamId, at, update } = record;
    const touched = this.statements.touchRoom.get(id, update.byteLength, at, roomId);
    if (touched) return { id, roomBytes: touched.bytes };
    this.statements.insertRoom.run(roomId, teamId, id, update.byteLength, at, at);
    return { id, roomBytes: update.byteLength };
  }

  private ensureInstanceId(): string {
    const existing = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'instance_id'").get();
    if (existing) return existing.value;
    const id = randomUUID().slice(0, 8);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?)").run(id);
    return this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'instance_id'").get()!.value;
  }

  async load(roomId: string): Promise<StoredRoom | null> {
    this.storePending();
    const room = this.statements.room.get(roomId);
    if (!room) return null;
    const rows = this.statements.rows.all(roomId).map((row) => ({
      id: row.id,
      update: asBytes(row.data),
      stateVector: row.state_vector ? asBytes(row.state_vector) : null,
      deleteSet: row.delete_set ? asBytes(row.delete_set) : null,
      checksum: row.checksum,
    }));
    return { roomId, teamId: room.team_id, rows, lastId: room.last_id, bytes: room.bytes };
  }

  async append(roomId: string, teamId: string, update: Uint8Array): Promise<AppendResult> {
    return this.appendNow(roomId, teamId, update);
  }

  appendNow(roomId: string, teamId: string, update: Uint8Array): AppendResult {
    if (!this.journaling) return this.appendTx.immediate(roomId, teamId, update);
    const record = { id: this.lastId + 1, roomId, teamId, at: Date.now(), update };
    const roomBytes = this.storedBytes(roomId) + update.byteLength;
    this.journaling.journal.append(record);
    this.lastId = record.id;
    this.pending.push(record);
    if (this.knownRoomBytes.size >= ROOM_SIZES_KEPT && !this.knownRoomBytes.has(roomId)) this.forgetStoredRoomBytes();
    this.knownRoomBytes.set(roomId, roomBytes);
    this.batchTimer!.request();
    return { id: record.id, roomBytes };
  }

  async compact(roomId: string, throughId: number, state: EncodedState) {
    this.storePending();
    const result = this.compactTx.immediate(roomId, throughId, state);
    this.knownRoomBytes.delete(roomId);
    return result;
  }

  /**
   * Writes the journaled records to SQLite now (reads and shutdown call this). The journal is emptied only once
   * it has grown past JOURNAL_EMPTIED_AT: records SQLite has are skipped at startup by their ids, and the next
   * write() after a truncation is measurably slower (it allocates the file's first block again).
   */
  storePending(): void {
    if (this.pending.length === 0) return;
    this.storeBatchTx.immediate(this.pending);
    const { journal } = this.journaling!;
    if (journal.bytes >= JOURNAL_EMPTIED_AT) journal.clear();
    this.pending = [];
  }

  /** Stores what is pending and closes the journal; the database itself belongs to the caller. */
  close(): void {
    this.batchTimer?.cancel();
    try {
      this.storePending();
    } finally {
      this.journaling?.journal.close();
    }
  }

  private storeBatchLater(): void {
    try {
      this.storePending();
    } catch (error) {
      this.journaling!.onBatchError(error);
      this.batchTimer!.retryLater();
    }
  }

  private storedBytes(roomId: string): number {
    return this.knownRoomBytes.get(roomId) ?? this.statements.roomSize.get(roomId)?.bytes ?? 0;
  }

  /** Keeps the cache of room sizes bounded; sizes of rooms with pending records must stay. */
  private forgetStoredRoomBytes(): void {
    const pendingRooms = new Set(this.pending.map((record) => record.roomId));
    for (const roomId of this.knownRoomBytes.keys()) if (!pendingRooms.has(roomId)) this.knownRoomBytes.delete(roomId);
  }

  /** Hands SQLite the records a killed process had journaled but not stored, then empties the journal. */
  private recoverJournal(journal: UpdateJournal): number {
    const storedThrough = highestStoredUpdateId(this.db);
    const missing = journal.takeRecovered().records.filter((record) => record.id > storedThrough);
    this.storeBatchTx.immediate(missing);
    journal.clear();
    return missing.reduce((highest, record) => Math.max(highest, record.id), storedThrough);
  }

  async changedRooms(teamId: string, sinceId: number): Promise<RoomHead[]> {
    this.storePending();
    return this.statements.changed.all(teamId, sinceId).map((r) => ({ roomId: r.id, lastId: r.last_id }));
  }

  async head(roomId: string): Promise<RoomHead | null> {
    this.storePending();
    const row = this.statements.head.get(roomId);
    return row ? { roomId: row.id, lastId: row.last_id } : null;
  }

  async currentCursor(): Promise<number> {
    this.storePending();
    return this.statements.cursor.get()?.max ?? 0;
  }

  async totalBytes(): Promise<number> {
    this.storePending();
    return this.statements.total.get()?.total ?? 0;
  }

  async teamRooms(teamId: string): Promise<RoomHead[]> {
    this.storePending();
    return this.statements.teamRooms.all(teamId).map((r) => ({ roomId: r.id, lastId: r.last_id }));
  }

  async allHeads(): Promise<RoomHead[]> {
    this.storePending();
    return this.statements.heads.all().map((r) => ({ roomId: r.id, lastId: r.last_id }));
  }
}
