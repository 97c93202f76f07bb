/**
 * Tasks and progress entries in the query index, whatever the database: the rows a room's change writes, the
 * list query with its filters and cursor, and the checks every row passes on the way out. Each database adds
 * only its dialect (a placeholder and a substring test) and runs the statements: SQLite inside its synchronous
 * batch transaction (sqlite-index.ts), PostgreSQL inside its asynchronous one (pg-index.ts). The units tasks
 * name are the team's vocabulary (from the team room). Rooms stay the source of truth: a room's rows are
 * rebuilt from its document whenever the index lags behind it.
 *
 * The task list's order is the 任务 tab's (shared/tasks compareTasks): what is overdue or due within seven days
 * first, earliest due first; then by document and clause; pages follow a keyset cursor over that order, taken on
 * the day of the first page so a list read across midnight neither repeats nor skips.
 */
import type * as Y from 'yjs';
import { isTeamRoomKey, roomIdFor } from '../../shared/model/index.ts';
import {
  addDays,
  DISPLAY_STATUSES,
  type DisplayStatus,
  type ProgressEntry,
  parseProgressEntry,
  parseTaskRecord,
  readProgress,
  readRoomTasks,
  readTask,
  resolveUnit,
  type Task,
  type TaskFilter,
  type TaskKeys,
  type Units,
  URGENT_DAYS,
} from '../../shared/tasks/index.ts';
import { decodeKeys, encodeCursor } from './index-rows.ts';
import type { Bind } from './list-query.ts';
import type { TaskIndexChange } from './types.ts';
import type { SqlStatement } from '../storage/team-sql.ts';

export type { TaskIndexChange };

function emptyChange(): TaskIndexChange {
  return {
    tasks: { upserts: [], removedIds: [] },
    progress: { upserts: [], removedKeys: [] },
  };
}

/** What the index must write for these changed keys of a page room, read from the room's document now. */
export function taskIndexChange(doc: Y.Doc, documentKey: string, keys: TaskKeys): TaskIndexChange | undefined {
  if (isTeamRoomKey(documentKey) || keys.tasks.size + keys.progress.size === 0) return undefined;
  const change = emptyChange();
  for (const id of keys.tasks) {
    const read = readTask(doc, documentKey, id);
    if (read?.ok) change.tasks.upserts.push(read.value);
    else change.tasks.removedIds.push(id);
  }
  for (const key of keys.progress) {
    const read = readProgress(doc, key);
    if (read?.ok) change.progress.upserts.push(read.value);
    else change.progress.removedKeys.push(key);
  }
  return change;
}

/** Everything of a page room, for rebuilding its rows (the team room holds no tasks). */
export function fullTaskIndexChange(doc: Y.Doc, documentKey: string): TaskIndexChange | undefined {
  if (isTeamRoomKey(documentKey)) return undefined;
  const change = emptyChange();
  const read = readRoomTasks(doc, documentKey);
  change.tasks.upserts = read.tasks;
  change.progress.upserts = read.progress;
  return change;
}

/** A leader field as the filter compares it: each name (split like filterTasks) and the whole, folded. */
export function leaderKeys(leader: string | undefined): string {
  if (!leader) return '';
  const fold = (name: string) => name.normalize('NFKC').replace(/\s+/g, '');
  const keys = new Set([fold(leader), ...leader.split(/[、,，;；/]/).map(fold)].filter(Boolean));
  return `\u001f${[...keys].join('\u001f')}\u001f`;
}

export type TaskListQuery = TaskFilter & {
  /** The day statuses are read on ('YYYY-MM-DD'); a cursor carries its own. */
  today: string;
  limit: number;
  cursor?: string;
};

export type TaskPage = { tasks: Task[]; nextCursor: string | null; today: string };
export type ProgressWithTask = ProgressEntry & { documentKey: string };

/** What the REST API reads. */
export interface TaskQueries {
  units(teamId: string): Promise<Units>;
  list(teamId: string, query: TaskListQuery): Promise<TaskPage>;
  /** The progress entries of these tasks (documentKey and id), oldest first, authors named as the team knows them. */
  progressOf(teamId: string, tasks: readonly Pick<Task, 'documentKey' | 'id'>[]): Promise<ProgressWithTask[]>;
}

/** The tasks index as the server holds it: what the REST API reads, and the units the write rules follow. */
export interface TaskIndex extends TaskQueries {
  /**
   * The team's units, answered in the call (the write rules ask while checking a viewer's update): SQLite reads
   * them, PostgreSQL keeps them in memory (pg-units.ts).
   */
  unitsNow(teamId: string): Units;
  /** Makes `unitsNow` answer for this team (a room of it was loaded: its writes may ask). */
  prepareUnits(teamId: string): Promise<void>;
}

/** One statement with its values, in the dialect it was built for (the team store's type). */
export type { SqlStatement };

/** What differs between the databases in the SQL of the tasks index (the list query's dialect has the same placeholder). */
export type TaskDialect = {
  /** The placeholder of the n-th bound value (from 1). */
  placeholder(n: number): string;
  /** Whether `text` contains `part` byte for byte (both SQL expressions). */
  hasPart(text: string, part: string): string;
};

/** A statement whose values are bound, in the order they appear, where `build` places them. */
function statement(dialect: TaskDialect, build: (bind: Bind) => string): SqlStatement {
  const params: unknown[] = [];
  return { sql: build((value) => dialect.placeholder(params.push(value))), params };
}

export type TaskRoom = { roomId: string; teamId: string; documentKey: string };

/** The statements that write a room's change (run inside the index's batch transaction). */
export function taskWrites(dialect: TaskDialect, room: TaskRoom, change: TaskIndexChange): SqlStatement[] {
  const write = (build: (v: Bind) => string) => statement(dialect, build);
  return [...taskRowWrites(write, room, change.tasks), ...progressRowWrites(write, room, change.progress)];
}

type Write = (build: (v: Bind) => string) => SqlStatement;

/** Each task's row and the units it names (the unit filter looks them up). */
function taskRowWrites(write: Write, room: TaskRoom, tasks: TaskIndexChange['tasks']): SqlStatement[] {
  const out: SqlStatement[] = [];
  const removeUnits = (taskId: string) =>
    write((v) => `DELETE FROM task_units WHERE room = ${v(room.roomId)} AND task_id = ${v(taskId)}`);
  for (const id of tasks.removedIds) {
    out.push(
      write((v) => `DELETE FROM tasks WHERE room = ${v(room.roomId)} AND id = ${v(id)}`),
      removeUnits(id),
    );
  }
  for (const task of tasks.upserts) {
    out.push(
      write(
        (v) =>
          `INSERT INTO tasks (room, id, team_id, document_key, clause_index, status, due_date, leader_keys,
             created_at, deleted, data)
           VALUES (${v(room.roomId)}, ${v(task.id)}, ${v(room.teamId)}, ${v(room.documentKey)}, ${v(task.clause.index)},
             ${v(task.status)}, ${v(task.due?.date ?? null)}, ${v(leaderKeys(task.leader))}, ${v(task.createdAt)},
             ${v(Boolean(task.deleted))}, ${v(JSON.stringify(task))})
           ON CONFLICT (room, id) DO UPDATE SET clause_index = excluded.clause_index, status = excluded.status,
             due_date = excluded.due_date, leader_keys = excluded.leader_keys, created_at = excluded.created_at,
             deleted = excluded.deleted, data = excluded.data`,
      ),
      removeUnits(task.id),
    );
    for (const unit of new Set([...task.leadUnits, ...task.units])) {
      out.push(
        write(
          (v) => `INSERT INTO task_units (room, task_id, team_id, unit_id)
            VALUES (${v(room.roomId)}, ${v(task.id)}, ${v(room.teamId)}, ${v(unit)}) ON CONFLICT DO NOTHING`,
        ),
      );
    }
  }
  return out;
}

/** Each progress entry's row, keyed `<memberId>/<entryId>` as in the room. */
function progressRowWrites(write: Write, room: TaskRoom, progress: TaskIndexChange['progress']): SqlStatement[] {
  const removals = progress.removedKeys.map((key) =>
    write((v) => `DELETE FROM task_progress WHERE room = ${v(room.roomId)} AND key = ${v(key)}`),
  );
  const upserts = progress.upserts.map((entry) =>
    write(
      (v) => `INSERT INTO task_progress (room, key, team_id, task_id, member_id, at, data)
        VALUES (${v(room.roomId)}, ${v(`${entry.by.id}/${entry.id}`)}, ${v(room.teamId)}, ${v(entry.taskId)},
          ${v(entry.by.id)}, ${v(entry.at)}, ${v(JSON.stringify(entry))})
        ON CONFLICT (room, key) DO UPDATE SET task_id = excluded.task_id, at = excluded.at, data = excluded.data`,
    ),
  );
  return [...removals, ...upserts];
}

/** The statements that remove a room's rows before they are rebuilt (inside the index's transaction). */
export function taskClears(dialect: TaskDialect, roomId: string): SqlStatement[] {
  return ['tasks', 'task_units', 'task_progress'].map((table) =>
    statement(dialect, (v) => `DELETE FROM ${table} WHERE room = ${v(roomId)}`),
  );
}

type TaskRow = {
  document_key: string;
  data: string;
  u: number;
  d: string;
  clause_index: number;
  created_at: number;
  id: string;
};

type Cursor = [
  today: string,
  u: number,
  d: string,
  documentKey: string,
  clauseIndex: number,
  createdAt: number,
  id: string,
];

export function decodeTaskCursor(text: string): Cursor | null {
  return decodeKeys<Cursor>(
    text,
    (keys) =>
      keys.length === 7 &&
      typeof keys[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(keys[0]) &&
      (keys[1] === 0 || keys[1] === 1) &&
      typeof keys[2] === 'string' &&
      typeof keys[3] === 'string' &&
      Number.isInteger(keys[4]) &&
      Number.isInteger(keys[5]) &&
      typeof keys[6] === 'string',
  );
}

const OPEN = "t.status != 'done' AND t.due_date IS NOT NULL";

/** Ids whose tasks count as this unit's: the unit itself and every unit merged into it. */
function idsOfUnit(units: Units, unit: string): string[] {
  const target = resolveUnit(units, unit)?.id ?? unit;
  const ids = new Set([unit, target]);
  for (const id of Object.keys(units)) if (resolveUnit(units, id)?.id === target) ids.add(id);
  return [...ids];
}

/** The list query of one page (`limit + 1` rows: the extra one says whether another page follows). */
function listStatement(
  dialect: TaskDialect,
  teamId: string,
  query: TaskListQuery,
  today: string,
  cursor: Cursor | null,
  unitIds: string[] | null,
): SqlStatement {
  return statement(dialect, (v) => {
    // Bound at each use: SQLite's placeholders are positional.
    const urgent = () => `${OPEN} AND t.due_date <= ${v(addDays(today, URGENT_DAYS))}`;
    const select = `SELECT t.document_key, t.data, t.clause_index, t.created_at, t.id,
        CASE WHEN ${urgent()} THEN 0 ELSE 1 END AS u, CASE WHEN ${urgent()} THEN t.due_date ELSE '' END AS d
      FROM tasks t`;
    const where = [`t.team_id = ${v(teamId)}`, 'NOT t.deleted'];
    if (query.document !== undefined) where.push(`t.document_key = ${v(query.document)}`);
    if (query.status?.length) {
      const statuses = query.status.filter((s): s is DisplayStatus => DISPLAY_STATUSES.includes(s));
      // The status as shown (已逾期 when past due and not done).
      const shown = `CASE WHEN ${OPEN} AND t.due_date < ${v(today)} THEN 'overdue' ELSE t.status END`;
      where.push(`${shown} IN (${statuses.map(v).join(', ')})`);
    }
    if (query.dueBefore !== undefined || query.dueAfter !== undefined) where.push('t.due_date IS NOT NULL');
    if (query.dueBefore !== undefined) where.push(`t.due_date <= ${v(query.dueBefore)}`);
    if (query.dueAfter !== undefined) where.push(`t.due_date >= ${v(query.dueAfter)}`);
    if (query.leader !== undefined) {
      const key = `\u001f${query.leader.normalize('NFKC').replace(/\s+/g, '')}\u001f`;
      where.push(dialect.hasPart('t.leader_keys', v(key)));
    }
    if (unitIds) {
      where.push(`EXISTS (SELECT 1 FROM task_units tu WHERE tu.room = t.room AND tu.task_id = t.id
        AND tu.unit_id IN (${unitIds.map(v).join(', ')}))`);
    }
    const after = cursor
      ? `WHERE (u, d, document_key, clause_index, created_at, id) > (${cursor.slice(1).map(v).join(', ')})`
      : '';
    return `SELECT * FROM (${select} WHERE ${where.join(' AND ')}) listed ${after}
      ORDER BY u, d, document_key, clause_index, created_at, id LIMIT ${v(query.limit + 1)}`;
  });
}

/** Reads the index's rows; a database answers later or in the call, both as a Promise. */
export type SqlReader = { all<R>(statement: SqlStatement): Promise<R[]> };

/** Where the units come from: the team room's vocabulary in the index. */
export type UnitSource = Pick<TaskIndex, 'units' | 'unitsNow' | 'prepareUnits'>;

/** The REST API's queries over the tasks tables, in either database. */
export class SqlTaskIndex implements TaskIndex {
  constructor(
    private readonly dialect: TaskDialect,
    private readonly reader: SqlReader,
    private readonly unitSource: UnitSource,
  ) {}

  unitsNow(teamId: string): Units {
    return this.unitSource.unitsNow(teamId);
  }

  prepareUnits(teamId: string): Promise<void> {
    return this.unitSource.prepareUnits(teamId);
  }

  units(teamId: string): Promise<Units> {
    return this.unitSource.units(teamId);
  }

  async list(teamId: string, query: TaskListQuery): Promise<TaskPage> {
    const cursor = query.cursor === undefined ? null : decodeTaskCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw new RangeError('invalid cursor');
    const today = cursor?.[0] ?? query.today;
    const unitIds = query.unit === undefined ? null : idsOfUnit(await this.units(teamId), query.unit);
    const rows = await this.reader.all<TaskRow>(listStatement(this.dialect, teamId, query, today, cursor, unitIds));
    const page = rows.slice(0, query.limit);
    const tasks: Task[] = [];
    for (const row of page) {
      // Re-validated on the way out, whatever the index holds.
      const parsed = parseTaskRecord(JSON.parse(row.data));
      if (parsed.ok) tasks.push({ ...parsed.value, documentKey: row.document_key });
    }
    const last = page.at(-1);
    return {
      tasks,
      today,
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor([today, last.u, last.d, last.document_key, last.clause_index, last.created_at, last.id])
          : null,
    };
  }

  async progressOf(teamId: string, tasks: readonly Pick<Task, 'documentKey' | 'id'>[]): Promise<ProgressWithTask[]> {
    const entries: ProgressWithTask[] = [];
    for (const task of tasks) {
      const rows = await this.reader.all<{ data: string; name: string | null }>(
        statement(
          this.dialect,
          (v) => `SELECT p.data, m.display_name AS name FROM task_progress p
            LEFT JOIN members m ON m.id = p.member_id AND m.team_id = p.team_id
            WHERE p.room = ${v(roomIdFor(teamId, task.documentKey))} AND p.task_id = ${v(task.id)}
            ORDER BY p.at, p.key`,
        ),
      );
      for (const row of rows) {
        const parsed = parseProgressEntry(JSON.parse(row.data));
        if (!parsed.ok) continue;
        const by = row.name ? { ...parsed.value.by, name: row.name } : parsed.value.by;
        entries.push({ ...parsed.value, by, documentKey: task.documentKey });
      }
    }
    return entries;
  }
}
