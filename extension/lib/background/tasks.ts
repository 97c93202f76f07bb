/**
 * Tasks on clauses and their progress, as the background writes them: into the notice's room (`tasks`,
 * `progress`), whose projection (sync/tasks-projection.ts) is the only path into the store, for local edits and
 * colleagues' alike. The units they name are the team's vocabulary (team-vocabulary.ts, the team room `units`). Like team annotations they work offline (the rooms keep the
 * changes and the catch-up sends them when the server is back). The server checks the same rules again.
 *
 * Who may do what: editors and owners create and edit tasks; they and members of a task's units (the unit the
 * owner gave them, viewers included) add progress. Everybody in the team reads.
 */
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import { safeHttpUrl } from '../../../shared/briefing/escape.ts';
import { roomIdFor, writeDocumentInfo } from '../../../shared/model/room.ts';
import {
  activeUnits,
  carriedFromKey,
  carriedTaskSources,
  carryTask,
  type DueDate,
  parseProgressEntry,
  parseTaskRecord,
  type ProgressEntry,
  readRoomTasks,
  readTask,
  resolveUnit,
  type Task,
  type TaskRecord,
  type Units,
  unitNames,
  TASK_LIMITS,
  validUnitName,
  writeProgress,
  writeTask,
} from '../../../shared/tasks/index.ts';
import type { CarryResult } from '../compare-messages.ts';
import type { HandlersOf } from '../contract.ts';
import type { TeamRow } from '../store/schema.ts';
import { errorInfo, PizhuError } from '../errors.ts';
import { noticeYear } from '../task-input.ts';
import type { TASK_REQUESTS, TaskCarry, TaskContext, TaskDraft, TaskPatch } from '../tasks-messages.ts';
import { ApiClient } from '../sync/api-client.ts';
import { type RoomRegistry, sharedDocumentFields } from '../sync/rooms.ts';
import type { TeamVocabulary } from './team-vocabulary.ts';

/** How often the member's role and unit are read again from the server (when a task form asks). */
const MEMBERSHIP_REFRESH_MS = 60_000;

export type TaskServiceDeps = {
  rooms: RoomRegistry;
  /** The team's units: read, and added when a task names one the team lacks. */
  vocabulary: TeamVocabulary;
  team: () => Promise<TeamRow | undefined>;
  /** Saves the team row (a refreshed role or unit). */
  saveTeam: (team: TeamRow) => Promise<void>;
  /** Stores what a page says about itself (as for annotations). */
  rememberDocument: (document: DocumentInfo) => Promise<unknown>;
  /** A document the store holds (a new version tasks are carried to); refused as unknown otherwise. */
  storedDocument: (documentKey: string) => Promise<DocumentInfo>;
  now: () => number;
  randomId: () => string;
  apiFor?: (team: TeamRow) => ApiClient;
};

export class TaskService {
  private membershipReadAt = 0;

  constructor(private readonly deps: TaskServiceDeps) {}

  async context(): Promise<TaskContext> {
    let team = await this.deps.team();
    if (!team) return { joined: false, role: null, memberId: null, unit: null, canCreate: false, units: [] };
    team = await this.refreshMembership(team);
    const units = await this.deps.vocabulary.units(team);
    return {
      joined: true,
      role: team.role,
      memberId: team.memberId,
      unit: team.unit ?? null,
      canCreate: team.role !== 'viewer',
      units: activeUnits(units),
    };
  }

  /** Creates a task per draft in the notice's room; the drafts' unit names become the team's units. */
  async create(document: DocumentInfo, drafts: readonly TaskDraft[]): Promise<string[]> {
    const team = await this.editor();
    const now = this.deps.now();
    const author = { id: team.memberId, name: team.displayName };
    const names = drafts.flatMap((draft) => [...(draft.leadUnits ?? []), ...(draft.units ?? [])]);
    const resolve = await this.unitResolver(team, names);
    const records = drafts.map((draft) =>
      checked({
        id: this.deps.randomId(),
        clause: draft.clause,
        task: draft.task,
        leadUnits: resolve(draft.leadUnits ?? []),
        units: resolve(draft.units ?? []),
        leader: draft.leader,
        due: dueOf(draft.due),
        requirement: draft.requirement,
        status: draft.status ?? 'todo',
        createdBy: author,
        createdAt: now,
        updatedBy: author,
        updatedAt: now,
      }),
    );
    await this.deps.rememberDocument(document);
    await this.deps.rooms.use(roomIdFor(team.teamId, document.key), (room) =>
      room.edit((doc) => writeTasks(doc, document, records)),
    );
    return records.map((record) => record.id);
  }

  /**
   * Carries tasks of earlier versions over to a notice (the comparison page's "沿用到新版"): each becomes a new
   * task on its paired clause, linked to the one it came from (shared/tasks carryTask says what is kept and what
   * starts again). A task a live task of the notice was already carried from is skipped, so "carry all" twice
   * adds nothing; the check and the writing happen in the notice's room, together.
   */
  async carry(documentKey: string, items: readonly TaskCarry[]): Promise<CarryResult<TaskRecord>> {
    const team = await this.editor();
    const document = await this.deps.storedDocument(documentKey);
    const sources = await this.sourceTasks(team, items);
    const by = { id: team.memberId, name: team.displayName };
    const at = this.deps.now();
    const year = noticeYear(document);
    const result: CarryResult<TaskRecord> = { carried: [], skipped: [], failed: [] };
    await this.deps.rooms.use(roomIdFor(team.teamId, documentKey), async (room) => {
      const carried = carriedTaskSources(readRoomTasks(room.doc, documentKey).tasks);
      for (const item of items) {
        const key = carriedFromKey(item.from);
        try {
          const source = sources.get(key);
          if (!source || source.deleted) throw new PizhuError('carry_source_missing');
          if (item.from.documentKey === documentKey) throw new PizhuError('carry_same_document');
          if (carried.has(key)) {
            result.skipped.push(item.from.id);
            continue;
          }
          const target = { id: this.deps.randomId(), clause: item.clause, by, at, year };
          result.carried.push(checked(carryTask(source, item.from.documentKey, target)));
          carried.add(key);
        } catch (error) {
          result.failed.push({ id: item.from.id, error: errorInfo(error) });
        }
      }
      if (result.carried.length) await room.edit((doc) => writeTasks(doc, document, result.carried));
    });
    return result;
  }

  /** The tasks carried from, as their rooms hold them now, by carriedFromKey (a task not there is left out). */
  private async sourceTasks(team: TeamRow, items: readonly TaskCarry[]): Promise<Map<string, Task>> {
    const byDocument = new Map<string, Set<string>>();
    for (const { from } of items) {
      byDocument.set(from.documentKey, (byDocument.get(from.documentKey) ?? new Set()).add(from.id));
    }
    const sources = new Map<string, Task>();
    for (const [documentKey, ids] of byDocument) {
      await this.deps.rooms.use(roomIdFor(team.teamId, documentKey), async (room) => {
        for (const id of ids) {
          const read = readTask(room.doc, documentKey, id);
          if (read?.ok) sources.set(carriedFromKey({ id, documentKey }), read.value);
        }
      });
    }
    return sources;
  }

  /** Changes a task as it is in its room now (a colleague's edit that just arrived is the base). */
  async update(documentKey: string, id: string, patch: TaskPatch): Promise<TaskRecord> {
    const team = await this.editor();
    const now = this.deps.now();
    const names = [...(patch.leadUnits ?? []), ...(patch.units ?? [])];
    const resolve = await this.unitResolver(team, names);
    return this.deps.rooms.use(roomIdFor(team.teamId, documentKey), async (room) => {
      const current = readTask(room.doc, documentKey, id);
      if (!current?.ok) throw new PizhuError('task_missing');
      const { documentKey: _key, ...latest } = current.value;
      const next = checked({
        ...latest,
        ...(patch.task !== undefined ? { task: patch.task } : {}),
        ...(patch.leadUnits !== undefined ? { leadUnits: resolve(patch.leadUnits) } : {}),
        ...(patch.units !== undefined ? { units: resolve(patch.units) } : {}),
        ...(patch.leader !== undefined ? { leader: patch.leader } : {}),
        ...(patch.due !== undefined ? { due: dueOf(patch.due) } : {}),
        ...(patch.requirement !== undefined ? { requirement: patch.requirement } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.deleted !== undefined ? { deleted: patch.deleted } : {}),
        updatedBy: { id: team.memberId, name: team.displayName },
        updatedAt: Math.max(now, latest.updatedAt + 1),
      });
      await room.edit((doc) => writeTask(doc, next));
      return next;
    });
  }

  /** Adds a dated progress entry (落实情况) by this member to a task. */
  async addProgress(documentKey: string, taskId: string, text: string, link?: string): Promise<ProgressEntry> {
    const team = await this.deps.team();
    if (!team) throw new PizhuError('task_not_joined');
    if (link?.trim() && !safeHttpUrl(link.trim())) throw new PizhuError('progress_link');
    const entry = parseProgressEntry({
      id: this.deps.randomId(),
      taskId,
      text,
      ...(link?.trim() ? { link: link.trim() } : {}),
      at: this.deps.now(),
      by: { id: team.memberId, name: team.displayName },
    });
    if (!entry.ok) throw new PizhuError('invalid_input', { detail: entry.error }, entry.error);
    const units = team.role === 'viewer' ? await this.deps.vocabulary.units(team) : {};
    return this.deps.rooms.use(roomIdFor(team.teamId, documentKey), async (room) => {
      const task = readTask(room.doc, documentKey, taskId);
      if (!task?.ok) throw new PizhuError('task_missing');
      if (team.role === 'viewer' && !inUnits(units, team.unit?.id, [...task.value.leadUnits, ...task.value.units])) {
        const names = unitNames(units, [...task.value.leadUnits, ...task.value.units]).join('、');
        throw new PizhuError('task_not_your_unit', { units: names || '—' });
      }
      await room.edit((doc) => writeProgress(doc, entry.value));
      return entry.value;
    });
  }

  /**
   * Opens, once, every room of the team not yet read into the store (after the upgrade to schema version 6, rooms
   * synced before may hold tasks); each is read as it loads. In sequence, so memory stays flat.
   */
  async projectStaleRooms(rooms: readonly string[]): Promise<void> {
    for (const room of rooms) await this.deps.rooms.use(room, async () => undefined);
  }

  private async editor(): Promise<TeamRow> {
    const team = await this.deps.team();
    if (!team) throw new PizhuError('task_not_joined');
    if (team.role === 'viewer') throw new PizhuError('task_viewer', { team: team.teamName });
    return team;
  }

  /** Resolves unit names to ids, adding the units the team has not named yet to the team room first. */
  private async unitResolver(team: TeamRow, names: readonly string[]) {
    const tooLong = names.find((name) => name.trim() && !validUnitName(name));
    if (tooLong !== undefined) {
      throw new PizhuError('unit_name_too_long', { name: tooLong.trim().slice(0, 40), max: TASK_LIMITS.unitNameChars });
    }
    const ids = await this.deps.vocabulary.unitIdsFor(team, names);
    return (list: readonly string[]) => [...new Set(list.flatMap((name) => ids.get(name) ?? []))];
  }

  /** The member's role and unit as the server has them now (at most once a minute; offline: as last known). */
  private async refreshMembership(team: TeamRow): Promise<TeamRow> {
    if (this.deps.now() - this.membershipReadAt < MEMBERSHIP_REFRESH_MS) return team;
    this.membershipReadAt = this.deps.now();
    try {
      const me = await (this.deps.apiFor ?? ((t: TeamRow) => new ApiClient(t.serverUrl, t.token)))(team).me();
      if (me.memberId !== team.memberId) return team;
      const next: TeamRow = { ...team, role: me.role, unit: me.unit ?? null };
      if (next.role !== team.role || JSON.stringify(next.unit) !== JSON.stringify(team.unit)) {
        await this.deps.saveTeam(next);
      }
      return next;
    } catch {
      return team;
    }
  }
}

/** Whether a member's unit is one of these (after merges). */
function inUnits(units: Units, own: string | undefined, ids: readonly string[]): boolean {
  if (!own) return false;
  const target = (id: string) => resolveUnit(units, id)?.id ?? id;
  const mine = target(own);
  return ids.some((id) => target(id) === mine);
}

/** Writes tasks into a notice's room, with what the notice says about itself. */
function writeTasks(
  doc: Parameters<typeof writeTask>[0],
  document: DocumentInfo,
  records: readonly TaskRecord[],
): void {
  writeDocumentInfo(doc, sharedDocumentFields(document));
  for (const record of records) writeTask(doc, record);
}

/** A deadline as the user gave it; an empty phrase is none. */
function dueOf(due: DueDate | null | undefined): DueDate | null {
  return due?.text.trim() ? due : null;
}

function checked(record: unknown): TaskRecord {
  const parsed = parseTaskRecord(record);
  if (!parsed.ok) throw new PizhuError('invalid_input', { detail: parsed.error }, parsed.error);
  return parsed.value;
}

/** The task requests (tasks-messages.ts), a group of the contract answered here; refusals are PizhuErrors. */
export function taskHandlers(service: TaskService): HandlersOf<typeof TASK_REQUESTS> {
  return {
    'tasks.context': () => service.context(),
    'tasks.create': (r) => service.create(r.document, r.drafts),
    'tasks.carry': (r) => service.carry(r.documentKey, r.items),
    'task.update': (r) => service.update(r.documentKey, r.id, r.patch),
    'task.progress': (r) => service.addProgress(r.documentKey, r.taskId, r.text, r.link),
  };
}
