/**
 * Tasks and progress entries from a page room into the store (part of the page room's projection, rooms.ts): it
 * follows the room's `tasks` and `progress` maps and writes what changed through TaskStore, inside the room's
 * commit transaction, so the store never disagrees with the room. A value that fails its schema leaves the last
 * valid version in the store (and is reported); an entry removed from the room is removed from the store. The
 * units tasks name are the team room's (its own projection, team-room.ts).
 */
import type * as Y from 'yjs';
import { progressMap, readProgress, readTask, tasksMap } from '../../../shared/tasks/index.ts';
import type { ErrorInfo } from '../errors.ts';
import type { TaskStore } from '../store/tasks-store.ts';
import { type RoomProjection, TouchedKeys } from './projection.ts';

/** Keys of the maps a transaction touched: `t:<taskId>` and `p:<progressKey>`. */
type TaskWork = Set<string>;

const TASK = 't:';
const PROGRESS = 'p:';

export class TasksProjection implements RoomProjection<TaskWork> {
  private readonly touched = new TouchedKeys();
  private doc: Y.Doc | null = null;

  constructor(
    private readonly room: { id: string; teamId: string; documentKey: string },
    private readonly store: TaskStore,
    private readonly hooks: { onProblem(problem: { room: string; error: ErrorInfo }): void },
  ) {}

  get tables() {
    return this.store.tables;
  }

  observe(doc: Y.Doc): void {
    this.doc = doc;
    this.touched.observe([
      [TASK, tasksMap(doc)],
      [PROGRESS, progressMap(doc)],
    ]);
  }

  take(): TaskWork {
    return this.touched.take();
  }

  all(): TaskWork {
    return this.touched.all();
  }

  join(a: TaskWork, b: TaskWork): TaskWork {
    return TouchedKeys.join(a, b);
  }

  /** Writes the touched entries; returns no annotation ids (the side panel's queries follow the tables). */
  async project(work: TaskWork): Promise<string[]> {
    if (!work.size) return [];
    const { teamId, documentKey } = this.room;
    const doc = this.doc!;
    const put = { tasks: [] as unknown[], progress: [] as unknown[] };
    const gone = { tasks: [] as string[], progress: [] as string[] };
    for (const prefixed of work) {
      const key = prefixed.slice(TASK.length);
      const isTask = prefixed.startsWith(TASK);
      const read = isTask ? readTask(doc, documentKey, key) : readProgress(doc, key);
      if (read === null) (isTask ? gone.tasks : gone.progress).push(key);
      else if (read.ok) (isTask ? put.tasks : put.progress).push(read.value);
      else this.problem(isTask ? 'Task' : 'Progress entry', key, read.error);
    }
    await this.store.removeTasks(documentKey, gone.tasks);
    await this.store.putTasks(teamId, documentKey, put.tasks);
    await this.store.removeProgress(documentKey, gone.progress);
    await this.store.putProgress(teamId, documentKey, put.progress);
    return [];
  }

  private problem(what: string, key: string, error: string): void {
    this.hooks.onProblem({
      room: this.room.id,
      error: { code: 'record_invalid', params: { id: key.slice(0, 80) }, detail: `${what}: ${error}` },
    });
  }
}
