/**
 * Where tasks and their progress live in the Yjs rooms (docs/room-layout.md), read and written the same way by the
 * extension and the server:
 *
 *   page room `<teamId>.<documentKey>`: tasks    <taskId>              → TaskRecord (whole-record replace)
 *                                        progress <memberId>/<entryId> → ProgressEntry (its author's key)
 *
 * The units tasks name by id are the team room's (`units`, shared/model/team-room.ts: read, written and checked
 * there); this module only turns typed names into unit ids and the records to add.
 *
 * Every value read goes through its schema (model.ts); a value that fails it, or sits under a key that does not
 * name it, is reported and skipped. A task is edited by replacing its whole record, so two colleagues editing
 * the same task offline keep the later edit (other tasks and every progress entry merge).
 */
import type * as Y from 'yjs';
import { ValidationError } from '../model/annotation.ts';
import { hashText } from '../model/hash.ts';
import {
  addUnit,
  findUnitByName,
  type ProgressEntry,
  parseProgressEntry,
  parseTaskRecord,
  progressEntryMatchesKey,
  progressKey,
  resolveUnit,
  TASK_LIMITS,
  type Task,
  type TaskRecord,
  type Unit,
  type Units,
  unitNameKey,
} from './model.ts';

export const TASKS_KEY = 'tasks';
export const PROGRESS_KEY = 'progress';

export function tasksMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(TASKS_KEY);
}

export function progressMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(PROGRESS_KEY);
}

/** Defines the root maps up front, so every transaction names them by the types readers use (see definePageRoom). */
export function defineTaskRoots(doc: Y.Doc): void {
  tasksMap(doc);
  progressMap(doc);
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Writes a task's whole record under its id (nothing when unchanged). */
export function writeTask(doc: Y.Doc, record: TaskRecord, origin?: unknown): void {
  const map = tasksMap(doc);
  const value = JSON.parse(JSON.stringify(record)) as unknown;
  doc.transact(() => {
    if (!sameJson(map.get(record.id), value)) map.set(record.id, value);
  }, origin);
}

/** Writes a progress entry under its author's key. */
export function writeProgress(doc: Y.Doc, entry: ProgressEntry, origin?: unknown): void {
  const key = progressKey(entry.by.id, entry.id);
  const map = progressMap(doc);
  const value = JSON.parse(JSON.stringify(entry)) as unknown;
  doc.transact(() => {
    if (!sameJson(map.get(key), value)) map.set(key, value);
  }, origin);
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

/** One task of a page room; null when the room has no entry under this id. */
export function readTask(doc: Y.Doc, documentKey: string, id: string): Read<Task> | null {
  const value = tasksMap(doc).get(id);
  if (value === undefined) return null;
  const parsed = parseTaskRecord(value);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (parsed.value.id !== id) return { ok: false, error: 'id differs from its key' };
  return { ok: true, value: { ...parsed.value, documentKey } };
}

/** One progress entry; null when the room has no entry under this key. */
export function readProgress(doc: Y.Doc, key: string): Read<ProgressEntry> | null {
  const value = progressMap(doc).get(key);
  if (value === undefined) return null;
  const parsed = parseProgressEntry(value);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (!progressEntryMatchesKey(key, parsed.value)) return { ok: false, error: 'author or id differs from its key' };
  return { ok: true, value: parsed.value };
}

export type Invalid = { key: string; error: string };
export type RoomTasks = { tasks: Task[]; progress: ProgressEntry[]; invalid: Invalid[] };

/** Every task and progress entry of a page room; what fails its schema is reported in `invalid`. */
export function readRoomTasks(doc: Y.Doc, documentKey: string): RoomTasks {
  const result: RoomTasks = { tasks: [], progress: [], invalid: [] };
  for (const id of tasksMap(doc).keys()) {
    const read = readTask(doc, documentKey, id)!;
    if (read.ok) result.tasks.push(read.value);
    else result.invalid.push({ key: id.slice(0, 140), error: read.error });
  }
  for (const key of progressMap(doc).keys()) {
    const read = readProgress(doc, key)!;
    if (read.ok) result.progress.push(read.value);
    else result.invalid.push({ key: key.slice(0, 140), error: read.error });
  }
  return result;
}

export type TaskKeys = { tasks: Set<string>; progress: Set<string> };

/**
 * The task ids and progress keys one transaction changed, read from `transaction.changed` (the root
 * maps that existed before it, with their keys), like the annotations' changesOfTransaction.
 */
export function taskChangesOfTransaction(transaction: Y.Transaction): TaskKeys {
  const share = transaction.doc.share;
  const roots = new Map<unknown, keyof TaskKeys>([
    [share.get(TASKS_KEY), 'tasks'],
    [share.get(PROGRESS_KEY), 'progress'],
  ]);
  roots.delete(undefined);
  const keys: TaskKeys = { tasks: new Set(), progress: new Set() };
  for (const [type, changed] of transaction.changed) {
    const kind = roots.get(type);
    if (!kind) continue;
    for (const key of changed) if (key !== null) keys[kind].add(key);
  }
  return keys;
}

/**
 * The id a unit named this way gets when it is first named: derived from the name, so two colleagues who type the
 * same new unit offline create the same unit rather than two.
 */
export function unitIdForName(name: string): string {
  return `u-${hashText(`unit\u0000${unitNameKey(name)}`, 16)}`;
}

export type UnitStamp = { by: string; at: number };

/**
 * Unit ids for names a user typed (after merges: a known name gives its unit), with the records to add for the
 * names the team has not used yet. Empty names are skipped, each unit appears once; a name too long throws.
 */
export function unitIdsForNames(
  units: Units,
  names: readonly string[],
  stamp: UnitStamp,
  randomId: () => string,
): { ids: string[]; patch: Record<string, Unit> } {
  let known: Units = units;
  const patch: Record<string, Unit> = {};
  const ids: string[] = [];
  for (const name of names) {
    if (!name.trim()) continue;
    let change = addUnit(known, { id: unitIdForName(name), name, ...stamp });
    // The derived id belongs to a unit renamed since: this name is a new unit with an id of its own.
    if (!change.ok && change.error === 'name-taken') change = addUnit(known, { id: randomId(), name, ...stamp });
    if (!change.ok) {
      throw new ValidationError('unit', [
        `"${name.slice(0, 40)}": a unit's name has 1 to ${TASK_LIMITS.unitNameChars} characters`,
      ]);
    }
    Object.assign(patch, change.patch);
    known = { ...known, ...change.patch };
    if (!ids.includes(change.id)) ids.push(change.id);
  }
  return { ids, patch };
}

/**
 * The unit an owner means when giving a member a unit: a unit id the team has, else the unit of that name (after
 * merges), else a unit not named yet (the id it will get when first named). Null for an empty or too long name.
 */
export function resolveUnitInput(units: Units, input: string): { id: string; name: string } | null {
  const text = input.trim();
  if (Object.hasOwn(units, text)) {
    const unit = resolveUnit(units, text)!;
    return { id: unit.id, name: unit.name };
  }
  const named = findUnitByName(units, text);
  if (named) return { id: named.id, name: named.name };
  const name = text.replace(/\s+/g, ' ');
  if (!name || [...name].length > TASK_LIMITS.unitNameChars) return null;
  return { id: unitIdForName(name), name };
}

/** A member's unit as the team knows it now: renamed and merged units followed, the stored name as a fallback. */
export function currentUnit(units: Units, unit: { id: string; name: string }): { id: string; name: string } {
  const resolved = resolveUnit(units, unit.id);
  return resolved ? { id: resolved.id, name: resolved.name } : unit;
}
