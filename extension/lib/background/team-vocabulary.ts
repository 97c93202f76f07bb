/**
 * The background's side of the team's vocabulary: renaming and merging tags, and keeping the team's units,
 * written into the team room `<teamId>._team` as the member who asks (editors and owners; viewers read). Each
 * change is planned from the room as it is now (a colleague's rename that arrived a moment ago is the base) and
 * written in one transaction, which the room commits with its projection into the store (sync/team-room.ts),
 * then syncs like any edit. Nobody's annotations are rewritten: readers map tags through the renames. Task forms
 * name units by name: `unitIdsFor` finds them (renames and merges followed) and adds the ones the team lacks.
 */
import { type TagRenamePlan, planTagRename } from '../../../shared/model/tag-renames.ts';
import {
  readTagRenames,
  readUnits,
  tagRenamesMap,
  teamRoomIdFor,
  unitsMap,
  writeTeamEntries,
} from '../../../shared/model/team-room.ts';
import {
  addUnit,
  deleteUnit,
  mergeUnits,
  renameUnit,
  resolveUnit,
  type Unit,
  type UnitChange,
  type Units,
} from '../../../shared/tasks/model.ts';
import { unitIdsForNames } from '../../../shared/tasks/room.ts';
import { PizhuError } from '../errors.ts';
import type { TagRenameResult, UnitRequest, UnitResult } from '../messages.ts';
import type { TeamRow } from '../store/schema.ts';
import type { RoomRegistry } from '../sync/rooms.ts';

export class TeamVocabulary {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly now: () => number,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /** Every tag in `from` reads as `to` for the whole team, including uses that arrive later. */
  renameTags(team: TeamRow, from: readonly string[], to: string): Promise<TagRenameResult> {
    refuseViewer(team);
    return this.rooms.use(teamRoomIdFor(team.teamId), async (room) => {
      let plan: TagRenamePlan | null = null;
      await room.edit((doc) => {
        plan = planTagRename(readTagRenames(doc), from, to, { by: team.memberId, at: this.now() });
        writeTeamEntries(
          tagRenamesMap(doc),
          new Map<string, unknown>([...plan.remove.map((k) => [k, undefined] as const), ...plan.set]),
        );
      });
      const done = plan as TagRenamePlan | null;
      return { renamed: done?.renamed ?? [], to: done?.target ?? to };
    });
  }

  /** The team's units as its team room holds them here: every record, merged and deleted ones too. */
  units(team: TeamRow): Promise<Units> {
    return this.rooms.use(teamRoomIdFor(team.teamId), async (room) => readUnits(room.doc));
  }

  /**
   * The unit id each typed name stands for (a current or former name, a unit merged away: its survivor), adding
   * the names the team has not used yet as units, in one transaction. Throws a ValidationError for a name too long.
   */
  unitIdsFor(team: TeamRow, names: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(names)].filter((name) => name.trim());
    if (!wanted.length) return Promise.resolve(new Map());
    refuseViewer(team);
    return this.rooms.use(teamRoomIdFor(team.teamId), async (room) => {
      const ids = new Map<string, string>();
      await room.edit((doc) => {
        let known: Units = readUnits(doc);
        const patch: Record<string, Unit> = {};
        for (const name of wanted) {
          const resolved = unitIdsForNames(known, [name], { by: team.memberId, at: this.now() }, this.newId);
          if (resolved.ids[0]) ids.set(name, resolved.ids[0]);
          Object.assign(patch, resolved.patch);
          known = { ...known, ...resolved.patch };
        }
        writeTeamEntries(unitsMap(doc), new Map(Object.entries(patch)));
      });
      return ids;
    });
  }

  /** Adds, renames, merges or deletes units; a refusal changes nothing. */
  changeUnits(team: TeamRow, request: UnitRequest): Promise<UnitResult> {
    refuseViewer(team);
    return this.rooms.use(teamRoomIdFor(team.teamId), async (room) => {
      let result: UnitResult = { ok: false, error: 'unknown-unit' };
      await room.edit((doc) => {
        const change = this.plan(readUnits(doc), request, { by: team.memberId, at: this.now() });
        result = change.ok ? { ok: true, id: change.id } : { ok: false, error: change.error };
        if (change.ok) writeTeamEntries(unitsMap(doc), new Map(Object.entries(change.patch)));
      });
      return result;
    });
  }

  private plan(units: Units, request: UnitRequest, stamp: { by: string; at: number }): UnitChange {
    switch (request.action) {
      case 'add':
        return addUnit(units, { id: this.newId(), name: request.name, ...stamp });
      case 'rename':
        return renameUnit(units, request.id, request.name, stamp);
      case 'delete':
        return deleteUnit(units, request.id, stamp);
      case 'merge': {
        // Several units into one, all or nothing; one that already reads as the target is left as it is.
        let merged: Units = units;
        const patch: Record<string, Unit> = {};
        for (const id of request.from) {
          const change = mergeUnits(merged, id, request.into, stamp);
          if (!change.ok && change.error === 'same-unit') continue;
          if (!change.ok) return change;
          Object.assign(patch, change.patch);
          merged = { ...merged, ...change.patch };
        }
        const into = resolveUnit(merged, request.into);
        return into ? { ok: true, id: into.id, patch } : { ok: false, error: 'unknown-unit' };
      }
    }
  }
}

function refuseViewer(team: TeamRow): void {
  if (team.role === 'viewer') {
    throw new PizhuError('viewer_cannot_edit_vocabulary', { team: team.teamName });
  }
}
