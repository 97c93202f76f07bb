/**
 * Tasks carried over ("沿用到新版", issue 20): last year's 工作要点 item, taken up again on the paired clause of this
 * year's notice. The new task is a task of the new version's room, linked to the one it came from (`carriedFrom`);
 * the old task and its 台账 stay as they are.
 *
 * What is kept and what starts again, as an office taking up an item again expects:
 * - kept: the wording, the lead and responsible units, the leader, the requirement, the deadline as written;
 * - the deadline's day is read again against the new notice's year (6月底前 in the 2024 notice is 2024-06-30, not
 *   last year's day, which would make the task overdue the moment it is carried); a date written out stays that
 *   date; with no year known the old day is kept;
 * - starts again: the status is 未开始 (this year's work has not begun), no progress is copied, and the task is the
 *   carrying member's, made now.
 */
import type { Author, CarriedFrom } from '../model/annotation.ts';
import { parseDue } from './due.ts';
import type { DueDate } from './hints.ts';
import type { ClauseRef, TaskRecord } from './model.ts';

/** A source task's key across documents (task ids are unique only within their document's room). */
export function carriedFromKey(from: CarriedFrom): string {
  return `${from.documentKey}/${from.id}`;
}

/** Keys (carriedFromKey) of the tasks that live tasks among these were carried from: carrying them again adds nothing. */
export function carriedTaskSources(tasks: readonly Pick<TaskRecord, 'deleted' | 'carriedFrom'>[]): Set<string> {
  const keys = new Set<string>();
  for (const task of tasks) if (!task.deleted && task.carriedFrom) keys.add(carriedFromKey(task.carriedFrom));
  return keys;
}

export type CarryTarget = {
  /** The new task's id. */
  id: string;
  /** The paired clause of the new version. */
  clause: ClauseRef;
  /** The member carrying it, and when. */
  by: Author;
  at: number;
  /** The new notice's year, for deadlines such as 6月底前; undefined when unknown. */
  year: number | undefined;
};

/** The task `source` (of the document `from`) becomes on the new version: see the module's comment. */
export function carryTask(source: TaskRecord, from: string, target: CarryTarget): TaskRecord {
  const record: TaskRecord = {
    id: target.id,
    clause: target.clause,
    task: source.task,
    leadUnits: [...source.leadUnits],
    units: [...source.units],
    due: source.due && carriedDue(source.due, target.year),
    status: 'todo',
    createdBy: target.by,
    createdAt: target.at,
    updatedBy: target.by,
    updatedAt: target.at,
    carriedFrom: { id: source.id, documentKey: from },
  };
  if (source.leader) record.leader = source.leader;
  if (source.requirement) record.requirement = source.requirement;
  return record;
}

function carriedDue(due: DueDate, year: number | undefined): DueDate {
  if (year === undefined) return due;
  return { text: due.text, date: parseDue(due.text, year)?.date ?? null };
}
