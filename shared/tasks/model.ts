/**
 * Tasks on clauses (任务分解) and their progress (落实台账), as stored in a team's rooms (docs/room-layout.md):
 *
 *   page room `<teamId>.<documentKey>`: tasks    <taskId>               → TaskRecord (whole-record replace)
 *                                        progress <memberId>/<entryId>  → ProgressEntry
 *   team room `<teamId>._team`:         units    <unitId>               → Unit (shared/model/team-room.ts)
 *
 * A task names its units by id, so renaming a unit renames it everywhere and merging two follows `mergedInto`
 * (chains resolve, a cycle stops at the first repeated unit). The document key is implied by the room and never
 * read from the record. Every value read from a room goes through these schemas; one that fails is skipped.
 *
 * Statuses: 'todo' 未开始, 'doing' 推进中, 'done' 已完成; the displayed status is 'overdue' 已逾期 when the due
 * date has passed (relative to a given today, 'YYYY-MM-DD' in the reader's time zone) and the task is not done.
 */
import { z } from 'zod';
import { safeHttpUrl } from '../briefing/escape.ts';
import { isoDateIn } from '../briefing/time.ts';
import { authorSchema, carriedFromSchema, idSchema, LIMITS, type ParseResult, tryParse } from '../model/annotation.ts';
import { memoizeByKey } from '../model/objects.ts';
import { MAX_UNIT_ALIASES, type Unit, type Units } from '../model/team-room.ts';

/** The team's units are the team room's (one schema, shared/model/team-room.ts); tasks name them by id. */
export type { Unit, Units };
import { addDays, isIsoDay } from './dates.ts';
import type { DueDate } from './hints.ts';

export const TASK_LIMITS = {
  taskChars: 2_000,
  clauseTextChars: LIMITS.quoteChars,
  requirementChars: 2_000,
  unitNameChars: LIMITS.nameChars,
  unitsPerTask: 30,
  leaderChars: LIMITS.nameChars,
  dueTextChars: 100,
  progressChars: 5_000,
  hashChars: 128,
  clauseIndexMax: 1_000_000,
} as const;

export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const DISPLAY_STATUSES = ['todo', 'doing', 'done', 'overdue'] as const;
export type DisplayStatus = (typeof DISPLAY_STATUSES)[number];

/** What is due within this many days (and what is overdue) goes on top of the list. */
export const URGENT_DAYS = 7;

const epochMs = z.number().int().nonnegative().max(8.64e15);
export const isoDaySchema = z.string().refine(isIsoDay, 'must be a calendar date YYYY-MM-DD');

export const dueDateSchema = z.object({
  text: z.string().trim().min(1).max(TASK_LIMITS.dueTextChars),
  date: isoDaySchema.nullable(),
});

const unitIdsSchema = z
  .array(idSchema)
  .max(TASK_LIMITS.unitsPerTask)
  .transform((ids) => [...new Set(ids)]);

/** The clause a task was made from: where it sits (label path, position) and what it said (text, hash). */
export const clauseRefSchema = z.object({
  path: z.array(z.string().min(1).max(LIMITS.labelChars)).max(LIMITS.clausePathDepth),
  text: z.string().max(TASK_LIMITS.clauseTextChars),
  hash: z.string().min(1).max(TASK_LIMITS.hashChars),
  /** The clause's position in the document (segmentation order), for clause order across the document. */
  index: z.number().int().nonnegative().max(TASK_LIMITS.clauseIndexMax),
});
export type ClauseRef = z.infer<typeof clauseRefSchema>;

/** Optional text; an empty one reads as absent. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((text) => text || undefined)
    .optional();

export const taskRecordSchema = z.object({
  id: idSchema,
  clause: clauseRefSchema,
  task: z.string().trim().min(1).max(TASK_LIMITS.taskChars),
  leadUnits: unitIdsSchema,
  units: unitIdsSchema,
  leader: optionalText(TASK_LIMITS.leaderChars),
  due: dueDateSchema.nullable(),
  requirement: optionalText(TASK_LIMITS.requirementChars),
  status: z.enum(TASK_STATUSES),
  createdBy: authorSchema,
  createdAt: epochMs,
  /** The member who wrote this version: the server refuses a record whose updatedBy is not the writer. */
  updatedBy: authorSchema,
  updatedAt: epochMs,
  deleted: z.boolean().optional(),
  /**
   * Set on a task carried over ("沿用到新版") from a task on an earlier version of the notice: that task and its
   * document (a task id is unique only within its document). Absent otherwise, as in every record made before.
   */
  carriedFrom: carriedFromSchema.optional(),
});
export type TaskRecord = z.infer<typeof taskRecordSchema>;
export type TaskRecordInput = z.input<typeof taskRecordSchema>;
/** A task with the document its room belongs to. */
export type Task = TaskRecord & { documentKey: string };

const httpLinkSchema = z
  .string()
  .max(LIMITS.urlChars)
  .refine((url) => safeHttpUrl(url) !== null, 'must be an http(s) URL');

export const progressEntrySchema = z.object({
  id: idSchema,
  taskId: idSchema,
  text: z.string().trim().min(1).max(TASK_LIMITS.progressChars),
  /** An attachment elsewhere (a document on the office's drive): http(s) only. */
  link: httpLinkSchema.optional(),
  at: epochMs,
  by: authorSchema,
});
export type ProgressEntry = z.infer<typeof progressEntrySchema>;

export const parseTaskRecord = (value: unknown): ParseResult<TaskRecord> => tryParse(taskRecordSchema, value, 'task');
export const parseProgressEntry = (value: unknown): ParseResult<ProgressEntry> =>
  tryParse(progressEntrySchema, value, 'progress entry');

/** The key of a progress entry in the `progress` map: only its author writes under it. */
export function progressKey(memberId: string, entryId: string): string {
  return `${memberId}/${entryId}`;
}

export function parseProgressKey(key: string): { memberId: string; entryId: string } | null {
  const match = /^([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})$/.exec(key);
  return match ? { memberId: match[1]!, entryId: match[2]! } : null;
}

/** Whether an entry may live under a key: its author and id are the ones the key names. */
export function progressEntryMatchesKey(key: string, entry: ProgressEntry): boolean {
  const parsed = parseProgressKey(key);
  return parsed !== null && parsed.memberId === entry.by.id && parsed.entryId === entry.id;
}

/** A progress entry with the notice it belongs to (task ids are unique only within a document's room). */
export type DocumentProgressEntry = ProgressEntry & { documentKey: string };

// --- status, order, filters ---

/** Today as the reader sees it ('YYYY-MM-DD' in their time zone): what "overdue" is measured against. */
export function todayIn(now: number, timeZone: string): string {
  return isoDateIn(now, timeZone);
}

export function displayStatus(task: Pick<TaskRecord, 'status' | 'due'>, today: string): DisplayStatus {
  if (task.status !== 'done' && task.due?.date && task.due.date < today) return 'overdue';
  return task.status;
}

/** Not done and due within URGENT_DAYS days, or overdue. */
export function isUrgent(task: Pick<TaskRecord, 'status' | 'due'>, today: string): boolean {
  return task.status !== 'done' && Boolean(task.due?.date) && task.due!.date! <= addDays(today, URGENT_DAYS);
}

export type SortOptions = {
  today: string;
  /** Documents in the order to list them (e.g. by title or date); others follow, by key. */
  documentOrder?: readonly string[];
};

/**
 * The 任务 tab's order: what is overdue or due within seven days first (earliest due first), then the rest in
 * the document's clause order (documents in the given order), then by creation.
 */
export function compareTasks(options: SortOptions): (a: Task, b: Task) => number {
  const inClauseOrder = compareInClauseOrder(options.documentOrder);
  return (a, b) => {
    const urgentA = isUrgent(a, options.today);
    const urgentB = isUrgent(b, options.today);
    if (urgentA !== urgentB) return urgentA ? -1 : 1;
    if (urgentA && a.due!.date !== b.due!.date) return a.due!.date! < b.due!.date! ? -1 : 1;
    return inClauseOrder(a, b);
  };
}

/** Clause order: documents in the given order (others after, by key), then position in the document, then creation. */
export function compareInClauseOrder(documentOrder: readonly string[] = []): (a: Task, b: Task) => number {
  const rank = new Map(documentOrder.map((key, i) => [key, i]));
  const documentRank = (key: string) => rank.get(key) ?? Number.MAX_SAFE_INTEGER;
  return (a, b) =>
    documentRank(a.documentKey) - documentRank(b.documentKey) ||
    (a.documentKey < b.documentKey ? -1 : a.documentKey > b.documentKey ? 1 : 0) ||
    a.clause.index - b.clause.index ||
    a.createdAt - b.createdAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function sortTasks(tasks: readonly Task[], options: SortOptions): Task[] {
  return [...tasks].sort(compareTasks(options));
}

export const taskFilterSchema = z.object({
  document: idSchema.optional(),
  /** Tasks this unit leads or shares, following merges: a merged unit's tasks are its target's. */
  unit: idSchema.optional(),
  status: z.array(z.enum(DISPLAY_STATUSES)).max(DISPLAY_STATUSES.length).optional(),
  /** Due on or before / on or after this day; tasks without a dated deadline are left out. */
  dueBefore: isoDaySchema.optional(),
  dueAfter: isoDaySchema.optional(),
  leader: z.string().trim().min(1).max(TASK_LIMITS.leaderChars).optional(),
});
export type TaskFilter = z.infer<typeof taskFilterSchema>;

/**
 * A filter from a query string (`GET /api/teams/<id>/tasks?unit=…&status=overdue,doing&dueBefore=…`): status
 * as a comma-separated list or repeated; unknown parameters ignored. Invalid values give an error to show.
 */
export function parseTaskQuery(params: URLSearchParams): ParseResult<TaskFilter> {
  const one = (name: string) => params.get(name) ?? undefined;
  const statuses = params
    .getAll('status')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return tryParse(
    taskFilterSchema,
    {
      document: one('document'),
      unit: one('unit'),
      status: statuses.length ? statuses : undefined,
      dueBefore: one('dueBefore'),
      dueAfter: one('dueAfter'),
      leader: one('leader'),
    },
    'task filter',
  );
}

/** A leader's name as compared: full-width folded, no whitespace. */
function leaderKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '');
}

/** Deleted tasks never pass. */
export function filterTasks(
  tasks: readonly Task[],
  filter: TaskFilter,
  context: { units: Units; today: string },
): Task[] {
  const resolve = unitResolver(context.units);
  const unit = filter.unit === undefined ? null : (resolve(filter.unit)?.id ?? filter.unit);
  const statuses = filter.status?.length ? new Set(filter.status) : null;
  const leader = filter.leader === undefined ? null : leaderKey(filter.leader);
  return tasks.filter((task) => {
    if (task.deleted) return false;
    if (filter.document !== undefined && task.documentKey !== filter.document) return false;
    if (statuses && !statuses.has(displayStatus(task, context.today))) return false;
    if (filter.dueBefore !== undefined || filter.dueAfter !== undefined) {
      const date = task.due?.date;
      if (!date) return false;
      if (filter.dueBefore !== undefined && date > filter.dueBefore) return false;
      if (filter.dueAfter !== undefined && date < filter.dueAfter) return false;
    }
    if (leader !== null) {
      const names = (task.leader ?? '').split(/[、,，;；/]/).map(leaderKey);
      if (!names.includes(leader) && leaderKey(task.leader ?? '') !== leader) return false;
    }
    if (unit !== null) {
      const ids = [...task.leadUnits, ...task.units].map((id) => resolve(id)?.id ?? id);
      if (!ids.includes(unit)) return false;
    }
    return true;
  });
}

// --- units: pure operations on the team's `units` map ---

export type ResolvedUnit = { id: string; name: string; deleted: boolean };

/**
 * The unit an id stands for after merges, or null for an id the team does not know. Two offline colleagues
 * can merge A into B and B into A at once: every unit of such a cycle resolves to the one with the smallest id,
 * so all readers agree.
 */
export function resolveUnit(units: Units, id: string): ResolvedUnit | null {
  if (!Object.hasOwn(units, id)) return null;
  const path: string[] = [];
  const seen = new Set<string>();
  let current = id;
  for (;;) {
    path.push(current);
    seen.add(current);
    const next = units[current]!.mergedInto;
    if (next === undefined || !Object.hasOwn(units, next)) break;
    if (seen.has(next)) {
      current = path.slice(path.indexOf(next)).sort()[0]!;
      break;
    }
    current = next;
  }
  const record = units[current]!;
  return { id: current, name: record.name, deleted: Boolean(record.deleted) };
}

/** resolveUnit for many ids over one snapshot of the units map, each id resolved once. */
export function unitResolver(units: Units): (id: string) => ResolvedUnit | null {
  return memoizeByKey((id) => resolveUnit(units, id));
}

/** A unit's name as compared: full-width folded, no whitespace (市教育局 = 市 教育局). */
export function unitNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '');
}

/** A unit to offer in pickers: its current name, and the names it was known by (renames, units merged into it). */
export type LiveUnit = { id: string; name: string; aliases: string[] };

/**
 * Units to offer in pickers and filters: not merged away, not deleted; by name in Chinese collation. Merges are
 * followed: a unit merged into another lends it its names as aliases, so typing either finds the survivor.
 */
export function activeUnits(units: Units): LiveUnit[] {
  const collator = new Intl.Collator('zh-CN');
  const resolve = unitResolver(units);
  const live = new Map<string, LiveUnit>();
  for (const [id, u] of Object.entries(units)) {
    if (!u.deleted && u.mergedInto === undefined) live.set(id, { id, name: u.name, aliases: [] });
  }
  for (const [id, u] of Object.entries(units)) {
    const target = live.get(resolve(id)?.id ?? '');
    if (!target) continue;
    for (const name of id === target.id ? (u.aliases ?? []) : [u.name, ...(u.aliases ?? [])]) {
      const key = unitNameKey(name);
      if (key !== unitNameKey(target.name) && !target.aliases.some((a) => unitNameKey(a) === key)) {
        target.aliases.push(name);
      }
    }
  }
  return [...live.values()].sort((a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
}

/** The live unit whose current name (or, with `aliases`, a former name) has this key, following merges. */
function unitCalled(units: Units, key: string, aliases: boolean): ResolvedUnit | null {
  let fallback: ResolvedUnit | null = null;
  for (const [id, record] of Object.entries(units)) {
    const names = aliases ? (record.aliases ?? []) : [record.name];
    if (!names.some((name) => unitNameKey(name) === key)) continue;
    const resolved = resolveUnit(units, id);
    if (resolved && !resolved.deleted && resolved.id === id) return resolved;
    if (resolved && !resolved.deleted) fallback ??= resolved;
  }
  return fallback;
}

/**
 * The unit a name (from a suggestion, a clause's text or a typed entry) stands for, through renames and merges:
 * a live unit of that name first, then a unit merged away under that name (its survivor), then a unit that was
 * known by that name before a rename. Null when the team has no such unit.
 */
export function findUnitByName(units: Units, name: string): ResolvedUnit | null {
  const key = unitNameKey(name);
  if (!key) return null;
  return unitCalled(units, key, false) ?? unitCalled(units, key, true);
}

/** Names for unit ids, in order, after merges, each once; unknown ids are left out. */
export function unitNames(units: Units | ((id: string) => ResolvedUnit | null), ids: readonly string[]): string[] {
  const resolve = typeof units === 'function' ? units : unitResolver(units);
  const seen = new Set<string>();
  const names: string[] = [];
  for (const id of ids) {
    const unit = resolve(id);
    if (!unit || seen.has(unit.id)) continue;
    seen.add(unit.id);
    names.push(unit.name);
  }
  return names;
}

/** What an operation writes into the `units` map (records by id); empty when nothing changes. */
export type UnitChange =
  | { ok: true; id: string; patch: Record<string, Unit> }
  | { ok: false; error: 'unknown-unit' | 'name-taken' | 'same-unit' | 'invalid-name'; id?: string };

/** Who writes the change (a member id: the server checks it is the writer) and when. */
type Stamp = { by: string; at: number };

/** A unit name as stored (spaces collapsed), or null when it is empty or too long. */
export function validUnitName(name: string): string | null {
  const trimmed = name.replace(/\s+/g, ' ').trim();
  return trimmed && [...trimmed].length <= TASK_LIMITS.unitNameChars ? trimmed : null;
}

/** Adds a unit, or gives the existing one of the same name. */
export function addUnit(units: Units, unit: { id: string; name: string } & Stamp): UnitChange {
  const name = validUnitName(unit.name);
  if (!name || !idSchema.safeParse(unit.id).success) return { ok: false, error: 'invalid-name' };
  const existing = findUnitByName(units, name);
  if (existing) return { ok: true, id: existing.id, patch: {} };
  if (Object.hasOwn(units, unit.id)) return { ok: false, error: 'name-taken', id: unit.id };
  return { ok: true, id: unit.id, patch: { [unit.id]: { name, by: unit.by, at: unit.at } } };
}

/**
 * Renames a unit (the one it was merged into, if it was), keeping the old name as an alias; a name another live
 * unit has is refused: merge them instead.
 */
export function renameUnit(units: Units, id: string, newName: string, stamp: Stamp): UnitChange {
  const target = resolveUnit(units, id);
  if (!target || !Object.hasOwn(units, target.id)) return { ok: false, error: 'unknown-unit' };
  const name = validUnitName(newName);
  if (!name) return { ok: false, error: 'invalid-name' };
  const holder = unitCalled(units, unitNameKey(name), false);
  if (holder && holder.id !== target.id) return { ok: false, error: 'name-taken', id: holder.id };
  const record = units[target.id]!;
  if (record.name === name) return { ok: true, id: target.id, patch: {} };
  // The old name stays findable (a colleague offline may still type it); the newest former names are kept.
  const aliases = [record.name, ...(record.aliases ?? [])]
    .filter((alias) => unitNameKey(alias) !== unitNameKey(name))
    .filter((alias, i, all) => all.findIndex((a) => unitNameKey(a) === unitNameKey(alias)) === i)
    .slice(0, MAX_UNIT_ALIASES);
  return { ok: true, id: target.id, patch: { [target.id]: { ...record, name, aliases, ...stamp } } };
}

/** Merges one unit into another: tasks naming either now name the second. */
export function mergeUnits(units: Units, fromId: string, intoId: string, stamp: Stamp): UnitChange {
  const from = resolveUnit(units, fromId);
  const into = resolveUnit(units, intoId);
  if (!from || !into || !Object.hasOwn(units, from.id) || !Object.hasOwn(units, into.id)) {
    return { ok: false, error: 'unknown-unit' };
  }
  if (from.id === into.id) return { ok: false, error: 'same-unit', id: into.id };
  return { ok: true, id: into.id, patch: { [from.id]: { ...units[from.id]!, mergedInto: into.id, ...stamp } } };
}

/** Removes a unit from the pickers; tasks that name it keep showing its name. */
export function deleteUnit(units: Units, id: string, stamp: Stamp): UnitChange {
  const target = resolveUnit(units, id);
  if (!target || !Object.hasOwn(units, target.id)) return { ok: false, error: 'unknown-unit' };
  if (target.deleted) return { ok: true, id: target.id, patch: {} };
  return { ok: true, id: target.id, patch: { [target.id]: { ...units[target.id]!, deleted: true, ...stamp } } };
}

// --- rows for the exports ---

/** One row of the 任务分解表, resolved to names: what the renderers take. */
export type TaskRow = {
  no: number;
  clausePath: string;
  task: string;
  leadUnits: string[];
  units: string[];
  leader?: string;
  due?: DueDate | null;
  requirement?: string;
  status?: TaskStatus;
  latestProgress?: { at: string; by: string; text: string };
};

/** Keeps `entry` under `key` unless the entry there is newer (by time, then id). */
function keepNewest(latest: Map<string, ProgressEntry>, key: string, entry: ProgressEntry): void {
  const current = latest.get(key);
  if (!current || entry.at > current.at || (entry.at === current.at && entry.id > current.id)) latest.set(key, entry);
}

/** The newest entry of each task of one notice, by task id. */
export function latestProgressByTask(entries: readonly ProgressEntry[]): Map<string, ProgressEntry> {
  const latest = new Map<string, ProgressEntry>();
  for (const entry of entries) keepNewest(latest, entry.taskId, entry);
  return latest;
}

/**
 * The newest entry of each task across notices, by `<documentKey>/<taskId>` (task ids are unique only within a
 * document's room); the entries are returned without their documentKey.
 */
export function latestProgressByDocumentTask(entries: readonly DocumentProgressEntry[]): Map<string, ProgressEntry> {
  const latest = new Map<string, ProgressEntry>();
  for (const { documentKey, ...entry } of entries) keepNewest(latest, `${documentKey}/${entry.taskId}`, entry);
  return latest;
}

/**
 * Tasks (already filtered and sorted) as numbered table rows: unit ids to names, the clause path as printed
 * (二、8.), the latest progress entry dated in the reader's time zone. Deleted tasks are left out.
 */
export function toTaskRows(
  tasks: readonly Task[],
  context: { units: Units; progress?: readonly ProgressEntry[]; timeZone?: string },
): TaskRow[] {
  const latest = latestProgressByTask(context.progress ?? []);
  const timeZone = context.timeZone ?? 'Asia/Shanghai';
  const resolve = unitResolver(context.units);
  return tasks
    .filter((task) => !task.deleted)
    .map((task, i) => {
      const progress = latest.get(task.id);
      const row: TaskRow = {
        no: i + 1,
        clausePath: task.clause.path.join(''),
        task: task.task,
        leadUnits: unitNames(resolve, task.leadUnits),
        units: unitNames(resolve, task.units),
        due: task.due,
        status: task.status,
      };
      if (task.leader) row.leader = task.leader;
      if (task.requirement) row.requirement = task.requirement;
      if (progress)
        row.latestProgress = { at: isoDateIn(progress.at, timeZone), by: progress.by.name, text: progress.text };
      return row;
    });
}
