/**
 * Tasks, progress entries and units from a room into the store (a RoomProjection, rooms.ts): it follows the
 * room's `tasks`, `progress` and `units` maps and writes what changed through TaskStore, inside the room's commit
 * transaction, so the store never disagrees with the room. A value that fails its schema leaves the last valid
 * version in the store (and is reported); an entry removed from the room is removed from the store.
 */
import { isTeamRoomKey } from '../../../shared/model/team-room.ts';
import {
  parseUnitRecord,
  progressMap,
  readProgress,
  readTask,
  tasksMap,
  unitsMap,
} from '../../../shared/tasks/index.ts';
import type { TaskStore } from '../store/tasks-store.ts';
import type { ProjectionFollower, Room, RoomProjection } from './rooms.ts';

const TASK = 't:';
const PROGRESS = 'p:';
const UNIT = 'u:';

export class TasksProjection implements RoomProjection {
  constructor(
    private readonly store: TaskStore,
    private readonly onProblem: (message: string) => void = () => {},
  ) {}

  get tables() {
    return this.store.tables;
  }

  follow(room: Room): ProjectionFollower {
    const { doc, teamId, documentKey } = room;
    const teamRoom = isTeamRoomKey(documentKey);
    let touched = new Set<string>();
    const follow = (map: ReturnType<typeof tasksMap>, prefix: string) =>
      map.observe((event) => {
        for (const key of event.keysChanged) touched.add(prefix + key);
      });
    const tasks = tasksMap(doc);
    const progress = progressMap(doc);
    const units = unitsMap(doc);
    if (teamRoom) follow(units, UNIT);
    else {
      follow(tasks, TASK);
      follow(progress, PROGRESS);
    }
    const store = this.store;
    const problem = (what: string, key: string, error: string) =>
      this.onProblem(`${what} ${key.slice(0, 80)} in room ${room.id} failed validation and was not stored (${error})`);

    return {
      take() {
        const keys = touched;
        touched = new Set();
        return keys;
      },
      all() {
        const keys = new Set<string>();
        if (teamRoom) for (const key of units.keys()) keys.add(UNIT + key);
        else {
          for (const key of tasks.keys()) keys.add(TASK + key);
          for (const key of progress.keys()) keys.add(PROGRESS + key);
        }
        return keys;
      },
      async project(keys) {
        const put = { tasks: [] as unknown[], progress: [] as unknown[], units: {} as Record<string, unknown> };
        const gone = { tasks: [] as string[], progress: [] as string[], units: [] as string[] };
        for (const prefixed of keys) {
          const key = prefixed.slice(2);
          if (prefixed.startsWith(TASK)) {
            const read = readTask(doc, documentKey, key);
            if (read === null) gone.tasks.push(key);
            else if (read.ok) put.tasks.push(read.value);
            else problem('Task', key, read.error);
          } else if (prefixed.startsWith(PROGRESS)) {
            const read = readProgress(doc, key);
            if (read === null) gone.progress.push(key);
            else if (read.ok) put.progress.push(read.value);
            else problem('Progress entry', key, read.error);
          } else if (prefixed.startsWith(UNIT)) {
            const value = units.get(key);
            const parsed = value === undefined ? null : parseUnitRecord(value);
            if (parsed === null) gone.units.push(key);
            else if (parsed.ok) put.units[key] = parsed.value;
            else problem('Unit', key, parsed.error);
          }
        }
        await store.removeTasks(documentKey, gone.tasks);
        await store.putTasks(teamId, documentKey, put.tasks);
        await store.removeProgress(documentKey, gone.progress);
        await store.putProgress(teamId, documentKey, put.progress);
        await store.removeUnits(teamId, gone.units);
        await store.putUnits(teamId, put.units);
      },
    };
  }
}
