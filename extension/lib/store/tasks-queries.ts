/**
 * The task queries every screen makes (the side panel's 任务 tab and its exports), reached through StoreQueries
 * (`queries.tasks`). Each goes through an index and returns a bounded list: a team may have thousands of tasks.
 * Rows are validated on the way out (a damaged one is counted in `problems`, never passed on).
 *
 * Like the other queries, those that open a transaction return its promise rather than being async functions
 * (under liveQuery, see queries.ts).
 */
import Dexie from 'dexie';
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import { documentInfoSchema } from '../../../shared/model/annotation.ts';
import {
  addDays,
  compareInClauseOrder,
  type DocumentProgressEntry,
  filterTasks,
  isUrgent,
  latestProgressByDocumentTask,
  MAX_TABLE_ROWS,
  type ProgressEntry,
  parseProgressEntry,
  parseTaskRecord,
  resolveUnit,
  type Task,
  type TaskFilter,
  type Units,
  URGENT_DAYS,
} from '../../../shared/tasks/index.ts';
import type { PizhuDatabase } from './db.ts';
import type { ProgressRow, TaskRow } from './schema.ts';
import { leaderKeys } from './tasks-store.ts';
import { unitsOf } from './vocabulary.ts';

/** Tasks the team list shows at first (and adds per "more"). */
export const TASKS_PAGE = 100;
/** The most tasks one notice lists (a 工作要点 has tens; a law a few hundred articles). */
export const MAX_NOTICE_TASKS = 2_000;
/** The most overdue and due-soon tasks listed on top. */
export const MAX_URGENT = 500;

export type NoticeTasks = {
  tasks: Task[];
  /** The newest progress entry of each task, by task id. */
  latest: Map<string, ProgressEntry>;
  units: Units;
  problems: number;
};

export type TeamTasks = {
  /** Overdue and due within URGENT_DAYS days, earliest due first. */
  urgent: Task[];
  /** The rest, in document and clause order. */
  tasks: Task[];
  /** More tasks match than `limit`. */
  more: boolean;
  units: Units;
  documents: Map<string, DocumentInfo | null>;
  latest: Map<string, ProgressEntry>;
  problems: number;
};

export type TaskExport = {
  /** In document and clause order. */
  tasks: Task[];
  /** The tasks' progress entries with their document (a task id is unique only within its document). */
  progress: DocumentProgressEntry[];
  units: Units;
  documents: Map<string, DocumentInfo | null>;
  /** More tasks matched than a table holds (MAX_TABLE_ROWS): the first ones are given. */
  truncated: boolean;
};

/** A task's key for maps across documents (ids are unique only within a room). */
export const taskKey = (task: Pick<Task, 'documentKey' | 'id'>) => `${task.documentKey}/${task.id}`;

function validDocument(row: unknown): DocumentInfo | null {
  const parsed = documentInfoSchema.safeParse(row);
  return parsed.success ? parsed.data : null;
}

type Checked = { tasks: Task[]; problems: number };

function validTasks(rows: readonly (TaskRow | undefined)[], teamId: string): Checked {
  const tasks: Task[] = [];
  let problems = 0;
  for (const row of rows) {
    if (!row || row.teamId !== teamId) continue;
    const parsed = parseTaskRecord(row);
    if (!parsed.ok || typeof row.documentKey !== 'string') problems++;
    else if (!parsed.value.deleted) tasks.push({ ...parsed.value, documentKey: row.documentKey });
  }
  return { tasks, problems };
}

function validEntries(rows: readonly ProgressRow[]): DocumentProgressEntry[] {
  const entries: DocumentProgressEntry[] = [];
  for (const row of rows) {
    const parsed = parseProgressEntry(row);
    if (parsed.ok) entries.push({ ...parsed.value, documentKey: row.documentKey });
  }
  return entries;
}

export class TaskQueries {
  constructor(private readonly db: PizhuDatabase) {}

  /** A notice's tasks in clause order, with the latest progress of each. */
  notice(teamId: string, documentKey: string): Promise<NoticeTasks> {
    const db = this.db;
    return db.transaction('r', [db.tasks, db.progress, db.units], async () => {
      const rows = await db.tasks
        .where('[documentKey+clauseIndex]')
        .between([documentKey, Dexie.minKey], [documentKey, Dexie.maxKey])
        .limit(MAX_NOTICE_TASKS)
        .toArray();
      const { tasks, problems } = validTasks(rows, teamId);
      tasks.sort(compareInClauseOrder());
      const progress = await db.progress
        .where('[documentKey+taskId]')
        .between([documentKey, Dexie.minKey], [documentKey, Dexie.maxKey])
        .toArray();
      const latest = new Map<string, ProgressEntry>();
      for (const [key, entry] of latestProgressByDocumentTask(progress.filter((row) => row.teamId === teamId))) {
        latest.set(key.slice(documentKey.length + 1), entry);
      }
      return { tasks, latest, units: unitsOf(await db.units.where('teamId').equals(teamId).toArray()), problems };
    });
  }

  /**
   * The team's tasks across notices matching the filter: what is overdue or due within seven days on top, then the
   * first `limit` others in document and clause order. Reads through the most selective index the filter allows.
   */
  team(teamId: string, filter: TaskFilter, today: string, limit = TASKS_PAGE): Promise<TeamTasks> {
    const db = this.db;
    return db.transaction('r', [db.tasks, db.units, db.documents, db.progress], async () => {
      const units = unitsOf(await db.units.where('teamId').equals(teamId).toArray());
      const context = { units, today };
      const soon = addDays(today, URGENT_DAYS);
      // Filtered while the index is walked, not after a first page: a unit's overdue task may come after
      // thousands of other units' older ones.
      let urgentProblems = 0;
      const urgentRows = await db.tasks
        .where('[teamId+open+dueDate]')
        .between([teamId, 1, '0'], [teamId, 1, soon], true, true)
        .filter((row) => {
          const checked = validTasks([row], teamId);
          urgentProblems += checked.problems;
          return checked.tasks.length === 1 && filterTasks(checked.tasks, filter, context).length === 1;
        })
        .limit(MAX_URGENT)
        .toArray();
      const urgent = validTasks(urgentRows, teamId).tasks;
      const rest = await this.others(teamId, filter, context, limit + 1);
      const tasks = rest.tasks.slice(0, limit);
      const shown = [...urgent, ...tasks];
      const { documents, progress } = await this.documentsAndProgress(teamId, shown);
      return {
        urgent,
        tasks,
        more: rest.tasks.length > limit,
        units,
        documents,
        latest: latestProgressByDocumentTask(progress),
        problems: urgentProblems + rest.problems,
      };
    });
  }

  /** The notices of the given tasks and the team's progress rows on them (inside the caller's transaction). */
  private async documentsAndProgress(
    teamId: string,
    tasks: readonly Task[],
  ): Promise<{ documents: Map<string, DocumentInfo | null>; progress: ProgressRow[] }> {
    const keys = [...new Set(tasks.map((t) => t.documentKey))];
    const documents = await this.db.documents.bulkGet(keys);
    const progress = await this.db.progress
      .where('[documentKey+taskId]')
      .anyOf(tasks.map((t) => [t.documentKey, t.id]))
      .toArray();
    return {
      documents: new Map(keys.map((key, i) => [key, validDocument(documents[i])])),
      progress: progress.filter((row) => row.teamId === teamId),
    };
  }

  /** Tasks not due soon that match, in document and clause order, at most `limit`. */
  private async others(teamId: string, filter: TaskFilter, context: { units: Units; today: string }, limit: number) {
    const matches = (task: Task) => !isUrgent(task, context.today) && filterTasks([task], filter, context).length > 0;
    const candidates = await this.candidates(teamId, filter, context.units);
    if (candidates) {
      const checked = validTasks(candidates, teamId);
      return {
        tasks: checked.tasks.filter(matches).sort(compareInClauseOrder()).slice(0, limit),
        problems: checked.problems,
      };
    }
    // No selective filter: walk the team's clause-order index until a page is found.
    let problems = 0;
    const rows = await this.db.tasks
      .where('[teamId+documentKey+clauseIndex]')
      .between([teamId, Dexie.minKey, Dexie.minKey], [teamId, Dexie.maxKey, Dexie.maxKey])
      .filter((row) => {
        const checked = validTasks([row], teamId);
        problems += checked.problems;
        return checked.tasks.length === 1 && matches(checked.tasks[0]!);
      })
      .limit(limit)
      .toArray();
    return { tasks: validTasks(rows, teamId).tasks.sort(compareInClauseOrder()), problems };
  }

  /** The rows a selective filter narrows to through its index, or null when the filter has none. */
  private async candidates(teamId: string, filter: TaskFilter, units: Units): Promise<TaskRow[] | null> {
    const tasks = this.db.tasks;
    if (filter.document !== undefined) {
      return tasks
        .where('[documentKey+clauseIndex]')
        .between([filter.document, Dexie.minKey], [filter.document, Dexie.maxKey])
        .toArray();
    }
    if (filter.unit !== undefined) {
      return tasks.where('unitIds').anyOf(idsOfUnit(units, filter.unit)).distinct().toArray();
    }
    if (filter.dueBefore !== undefined || filter.dueAfter !== undefined) {
      return tasks
        .where('[teamId+dueDate]')
        .between([teamId, filter.dueAfter ?? '0'], [teamId, filter.dueBefore ?? '9999-12-31'], true, true)
        .toArray();
    }
    if (filter.leader !== undefined) {
      const [key] = leaderKeys(filter.leader);
      return key ? tasks.where('leaderKeys').equals(key).toArray() : [];
    }
    return null;
  }

  /** A task's progress entries, newest first. */
  progress(teamId: string, documentKey: string, taskId: string): Promise<DocumentProgressEntry[]> {
    return this.db.progress
      .where('[documentKey+taskId]')
      .equals([documentKey, taskId])
      .toArray()
      .then((rows) =>
        validEntries(rows.filter((row) => row.teamId === teamId)).sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)),
      );
  }

  /** Every task matching (a notice's, or the team's with a filter) in clause order, for the table and report. */
  export(teamId: string, filter: TaskFilter, today: string): Promise<TaskExport> {
    const db = this.db;
    return db.transaction('r', [db.tasks, db.units, db.documents, db.progress], async () => {
      const units = unitsOf(await db.units.where('teamId').equals(teamId).toArray());
      const rows =
        (await this.candidates(teamId, filter, units)) ??
        (await db.tasks
          .where('[teamId+documentKey+clauseIndex]')
          .between([teamId, Dexie.minKey, Dexie.minKey], [teamId, Dexie.maxKey, Dexie.maxKey])
          .toArray());
      const all = filterTasks(validTasks(rows, teamId).tasks, filter, { units, today }).sort(compareInClauseOrder());
      const tasks = all.slice(0, MAX_TABLE_ROWS);
      const { documents, progress } = await this.documentsAndProgress(teamId, tasks);
      return {
        tasks,
        progress: validEntries(progress),
        units,
        documents,
        truncated: all.length > tasks.length,
      };
    });
  }

  /** Names of leaders in the team's tasks (folded as the filter compares them), for the leader filter. */
  async leaders(): Promise<string[]> {
    return (await this.db.tasks.orderBy('leaderKeys').uniqueKeys()) as string[];
  }
}

/** Ids whose tasks count as this unit's: itself, where it was merged to, and every unit merged into it. */
export function idsOfUnit(units: Units, unit: string): string[] {
  const target = resolveUnit(units, unit)?.id ?? unit;
  const ids = new Set([unit, target]);
  for (const id of Object.keys(units)) if (resolveUnit(units, id)?.id === target) ids.add(id);
  return [...ids];
}
