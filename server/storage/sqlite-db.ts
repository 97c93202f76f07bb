/**
 * Opens (and creates) the SQLite file in DATA_DIR with WAL journaling and applies the schema migrations.
 * One file holds teams, updates and the query index, so one backup copies everything.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../config.ts';
import {
  annotationColumns,
  indexTables,
  SQLITE_TYPES,
  TEAM_VOCABULARY_TABLES,
  taskTables,
  teamTables,
} from './common-tables.ts';

export type SqliteHandle = Database.Database;

export const DATABASE_FILE = 'pizhu.sqlite';

/** Each entry upgrades the schema by one version (PRAGMA user_version); never edit a released entry. */
export const MIGRATIONS: string[] = [
  // 1: teams (common-tables.ts), rooms and their updates, the query index (common-tables.ts).
  `${teamTables(SQLITE_TYPES)}CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    last_id INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
  );
  CREATE INDEX rooms_team_change ON rooms(team_id, last_id);
  CREATE TABLE updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    data BLOB NOT NULL,
    state_vector BLOB,
    delete_set BLOB,
    checksum TEXT
  );
  CREATE INDEX updates_room ON updates(room, id);
${indexTables(SQLITE_TYPES)}`,
  // 2: the team room's vocabulary in the query index (common-tables.ts).
  TEAM_VOCABULARY_TABLES,
  // The text filter moves from instr() over every row to an FTS5 trigram index. The FTS table reads its text
  // from annotations by an INTEGER PRIMARY KEY (a plain rowid may change on VACUUM), so annotations is rebuilt
  // with one, and the FTS index is rebuilt from the rows an existing DATA_DIR holds.
  `
  CREATE TABLE annotations_v2 (
    seq INTEGER PRIMARY KEY,
${annotationColumns(SQLITE_TYPES)}    UNIQUE (room, id)
  );
  INSERT INTO annotations_v2 (room, id, team_id, document_key, author_id, clause_key, search_text, created_at,
    updated_at, deleted, data)
    SELECT room, id, team_id, document_key, author_id, clause_key, search_text, created_at, updated_at, deleted, data
    FROM annotations;
  DROP TABLE annotations;
  ALTER TABLE annotations_v2 RENAME TO annotations;
  CREATE INDEX annotations_team_updated ON annotations(team_id, updated_at, room, id);
  CREATE INDEX annotations_team_document ON annotations(team_id, document_key);
  CREATE VIRTUAL TABLE annotation_text USING fts5(
    search_text, content = 'annotations', content_rowid = 'seq', tokenize = 'trigram'
  );
  CREATE TRIGGER annotation_text_insert AFTER INSERT ON annotations BEGIN
    INSERT INTO annotation_text (rowid, search_text) VALUES (new.seq, new.search_text);
  END;
  CREATE TRIGGER annotation_text_delete AFTER DELETE ON annotations BEGIN
    INSERT INTO annotation_text (annotation_text, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
  END;
  CREATE TRIGGER annotation_text_update AFTER UPDATE OF search_text ON annotations
    WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO annotation_text (annotation_text, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
    INSERT INTO annotation_text (rowid, search_text) VALUES (new.seq, new.search_text);
  END;
  INSERT INTO annotation_text (annotation_text) VALUES ('rebuild');
  `,
  // Per-room sequence numbers (gap repair and safe compaction across instances); the index records how far it
  // reflects each room by seq instead of by update id. Existing rows are numbered in id order.
  `
  ALTER TABLE updates ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
  UPDATE updates SET seq = numbered.n
    FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY room ORDER BY id) AS n FROM updates) AS numbered
    WHERE numbered.id = updates.id;
  CREATE UNIQUE INDEX updates_room_seq ON updates(room, seq);
  ALTER TABLE rooms ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
  UPDATE rooms SET last_seq = COALESCE((SELECT MAX(seq) FROM updates WHERE updates.room = rooms.id), 0);
  UPDATE index_rooms SET through = COALESCE(
    (SELECT MAX(seq) FROM updates WHERE updates.room = index_rooms.room AND updates.id <= index_rooms.through), 0);
  `,
  // Which member owns each Yjs client id of a room (server/guard/client-owners.ts); created by that module with
  // IF NOT EXISTS before it became a migration, hence the same clause here.
  `
  CREATE TABLE IF NOT EXISTS client_owners (
    room TEXT NOT NULL,
    client INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    claimed_at INTEGER NOT NULL,
    PRIMARY KEY (room, client)
  ) WITHOUT ROWID;
  `,
  // 6: tasks and their progress in the query index, each member's unit (common-tables.ts).
  taskTables(SQLITE_TYPES),
];

/**
 * mkdir -p without `recursive: true`, which can spin forever on some special file systems (/proc): create each
 * missing ancestor once, top-down, and fail on the first error.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) mkdirSync(folder);
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
}

export function ensureWritableDir(dataDir: string): void {
  try {
    makeDirectories(dataDir);
    accessSync(dataDir, constants.W_OK | constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `DATA_DIR "${dataDir}" is not a writable directory (${code}); set DATA_DIR to a folder you can write`,
    );
  }
}

export function openDatabase(dataDir: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): SqliteHandle {
  ensureWritableDir(dataDir);
  const file = path.join(dataDir, DATABASE_FILE);
  let db: SqliteHandle;
  try {
    db = new Database(file);
  } catch (error) {
    throw new ConfigError(`Cannot open the database "${file}": ${(error as Error).message}`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  // The CLI may write while the server runs: wait for the other writer instead of failing at once.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: SqliteHandle): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new ConfigError(`The database was written by a newer Pizhu server (schema ${version}); upgrade the server`);
  }
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next]!);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
}
