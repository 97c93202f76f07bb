/**
 * The tables both stores create alike, written once in either's column types: SQLite's first and second
 * migrations (sqlite-db.ts) and PostgreSQL's (pg/migrations/0001, 0003) are built from them.
 *
 * Released: editing a text here edits migrations that existing deployments already ran (migrations.test.ts
 * pins them). Change a table with a new migration in each store instead.
 */

/**
 * The column types that differ: a 64-bit integer (times, seqs), a flag, and text that sorts by its bytes (keys
 * a keyset cursor compares: SQLite's text always does, PostgreSQL's follows the database's locale unless told).
 */
export type ColumnTypes = { int64: string; flag: string; bytewiseText: string };

export const SQLITE_TYPES: ColumnTypes = { int64: 'INTEGER', flag: 'INTEGER', bytewiseText: 'TEXT' };
export const PG_TYPES: ColumnTypes = { int64: 'BIGINT', flag: 'BOOLEAN', bytewiseText: 'TEXT COLLATE "C"' };

/** Teams, members, their tokens, invites and WebSocket tickets. */
export function teamTables({ int64 }: ColumnTypes): string {
  return `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at ${int64} NOT NULL);
  CREATE TABLE members (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at ${int64} NOT NULL,
    removed_at ${int64}
  );
  CREATE INDEX members_team ON members(team_id);
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members(id),
    team_id TEXT NOT NULL,
    created_at ${int64} NOT NULL,
    revoked_at ${int64}
  );
  CREATE INDEX tokens_member ON tokens(member_id);
  CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    code_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at ${int64},
    created_by TEXT,
    created_at ${int64} NOT NULL,
    revoked_at ${int64}
  );
  CREATE INDEX invites_team ON invites(team_id);
  CREATE TABLE tickets (
    hash TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    member_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    room TEXT NOT NULL,
    expires_at ${int64} NOT NULL
  );
  `;
}

/** An annotation's columns, one a line: the annotations table's, and again where SQLite's migration 3 rebuilds it. */
export function annotationColumns({ int64, flag }: Pick<ColumnTypes, 'int64' | 'flag'>): string {
  return `    room TEXT NOT NULL,
    id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    document_key TEXT NOT NULL,
    author_id TEXT NOT NULL,
    clause_key TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at ${int64} NOT NULL,
    updated_at ${int64} NOT NULL,
    deleted ${flag} NOT NULL,
    data TEXT NOT NULL,
`;
}

/** The query index's annotations, their tags and the pages' metadata, with how far each room is indexed. */
export function indexTables({ int64, flag }: ColumnTypes): string {
  return `
  CREATE TABLE index_rooms (room TEXT PRIMARY KEY, team_id TEXT NOT NULL, through ${int64} NOT NULL);
  CREATE TABLE documents (
    room TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    document_key TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX documents_team ON documents(team_id);
  CREATE TABLE annotations (
${annotationColumns({ int64, flag })}    PRIMARY KEY (room, id)
  );
  CREATE INDEX annotations_team_updated ON annotations(team_id, updated_at, room, id);
  CREATE INDEX annotations_team_document ON annotations(team_id, document_key);
  CREATE TABLE annotation_tags (
    room TEXT NOT NULL,
    annotation_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    deleted ${flag} NOT NULL,
    PRIMARY KEY (room, annotation_id, tag)
  );
  CREATE INDEX annotation_tags_team ON annotation_tags(team_id, tag);
  `;
}

/**
 * The team room's vocabulary in the query index: tag renames (with the tag each reads as, resolved when the
 * renames change) and units. Rebuilt from the team room like the rest of the index.
 */
export const TEAM_VOCABULARY_TABLES = `
  CREATE TABLE team_tag_renames (
    team_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    to_tag TEXT NOT NULL,
    resolved TEXT NOT NULL,
    PRIMARY KEY (team_id, tag)
  );
  CREATE TABLE team_units (team_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (team_id, id));
  `;

/**
 * Tasks and their progress in the query index; each member's unit (an id of the team room's units, and its name
 * when given). The columns the task list orders by sort by their bytes, so a page cursor means the same on both.
 */
export function taskTables({ int64, flag, bytewiseText }: ColumnTypes): string {
  return `
  ALTER TABLE members ADD COLUMN unit_id TEXT;
  ALTER TABLE members ADD COLUMN unit_name TEXT;
  CREATE TABLE tasks (
    room TEXT NOT NULL,
    id ${bytewiseText} NOT NULL,
    team_id TEXT NOT NULL,
    document_key ${bytewiseText} NOT NULL,
    clause_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    due_date ${bytewiseText},
    leader_keys TEXT NOT NULL,
    created_at ${int64} NOT NULL,
    deleted ${flag} NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room, id)
  );
  CREATE INDEX tasks_team_order ON tasks(team_id, document_key, clause_index, created_at, id);
  CREATE INDEX tasks_team_due ON tasks(team_id, due_date);
  CREATE TABLE task_units (
    room TEXT NOT NULL,
    task_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    PRIMARY KEY (room, task_id, unit_id)
  );
  CREATE INDEX task_units_team ON task_units(team_id, unit_id);
  CREATE TABLE task_progress (
    room TEXT NOT NULL,
    key ${bytewiseText} NOT NULL,
    team_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    at ${int64} NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room, key)
  );
  CREATE INDEX task_progress_task ON task_progress(room, task_id, at);
  `;
}
