/**
 * `migrate --from <DATA_DIR> --to <DATABASE_URL>`: copies a SQLite deployment into PostgreSQL (teams, members
 * with their units, token hashes, invites, rooms with their updates and seqs, the query index with the teams'
 * vocabulary, tasks and progress, client id owners), then compares
 * every copied row field by field. Rows already in PostgreSQL are left alone, so running it twice changes
 * nothing. The server must be stopped (the data folder's lock is taken) so the copy is of one moment.
 *
 * Not copied: WebSocket tickets (valid for a minute) and the database's instance id. PostgreSQL keeps its own
 * instance id on purpose: change cursors from SQLite count update ids, PostgreSQL's count transactions, so a
 * client's old cursor must read as "from the start" there.
 */
import { lockDataDir } from './data-dir-lock.ts';
import { migratePostgres } from './pg/migrate.ts';
import { connectPool, createPgPool, inTransaction, type PgClient, type PgPool } from './pg/pool.ts';
import { openDatabase, type SqliteHandle } from './sqlite-db.ts';

type Row = Record<string, unknown>;

type Table = {
  name: string;
  columns: string[];
  /** Primary key columns: rows are compared in this order. */
  key: string[];
  /** Columns SQLite stores as 0/1 and PostgreSQL as boolean. */
  booleans?: string[];
};

/** In foreign key order. Rooms and their updates are copied room by room (see copyRooms). */
const TABLES: Table[] = [
  { name: 'teams', columns: ['id', 'name', 'created_at'], key: ['id'] },
  {
    name: 'members',
    columns: ['id', 'team_id', 'display_name', 'role', 'created_at', 'removed_at', 'unit_id', 'unit_name'],
    key: ['id'],
  },
  { name: 'tokens', columns: ['hash', 'member_id', 'team_id', 'created_at', 'revoked_at'], key: ['hash'] },
  {
    name: 'invites',
    columns: [
      'id',
      'team_id',
      'code_hash',
      'role',
      'max_uses',
      'uses',
      'expires_at',
      'created_by',
      'created_at',
      'revoked_at',
    ],
    key: ['id'],
  },
  { name: 'index_rooms', columns: ['room', 'team_id', 'through'], key: ['room'] },
  { name: 'documents', columns: ['room', 'team_id', 'document_key', 'data'], key: ['room'] },
  {
    name: 'annotations',
    columns: [
      'room',
      'id',
      'team_id',
      'document_key',
      'author_id',
      'clause_key',
      'search_text',
      'created_at',
      'updated_at',
      'deleted',
      'data',
    ],
    key: ['room', 'id'],
    booleans: ['deleted'],
  },
  {
    name: 'annotation_tags',
    columns: ['room', 'annotation_id', 'team_id', 'tag', 'deleted'],
    key: ['room', 'annotation_id', 'tag'],
    booleans: ['deleted'],
  },
  { name: 'client_owners', columns: ['room', 'client', 'member_id', 'claimed_at'], key: ['room', 'client'] },
  { name: 'team_tag_renames', columns: ['team_id', 'tag', 'to_tag', 'resolved'], key: ['team_id', 'tag'] },
  { name: 'team_units', columns: ['team_id', 'id', 'data'], key: ['team_id', 'id'] },
  {
    name: 'tasks',
    columns: [
      'room',
      'id',
      'team_id',
      'document_key',
      'clause_index',
      'status',
      'due_date',
      'leader_keys',
      'created_at',
      'deleted',
      'data',
    ],
    key: ['room', 'id'],
    booleans: ['deleted'],
  },
  { name: 'task_units', columns: ['room', 'task_id', 'team_id', 'unit_id'], key: ['room', 'task_id', 'unit_id'] },
  {
    name: 'task_progress',
    columns: ['room', 'key', 'team_id', 'task_id', 'member_id', 'at', 'data'],
    key: ['room', 'key'],
  },
];

const ROOMS: Table = {
  name: 'rooms',
  columns: ['id', 'team_id', 'last_seq', 'bytes', 'row_count', 'created_at', 'changed_at'],
  key: ['id'],
};
const UPDATES: Table = {
  name: 'updates',
  columns: ['id', 'room', 'seq', 'data', 'state_vector', 'delete_set', 'checksum'],
  key: ['room', 'seq'],
};

export type CopyReport = {
  /** Rows inserted per table by this run (0 everywhere on a second run). */
  copied: Record<string, number>;
  /** Rows compared field by field, all equal. */
  verified: number;
};

export class CopyMismatchError extends Error {
  override name = 'CopyMismatchError';
}

export async function copySqliteToPostgres(dataDir: string, databaseUrl: string): Promise<CopyReport> {
  const lock = lockDataDir(dataDir);
  let db: SqliteHandle | null = null;
  const pool = createPgPool(databaseUrl, { max: 2, applicationName: 'pizhu-migrate' });
  try {
    db = openDatabase(dataDir);
    await connectPool(pool, databaseUrl);
    await migratePostgres(pool);
    const copied: Record<string, number> = {};
    for (const table of TABLES.slice(0, 4)) copied[table.name] = await copyTable(db, pool, table);
    Object.assign(copied, await copyRooms(db, pool));
    for (const table of TABLES.slice(4)) copied[table.name] = await copyTable(db, pool, table);
    let verified = 0;
    for (const table of [...TABLES, ROOMS]) verified += await verifyTable(db, pool, table);
    verified += await verifyUpdates(db, pool);
    return { copied, verified };
  } finally {
    db?.close();
    await pool.end();
    lock.release();
  }
}

function readRows(db: SqliteHandle, table: Table, where = '', params: unknown[] = []): Row[] {
  return db
    .prepare(`SELECT ${table.columns.join(', ')} FROM ${table.name} ${where} ORDER BY ${table.key.join(', ')}`)
    .all(...params) as Row[];
}

/** A SQLite row as PostgreSQL stores it. */
function toPostgres(table: Table, row: Row): unknown[] {
  return table.columns.map((column) =>
    table.booleans?.includes(column) && row[column] !== null ? Boolean(row[column]) : row[column],
  );
}

/** Inserts rows in batches (PostgreSQL takes at most 65,535 parameters a statement), skipping existing ones. */
async function insertRows(client: PgClient, table: Table, rows: Row[]): Promise<number> {
  const perBatch = Math.floor(60_000 / table.columns.length);
  let inserted = 0;
  for (let start = 0; start < rows.length; start += perBatch) {
    const batch = rows.slice(start, start + perBatch);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const values = toPostgres(table, row).map((value) => `$${params.push(value)}`);
      return `(${values.join(', ')})`;
    });
    const result = await client.query(
      `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

function copyTable(db: SqliteHandle, pool: PgPool, table: Table): Promise<number> {
  const rows = readRows(db, table);
  return inTransaction(pool, (client) => insertRows(client, table, rows));
}

/**
 * Each room with its updates in a transaction of its own: the room's change id is that transaction's id (see
 * pg-updates.ts), so bulk catch-up pages through the copied rooms one change at a time.
 */
async function copyRooms(db: SqliteHandle, pool: PgPool): Promise<Record<string, number>> {
  let rooms = 0;
  let updates = 0;
  for (const room of readRows(db, ROOMS)) {
    await inTransaction(pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO rooms (${ROOMS.columns.join(', ')}, change_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, pg_current_xact_id()::text::bigint) ON CONFLICT DO NOTHING`,
        toPostgres(ROOMS, room),
      );
      rooms += inserted.rowCount ?? 0;
      updates += await insertRows(client, UPDATES, readRows(db, UPDATES, 'WHERE room = ?', [room.id]));
    });
  }
  // Copied ids keep their values; new appends continue after the highest.
  await pool.query("SELECT setval('updates_id_seq', GREATEST((SELECT MAX(id) FROM updates), 1))");
  return { rooms, updates };
}

async function verifyTable(db: SqliteHandle, pool: PgPool, table: Table): Promise<number> {
  const expected = readRows(db, table);
  // Text keys sort by bytes, as SQLite sorts them; client ids are numbers on both sides.
  const order = table.key.map((column) => (column === 'client' ? column : `${column} COLLATE "C"`));
  const { rows: actual } = await pool.query(
    `SELECT ${table.columns.join(', ')} FROM ${table.name} ORDER BY ${order.join(', ')}`,
  );
  compareRows(table, expected, actual);
  return expected.length;
}

async function verifyUpdates(db: SqliteHandle, pool: PgPool): Promise<number> {
  let verified = 0;
  for (const { id } of db.prepare('SELECT id FROM rooms ORDER BY id').all() as { id: string }[]) {
    const expected = readRows(db, UPDATES, 'WHERE room = ?', [id]);
    const { rows: actual } = await pool.query(
      `SELECT ${UPDATES.columns.join(', ')} FROM updates WHERE room = $1 ORDER BY seq`,
      [id],
    );
    compareRows(UPDATES, expected, actual);
    verified += expected.length;
  }
  return verified;
}

function compareRows(table: Table, expected: Row[], actual: Row[]): void {
  if (expected.length !== actual.length) {
    throw new CopyMismatchError(
      `${table.name}: ${expected.length} rows in SQLite, ${actual.length} in PostgreSQL (was PostgreSQL empty before the first copy?)`,
    );
  }
  for (let i = 0; i < expected.length; i++) {
    const want = toPostgres(table, expected[i]!);
    table.columns.forEach((column, c) => {
      if (!sameValue(want[c], actual[i]![column])) {
        const key = table.key.map((k) => String(expected[i]![k])).join('/');
        throw new CopyMismatchError(`${table.name} ${key}: ${column} differs between SQLite and PostgreSQL`);
      }
    });
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return a === b;
}
