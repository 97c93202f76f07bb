/**
 * Tasks and progress entries in the query index (same SQLite file, same batches as the annotations:
 * sqlite-index.ts calls `write` inside its transaction); the units they name are the team's vocabulary
 * (sqlite-vocabulary.ts, from the team room). Rooms stay the source of truth: a room's rows
 * are rebuilt from its document whenever the index lags behind it.
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
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import type { SqliteVocabulary } from './sqlite-vocabulary.ts';
import type { TaskIndexChange } from './types.ts';

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

type TaskRow = {
  room: string;
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

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeTaskCursor(text: string): Cursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 7 &&
      typeof value[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(value[0]) &&
      (value[1] === 0 || value[1] === 1) &&
      typeof value[2] === 'string' &&
      typeof value[3] === 'string' &&
      Number.isInteger(value[4]) &&
      Number.isInteger(value[5]) &&
      typeof value[6] === 'string'
    ) {
      return value as Cursor;
    }
  } catch {
    // fall through
  }
  return null;
}

const OPEN = "t.status != 'done' AND t.due_date IS NOT NULL";
/** The status as shown (已逾期 when past due and not done), in SQL. */
const DISPLAY_STATUS = `CASE WHEN ${OPEN} AND t.due_date < @today THEN 'overdue' ELSE t.status END`;

export class SqliteTaskIndex implements TaskQueries {
  private readonly s;

  constructor(
    private readonly db: SqliteHandle,
    private readonly vocabulary: SqliteVocabulary,
  ) {
    this.s = {
      upsertTask: db.prepare(
        `INSERT INTO tasks (room, id, team_id, document_key, clause_index, status, due_date, leader_keys, created_at,
           deleted, data)
         VALUES (@room, @id, @teamId, @documentKey, @clauseIndex, @status, @dueDate, @leaderKeys, @createdAt,
           @deleted, @data)
         ON CONFLICT (room, id) DO UPDATE SET clause_index = excluded.clause_index, status = excluded.status,
           due_date = excluded.due_date, leader_keys = excluded.leader_keys, created_at = excluded.created_at,
           deleted = excluded.deleted, data = excluded.data`,
      ),
      removeTask: db.prepare<[string, string]>('DELETE FROM tasks WHERE room = ? AND id = ?'),
      removeTaskUnits: db.prepare<[string, string]>('DELETE FROM task_units WHERE room = ? AND task_id = ?'),
      insertTaskUnit: db.prepare<[string, string, string, string]>(
        'INSERT OR IGNORE INTO task_units (room, task_id, team_id, unit_id) VALUES (?, ?, ?, ?)',
      ),
      upsertProgress: db.prepare(
        `INSERT INTO task_progress (room, key, team_id, task_id, member_id, at, data)
         VALUES (@room, @key, @teamId, @taskId, @memberId, @at, @data)
         ON CONFLICT (room, key) DO UPDATE SET task_id = excluded.task_id, at = excluded.at, data = excluded.data`,
      ),
      removeProgress: db.prepare<[string, string]>('DELETE FROM task_progress WHERE room = ? AND key = ?'),
      clearTasks: db.prepare<[string]>('DELETE FROM tasks WHERE room = ?'),
      clearTaskUnits: db.prepare<[string]>('DELETE FROM task_units WHERE room = ?'),
      clearProgress: db.prepare<[string]>('DELETE FROM task_progress WHERE room = ?'),
      progressOfTask: db.prepare<[string, string], { data: string; name: string | null }>(
        `SELECT p.data, m.display_name AS name FROM task_progress p
           LEFT JOIN members m ON m.id = p.member_id AND m.team_id = p.team_id
         WHERE p.room = ? AND p.task_id = ? ORDER BY p.at, p.key`,
      ),
    };
  }

  /** Writes a room's change (called inside the index's batch transaction). */
  write(room: { roomId: string; teamId: string; documentKey: string }, change: TaskIndexChange): void {
    const s = this.s;
    for (const id of change.tasks.removedIds) {
      s.removeTask.run(room.roomId, id);
      s.removeTaskUnits.run(room.roomId, id);
    }
    for (const task of change.tasks.upserts) {
      s.upsertTask.run({
        room: room.roomId,
        id: task.id,
        teamId: room.teamId,
        documentKey: room.documentKey,
        clauseIndex: task.clause.index,
        status: task.status,
        dueDate: task.due?.date ?? null,
        leaderKeys: leaderKeys(task.leader),
        createdAt: task.createdAt,
        deleted: task.deleted ? 1 : 0,
        data: JSON.stringify(task),
      });
      s.removeTaskUnits.run(room.roomId, task.id);
      for (const unit of new Set([...task.leadUnits, ...task.units])) {
        s.insertTaskUnit.run(room.roomId, task.id, room.teamId, unit);
      }
    }
    for (const key of change.progress.removedKeys) s.removeProgress.run(room.roomId, key);
    for (const entry of change.progress.upserts) {
      s.upsertProgress.run({
        room: room.roomId,
        key: `${entry.by.id}/${entry.id}`,
        teamId: room.teamId,
        taskId: entry.taskId,
        memberId: entry.by.id,
        at: entry.at,
        data: JSON.stringify(entry),
      });
    }
  }

  /** Removes a room's rows before they are rebuilt (inside the index's transaction). */
  clearRoom(roomId: string): void {
    this.s.clearTasks.run(roomId);
    this.s.clearTaskUnits.run(roomId);
    this.s.clearProgress.run(roomId);
  }

  /**
   * The team's units as the team room's index holds them, answered in the call (the write rules ask it while
   * checking a viewer's update).
   */
  unitsNow(teamId: string): Units {
    return this.vocabulary.units(teamId);
  }

  async units(teamId: string): Promise<Units> {
    return this.unitsNow(teamId);
  }

  async list(teamId: string, query: TaskListQuery): Promise<TaskPage> {
    const cursor = query.cursor === undefined ? null : decodeTaskCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw new RangeError('invalid cursor');
    const today = cursor?.[0] ?? query.today;
    const params: Record<string, unknown> = {
      teamId,
      today,
      soon: addDays(today, URGENT_DAYS),
      limit: query.limit + 1,
    };
    const where = ['t.team_id = @teamId', 't.deleted = 0'];
    if (query.document !== undefined) {
      where.push('t.document_key = @documentKey');
      params.documentKey = query.document;
    }
    if (query.status?.length) {
      const statuses = query.status.filter((s): s is DisplayStatus => DISPLAY_STATUSES.includes(s));
      where.push(`${DISPLAY_STATUS} IN (${statuses.map((_, i) => `@status${i}`).join(', ')})`);
      for (const [i, status] of statuses.entries()) params[`status${i}`] = status;
    }
    if (query.dueBefore !== undefined || query.dueAfter !== undefined) where.push('t.due_date IS NOT NULL');
    if (query.dueBefore !== undefined) {
      where.push('t.due_date <= @dueBefore');
      params.dueBefore = query.dueBefore;
    }
    if (query.dueAfter !== undefined) {
      where.push('t.due_date >= @dueAfter');
      params.dueAfter = query.dueAfter;
    }
    if (query.leader !== undefined) {
      where.push('instr(t.leader_keys, char(31) || @leader || char(31)) > 0');
      params.leader = query.leader.normalize('NFKC').replace(/\s+/g, '');
    }
    if (query.unit !== undefined) {
      const ids = this.idsOfUnit(teamId, query.unit);
      where.push(
        `EXISTS (SELECT 1 FROM task_units tu WHERE tu.room = t.room AND tu.task_id = t.id AND tu.unit_id IN (${ids
          .map((_, i) => `@unit${i}`)
          .join(', ')}))`,
      );
      for (const [i, id] of ids.entries()) params[`unit${i}`] = id;
    }
    const after = cursor
      ? 'WHERE (u, d, document_key, clause_index, created_at, id) > (@cu, @cd, @ck, @ci, @cc, @cid)'
      : '';
    if (cursor)
      Object.assign(params, {
        cu: cursor[1],
        cd: cursor[2],
        ck: cursor[3],
        ci: cursor[4],
        cc: cursor[5],
        cid: cursor[6],
      });
    const rows = this.db
      .prepare<Record<string, unknown>, TaskRow>(
        `SELECT * FROM (
           SELECT t.room, t.document_key, t.data, t.clause_index, t.created_at, t.id,
             CASE WHEN ${OPEN} AND t.due_date <= @soon THEN 0 ELSE 1 END AS u,
             CASE WHEN ${OPEN} AND t.due_date <= @soon THEN t.due_date ELSE '' END AS d
           FROM tasks t WHERE ${where.join(' AND ')})
         ${after}
         ORDER BY u, d, document_key, clause_index, created_at, id LIMIT @limit`,
      )
      .all(params);
    const page = rows.slice(0, query.limit);
    const tasks: Task[] = [];
    for (const row of page) {
      // Re-validated on the way out, whatever the index file holds.
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

  /** Ids whose tasks count as this unit's: the unit itself and every unit merged into it. */
  private idsOfUnit(teamId: string, unit: string): string[] {
    const units = this.unitsNow(teamId);
    const target = resolveUnit(units, unit)?.id ?? unit;
    const ids = new Set([unit, target]);
    for (const id of Object.keys(units)) if (resolveUnit(units, id)?.id === target) ids.add(id);
    return [...ids];
  }

  async progressOf(teamId: string, tasks: readonly Pick<Task, 'documentKey' | 'id'>[]): Promise<ProgressWithTask[]> {
    const entries: ProgressWithTask[] = [];
    for (const task of tasks) {
      for (const row of this.s.progressOfTask.all(roomIdFor(teamId, task.documentKey), task.id)) {
        const parsed = parseProgressEntry(JSON.parse(row.data));
        if (!parsed.ok) continue;
        const by = row.name ? { ...parsed.value.by, name: row.name } : parsed.value.by;
        entries.push({ ...parsed.value, by, documentKey: task.documentKey });
      }
    }
    return entries;
  }
}
