/**
 * Keeping the team's data caught up: on every start of the worker and on the periodic alarm, after a local
 * change (pushed when its room is not connected), and when the user asks ("Reconnect now"). Room changes and
 * problems arrive here and go on to the pages showing them and to the sync status.
 */
import { parseRoomId } from '../../../shared/model/room.ts';
import { isTeamRoomKey } from '../../../shared/model/team-room.ts';
import { PizhuError } from '../errors.ts';
import type { SyncStatus } from '../messages.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { Realtime } from '../sync/realtime.ts';
import type { RoomChange, RoomProblem } from '../sync/rooms.ts';
import type { SyncStatusTracker } from '../sync/status.ts';
import type { SyncEngine } from '../sync/sync-engine.ts';
import { background } from './background-task.ts';
import type { Membership } from './membership.ts';
import type { PagePorts } from './page-ports.ts';

/** At most one catch-up per this interval on worker start or alarm unless something is waiting to be sent. */
const MIN_CATCH_UP_INTERVAL_MS = 20_000;

export type SyncControlNeeds = {
  db: PizhuDatabase;
  engine: SyncEngine;
  status: SyncStatusTracker;
  realtime: () => Pick<Realtime, 'reconnectNow' | 'isConnected'>;
  pages: () => Pick<PagePorts, 'notify' | 'notifyAll'>;
  membership: Pick<Membership, 'team'>;
  /** Re-reads the tasks of rooms stored before this browser projected them (tasks.ts). */
  projectStaleRooms: (roomIds: readonly string[]) => Promise<void>;
  now: () => number;
};

export class SyncControl {
  constructor(private readonly needs: SyncControlNeeds) {}

  /** Called whenever the service worker starts: restore the status and catch up if due. */
  async start(): Promise<void> {
    const team = await this.needs.membership.team();
    this.needs.status.setJoined(Boolean(team));
    if (!team) return;
    const state = await this.needs.db.syncState.get(team.teamId);
    this.needs.status.setLastSyncedAt(state?.lastSuccessAt);
    await this.needs.engine.refreshPending(team.teamId);
    await this.catchUpIfDue();
    const stale = await this.needs.db.rooms
      .where('teamId')
      .equals(team.teamId)
      .filter((r) => r.projected !== 1)
      .primaryKeys();
    background(this.needs.projectStaleRooms(stale));
  }

  /** The periodic alarm: catch up unless one ran moments ago with nothing left to send. */
  async catchUpIfDue(): Promise<void> {
    const { db, engine } = this.needs;
    const team = await this.needs.membership.team();
    if (!team) return;
    const state = await db.syncState.get(team.teamId);
    const pending = await db.rooms
      .where('dirty')
      .equals(1)
      .filter((r) => r.teamId === team.teamId)
      .count();
    if (!pending && state?.lastSuccessAt && this.needs.now() - state.lastSuccessAt < MIN_CATCH_UP_INTERVAL_MS) return;
    await engine.tick();
  }

  /** "Reconnect now": every room waiting to reconnect tries at once, and a catch-up runs whatever its backoff. */
  async syncNow(): Promise<SyncStatus> {
    if (!(await this.needs.membership.team())) throw new PizhuError('not_joined');
    this.needs.realtime().reconnectNow();
    await this.needs.engine.syncNow();
    return this.needs.status.get();
  }

  status(): SyncStatus {
    return this.needs.status.get();
  }

  async roomChanged(change: RoomChange): Promise<void> {
    const { status, engine } = this.needs;
    status.storageRecovered();
    // A change of the team's renames may re-map the tags on any open page.
    if (isTeamRoomKey(change.documentKey)) await this.needs.pages().notifyAll();
    else await this.needs.pages().notify(change.documentKey);
    if (change.local) {
      await engine.refreshPending(parseRoomId(change.room)!.teamId);
      if (!this.needs.realtime().isConnected(change.room)) engine.schedulePush();
    }
  }

  roomProblem(problem: RoomProblem): void {
    console.warn(`[pizhu] room ${problem.room}:`, problem.error);
    if (problem.storage) this.needs.status.storageFailed(problem.error);
    else this.needs.status.problem(problem.error);
  }
}
