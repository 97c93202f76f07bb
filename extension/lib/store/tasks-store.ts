/**
 * The one way tasks and progress entries enter or leave the store (schema version 6). Every record is
 * validated with shared/tasks' schemas first (an invalid one refuses the batch: nothing is written), and the
 * fields the indexes need are derived here, so they always agree with the record. They arrive only through their
 * rooms' projection (sync/tasks-projection.ts), in the room's commit transaction.
 */
import { ValidationError } from '../../../shared/model/annotation.ts';
import {
  type ProgressEntry,
  parseProgressEntry,
  parseTaskRecord,
  progressKey,
  type Task,
} from '../../../shared/tasks/index.ts';
import type { PizhuDatabase } from './db.ts';
import type { ProgressRow, TaskRow } from './schema.ts';
import { toStorageError } from './storage-errors.ts';

/** A leader field as the filter compares it: folded, whole and split into names (as shared/tasks filterTasks). */
export function leaderKeys(leader: string | undefined): string[] {
  if (!leader) return [];
  const fold = (name: string) => name.normalize('NFKC').replace(/\s+/g, '');
  return [...new Set([fold(leader), ...leader.split(/[、,，;；/]/).map(fold)].filter(Boolean))];
}

function valid<T>(parsed: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!parsed.ok) throw new ValidationError('record', [parsed.error]);
  return parsed.value;
}

export function taskRow(teamId: string, documentKey: string, record: unknown): TaskRow {
  const task: Task = { ...valid(parseTaskRecord(record)), documentKey };
  return {
    ...task,
    teamId,
    clauseIndex: task.clause.index,
    unitIds: [...new Set([...task.leadUnits, ...task.units])],
    dueDate: task.due?.date ?? '',
    open: task.status === 'done' ? 0 : 1,
    leaderKeys: leaderKeys(task.leader),
  };
}

export function progressRow(teamId: string, documentKey: string, record: unknown): ProgressRow {
  const entry: ProgressEntry = valid(parseProgressEntry(record));
  return { ...entry, key: progressKey(entry.by.id, entry.id), teamId, documentKey };
}

export class TaskStore {
  constructor(readonly db: PizhuDatabase) {}

  /** The tables a write touches (a room's commit includes them in its transaction). */
  get tables() {
    return [this.db.tasks, this.db.progress];
  }

  async putTasks(teamId: string, documentKey: string, records: readonly unknown[]): Promise<void> {
    const rows = records.map((record) => taskRow(teamId, documentKey, record));
    if (rows.length) await this.write(() => this.db.tasks.bulkPut(rows), 'the tasks');
  }

  async removeTasks(documentKey: string, ids: readonly string[]): Promise<void> {
    if (ids.length) await this.write(() => this.db.tasks.bulkDelete(ids.map((id) => [documentKey, id])), 'the tasks');
  }

  async putProgress(teamId: string, documentKey: string, records: readonly unknown[]): Promise<void> {
    const rows = records.map((record) => progressRow(teamId, documentKey, record));
    if (rows.length) await this.write(() => this.db.progress.bulkPut(rows), 'the progress');
  }

  async removeProgress(documentKey: string, keys: readonly string[]): Promise<void> {
    if (keys.length) {
      await this.write(() => this.db.progress.bulkDelete(keys.map((key) => [documentKey, key])), 'the progress');
    }
  }

  /** Everything of a team (leaving it with its data removed). */
  async clearTeam(teamId: string): Promise<void> {
    await this.write(async () => {
      await this.db.tasks.where('teamId').equals(teamId).delete();
      await this.db.progress.where('teamId').equals(teamId).delete();
    }, "the team's tasks");
  }

  private async write(operation: () => Promise<unknown>, what: string): Promise<void> {
    try {
      await this.db.transaction('rw', this.tables, operation);
    } catch (error) {
      throw toStorageError(error, what);
    }
  }
}
