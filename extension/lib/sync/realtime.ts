/**
 * Realtime for the pages being read: one RoomConnection per open room, shared by every tab showing that page,
 * kept for a grace period after the last tab closes (a reload should not drop presence), with colleagues'
 * presence (awareness) turned into a list of peers. Rooms stay open (leased) while connected. The team room
 * (tag renames, units) is connected while any page of its team is: a colleague's rename shows at once.
 */
import { authorColor } from '../author-colors.ts';
import { parseRoomId } from '../../../shared/model/room.ts';
import { isTeamRoomKey, teamRoomIdFor } from '../../../shared/model/team-room.ts';
import type { Peer } from '../messages.ts';
import type { TeamRow } from '../store/schema.ts';
import { ApiClient } from './api-client.ts';
import { RoomConnection, type WebSocketFactory } from './connection.ts';
import type { RoomLease, RoomRegistry } from './rooms.ts';
import type { SyncStatusTracker } from './status.ts';

const DISCONNECT_GRACE_MS = 15_000;

/** What the rest of the background hears from the connections. */
export type RealtimeHooks = {
  /** Who else is reading the page of a room changed. */
  presence(roomId: string, peers: Peer[]): void;
  /** A room's connection synced with the server: the server is reachable (again). */
  online(roomId: string): void;
};

type Live = { connection: RoomConnection; lease: RoomLease; users: number; timer?: ReturnType<typeof setTimeout> };

export class Realtime {
  private readonly live = new Map<string, Live>();
  private readonly opening = new Map<string, Promise<Live>>();

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly status: SyncStatusTracker,
    private readonly hooks: RealtimeHooks,
    private readonly WebSocketImpl?: WebSocketFactory,
    private readonly graceMs = DISCONNECT_GRACE_MS,
  ) {}

  /** A page of this room opened: connect (or keep the connection). */
  async open(team: TeamRow, roomId: string): Promise<void> {
    let live = this.live.get(roomId);
    if (!live) {
      let opening = this.opening.get(roomId);
      if (!opening) {
        opening = this.connect(team, roomId).finally(() => this.opening.delete(roomId));
        this.opening.set(roomId, opening);
      }
      live = await opening;
    }
    live.users++;
    if (live.timer) clearTimeout(live.timer);
    live.timer = undefined;
    const teamRoom = teamRoomOf(roomId);
    if (teamRoom) await this.open(team, teamRoom);
  }

  /** A page of this room closed: disconnect after the grace period if no other page uses it. */
  close(roomId: string): void {
    this.release(roomId);
    const teamRoom = teamRoomOf(roomId);
    if (teamRoom) this.release(teamRoom);
  }

  private release(roomId: string): void {
    const live = this.live.get(roomId);
    if (!live || live.users === 0 || --live.users > 0) return;
    if (live.timer) clearTimeout(live.timer);
    live.timer = setTimeout(() => this.drop(roomId), this.graceMs);
  }

  peers(roomId: string): Peer[] {
    const live = this.live.get(roomId);
    return live ? peersOf(live.connection) : [];
  }

  isConnected(roomId: string): boolean {
    return this.live.get(roomId)?.connection.isSynced ?? false;
  }

  /** Every connection waiting to retry tries now (the user asked, the network came back). */
  reconnectNow(): void {
    for (const live of this.live.values()) live.connection.reconnectNow();
  }

  /** Disconnects everything now (leaving a team, a changed token). */
  closeAll(): void {
    for (const roomId of [...this.live.keys()]) this.drop(roomId);
  }

  get openRooms(): string[] {
    return [...this.live.keys()];
  }

  private async connect(team: TeamRow, roomId: string): Promise<Live> {
    const lease = await this.rooms.acquire(roomId);
    const connection = new RoomConnection(
      roomId,
      lease.room.doc,
      new ApiClient(team.serverUrl, team.token),
      (state, error) => {
        this.status.connection(roomId, state, error);
        if (state === 'online') this.hooks.online(roomId);
      },
      this.WebSocketImpl,
    );
    connection.awareness.setLocalStateField('user', {
      id: team.memberId,
      name: team.displayName,
      color: authorColor(team.memberId),
    });
    connection.awareness.on('change', () => this.hooks.presence(roomId, peersOf(connection)));
    const live: Live = { connection, lease, users: 0 };
    this.live.set(roomId, live);
    connection.connect();
    return live;
  }

  private drop(roomId: string): void {
    const live = this.live.get(roomId);
    if (!live) return;
    if (live.timer) clearTimeout(live.timer);
    this.live.delete(roomId);
    live.connection.close();
    live.lease.release();
    this.status.connectionClosed(roomId);
  }
}

/** The team room a page room's team keeps connected with it; null for the team room itself. */
function teamRoomOf(roomId: string): string | null {
  const parsed = parseRoomId(roomId);
  return parsed && !isTeamRoomKey(parsed.documentKey) ? teamRoomIdFor(parsed.teamId) : null;
}

function peersOf(connection: RoomConnection): Peer[] {
  const peers: Peer[] = [];
  for (const [clientId, state] of connection.awareness.getStates()) {
    const user = (state as { user?: { id?: unknown; name?: unknown; color?: unknown } }).user;
    if (clientId === connection.awareness.clientID || typeof user?.name !== 'string') continue;
    peers.push({
      id: typeof user.id === 'string' ? user.id.slice(0, 64) : String(clientId),
      name: user.name.slice(0, 100),
      color: typeof user.color === 'string' && /^#[0-9a-f]{3,8}$/i.test(user.color) ? user.color : undefined,
    });
  }
  return peers;
}
