/**
 * The team this browser joined and the user's preferences: joining (the server's invite), leaving (the token
 * revoked, the team's data kept or removed, private notes always kept), and the settings the other parts read.
 */
import { stripUndefined } from '../../../shared/model/objects.ts';
import { PizhuError } from '../errors.ts';
import {
  type LeaveSummary,
  type Preferences,
  preferencesSchema,
  type PublicTeam,
  type SettingsView,
} from '../messages.ts';
import type { AnnotationStore } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { TeamRow } from '../store/schema.ts';
import { TaskStore } from '../store/tasks-store.ts';
import { VocabularyStore } from '../store/vocabulary-store.ts';
import { ApiClient, normaliseServerUrl } from '../sync/api-client.ts';
import type { Realtime } from '../sync/realtime.ts';
import type { RoomRegistry } from '../sync/rooms.ts';
import type { SyncStatusTracker } from '../sync/status.ts';
import type { SyncEngine } from '../sync/sync-engine.ts';
import { background } from './background-task.ts';
import type { PagePorts } from './page-ports.ts';

const PREFERENCES_KEY = 'preferences';

export type MembershipNeeds = {
  db: PizhuDatabase;
  store: AnnotationStore;
  rooms: RoomRegistry;
  engine: SyncEngine;
  realtime: Pick<Realtime, 'closeAll'>;
  status: SyncStatusTracker;
  pages: () => Pick<PagePorts, 'connectAll' | 'notifyAll'>;
  now: () => number;
};

export class Membership {
  constructor(private readonly needs: MembershipNeeds) {}

  async team(): Promise<TeamRow | undefined> {
    return this.needs.db.teams.toCollection().first();
  }

  async join(serverUrlInput: string, inviteCode: string, displayName: string): Promise<PublicTeam> {
    const { db, realtime, status, engine } = this.needs;
    const serverUrl = normaliseServerUrl(serverUrlInput);
    if (!inviteCode.trim()) throw new PizhuError('invite_required');
    if (!displayName.trim()) throw new PizhuError('name_required');
    const joined = await new ApiClient(serverUrl).join(inviteCode.trim(), displayName.trim());
    const current = await this.team();
    if (current && current.teamId !== joined.teamId) {
      throw new PizhuError('other_team_joined', { team: current.teamName });
    }
    const row: TeamRow = {
      teamId: joined.teamId,
      teamName: joined.teamName ?? joined.teamId,
      serverUrl,
      memberId: joined.memberId,
      displayName: displayName.trim(),
      role: joined.role,
      token: joined.token,
      joinedAt: this.needs.now(),
    };
    await db.transaction('rw', db.teams, db.settings, async () => {
      await db.teams.clear();
      await db.teams.put(row);
      const preferences = await this.preferences();
      await db.settings.put({ key: PREFERENCES_KEY, value: { ...preferences, displayName: row.displayName } });
    });
    realtime.closeAll();
    status.setJoined(true);
    background(this.needs.pages().connectAll());
    background(engine.syncNow());
    return publicTeam(row);
  }

  /**
   * Leaves the team. The server is asked to revoke this browser's token first (DELETE /api/me/token), so it stops
   * working wherever it may have been copied; an unreachable server does not keep anyone in a team
   * (`tokenRevoked: false` says so). With `removeTeamData` the team's annotations, rooms and sync state are
   * deleted from this browser; refused while changes made here have not reached the server (they would be lost).
   * Without it, everything stays readable here. Own private notes are always kept (detached from the team).
   */
  async leave(removeTeamData: boolean): Promise<LeaveSummary> {
    const { db, store, engine } = this.needs;
    const team = await this.team();
    if (!team) throw new PizhuError('not_joined');
    engine.cancel();
    this.needs.realtime.closeAll();
    await engine.idle();
    if (removeTeamData) {
      await engine.syncNow();
      const unsent = await db.rooms
        .where('dirty')
        .equals(1)
        .filter((r) => r.teamId === team.teamId)
        .count();
      if (unsent) throw new PizhuError('leave_unsent', { pages: unsent });
    }
    const tokenRevoked = await new ApiClient(team.serverUrl, team.token).revokeToken().then(
      () => true,
      (error: unknown) => {
        console.warn('[pizhu] leaving the team: the server did not revoke the token', error);
        return false;
      },
    );
    await this.needs.rooms.closeTeam(team.teamId);
    const teamRows = await db.annotations.where('teamId').equals(team.teamId).toArray();
    const privateRows = teamRows.filter((a) => a.visibility === 'private');
    const teamIds = teamRows.filter((a) => a.visibility !== 'private').map((a) => a.id);
    const vocabulary = new VocabularyStore(db, store);
    const tasks = new TaskStore(db);
    const tables = [
      db.teams,
      db.rooms,
      db.roomUpdates,
      db.syncState,
      db.documents,
      ...vocabulary.tables,
      ...tasks.tables,
    ];
    await db.transaction('rw', tables, async () => {
      await store.put(privateRows.map((a) => ({ ...a, teamId: null })));
      if (removeTeamData) {
        await vocabulary.replace(team.teamId, { tagRenames: new Map(), units: {} });
        await store.remove(teamIds);
        await tasks.clearTeam(team.teamId);
        const roomIds = await db.rooms.where('teamId').equals(team.teamId).primaryKeys();
        await db.roomUpdates.where('room').anyOf(roomIds).delete();
        await db.rooms.bulkDelete(roomIds);
        await db.syncState.delete(team.teamId);
        const stillUsed = new Set(await db.annotations.orderBy('documentKey').uniqueKeys());
        const unused = (await db.documents.toCollection().primaryKeys()).filter((key) => !stillUsed.has(key));
        await db.documents.bulkDelete(unused);
      }
      await db.teams.delete(team.teamId);
    });
    this.needs.status.setJoined(false);
    background(this.needs.pages().notifyAll());
    return { removed: removeTeamData ? teamIds.length : 0, keptPrivate: privateRows.length, tokenRevoked };
  }

  async preferences(): Promise<Preferences> {
    const row = await this.needs.db.settings.get(PREFERENCES_KEY);
    const parsed = preferencesSchema.safeParse(row?.value ?? {});
    if (parsed.success) return parsed.data;
    // Defaults are used until the user saves them again.
    this.needs.status.problem({ code: 'preferences_unreadable' });
    return preferencesSchema.parse({});
  }

  async updatePreferences(patch: Partial<Preferences>): Promise<SettingsView> {
    const { db } = this.needs;
    const next = preferencesSchema.parse({ ...(await this.preferences()), ...stripUndefined(patch) });
    await db.transaction('rw', db.settings, db.teams, async () => {
      await db.settings.put({ key: PREFERENCES_KEY, value: next });
      const team = await this.team();
      if (team && next.displayName && next.displayName !== team.displayName) {
        await db.teams.put({ ...team, displayName: next.displayName });
      }
    });
    return this.settings();
  }

  async settings(): Promise<SettingsView> {
    const team = await this.team();
    return {
      team: team ? publicTeam(team) : null,
      status: this.needs.status.get(),
      preferences: await this.preferences(),
    };
  }

  /** Who writes the user's annotations without a team: this browser's own id, made once. */
  async localAuthorId(): Promise<string> {
    const { db } = this.needs;
    const row = await db.settings.get('localAuthorId');
    if (typeof row?.value === 'string') return row.value;
    const id = crypto.randomUUID();
    await db.settings.put({ key: 'localAuthorId', value: id });
    return id;
  }
}

function publicTeam(team: TeamRow): PublicTeam {
  const { token: _secret, ...visible } = team;
  return visible;
}
