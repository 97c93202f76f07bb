/**
 * Tasks and their progress in the query index, and each member's unit, as SQLite keeps them (its migration 6).
 * Keys and the columns the task list orders by sort by bytes (COLLATE "C"), as SQLite sorts them, so a page
 * cursor means the same on both. Never edit a released migration.
 */
export const name = 'tasks';

export const sql = `
ALTER TABLE members ADD COLUMN unit_id TEXT;
ALTER TABLE members ADD COLUMN unit_name TEXT;
CREATE TABLE tasks (
  room TEXT NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  team_id TEXT NOT NULL,
  document_key TEXT COLLATE "C" NOT NULL,
  clause_index INTEGER NOT NULL,
  status TEXT NOT NULL,
  due_date TEXT COLLATE "C",
  leader_keys TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL,
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
  key TEXT COLLATE "C" NOT NULL,
  team_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (room, key)
);
CREATE INDEX task_progress_task ON task_progress(room, task_id, at);
`;
