/**
 * The rooms in memory: each loaded once (concurrent requests share one load), unloaded after a while without
 * sockets or requests, and dropped without storing anything when its load or its storage failed. It keeps the
 * number of rooms in memory within the server's and each team's limit, and releases idle documents when memory
 * is short.
 */
import { parseRoomId } from '../../shared/model/index.ts';
import type { MemoryBudget } from '../guard/memory-budget.ts';
import type { Refusals } from '../guard/refusals.ts';
import type { Logger } from '../log.ts';
import { Room, type RoomDeps } from './room.ts';

/** A document written to this recently is not released to make room for others. */
const RECENT_WRITE_MS = 2_000;

export class RoomUnavailableError extends Error {
  override name = 'RoomUnavailableError';
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly perTeam = new Map<string, number>();
  private releasing: Promise<void> | null = null;
  /** The change cursor through which `checkHeads` has compared the stored rooms with the loaded ones. */
  private headsCheckedThrough: number | null = null;
  /** The check running, if one is: a slow database must not stack a check on it every second. */
  private checkingHeads: Promise<void> | null = null;
  private closed = false;
  /** One object shared by every room. */
  private readonly deps: RoomDeps;

  constructor(
    deps: Omit<RoomDeps, 'onFailed'>,
    private readonly log: Logger,
    private readonly memory: MemoryBudget,
    private readonly refusals: Refusals,
  ) {
    this.deps = { ...deps, onFailed: (failed) => this.drop(failed) };
  }

  get loadedCount(): number {
    return this.rooms.size;
  }

  get materialisedCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) if (room.isMaterialised) n++;
    return n;
  }

  loaded(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  /** The room, loaded if needed and held until `release`. Throws RoomUnavailableError. */
  async acquire(roomId: string): Promise<Room> {
    if (this.closed) throw new RoomUnavailableError('the server is shutting down');
    const unloading = this.unloading.get(roomId);
    if (unloading) await unloading;
    let room = this.rooms.get(roomId);
    if (!room) {
      let load = this.loading.get(roomId);
      if (!load) {
        load = this.load(roomId);
        this.loading.set(roomId, load);
      }
      room = await load;
    }
    room.hold();
    return room;
  }

  release(room: Room): void {
    room.release();
  }

  private async load(roomId: string): Promise<Room> {
    const teamId = parseRoomId(roomId)?.teamId ?? '';
    const { maxLoadedRooms, maxRoomsPerTeam } = this.deps.config.limits;
    try {
      if (this.rooms.size >= maxLoadedRooms) await this.unloadIdle(0);
      if (this.rooms.size >= maxLoadedRooms) {
        throw new RoomUnavailableError('too many rooms are open; try again later');
      }
      if (this.teamCount(teamId) >= maxRoomsPerTeam) await this.unloadIdle(0, teamId);
      if (this.teamCount(teamId) >= maxRoomsPerTeam) {
        this.refusals.note('team_limit', `room ${roomId} not loaded: team ${teamId} has ${maxRoomsPerTeam} rooms open`);
        throw new RoomUnavailableError('your team has too many rooms open; try again later');
      }
      if (this.memory.overCeiling()) {
        this.releaseIdleDocuments();
        this.refusals.note('memory', `room ${roomId} not loaded: the server is over its memory ceiling`);
        throw new RoomUnavailableError('the server is busy; try again later');
      }
      // Before the first load: a change landing between this load and the first check is still compared.
      this.headsCheckedThrough ??= await this.deps.store.currentCursor();
      const room = await Room.load(roomId, this.deps);
      if (this.closed) {
        await room.close();
        throw new RoomUnavailableError('the server is shutting down');
      }
      this.rooms.set(roomId, room);
      this.perTeam.set(room.teamId, this.teamCount(room.teamId) + 1);
      return room;
    } catch (error) {
      if (error instanceof RoomUnavailableError) throw error;
      this.deps.metrics.refuseRoomRead();
      // Nothing was created for this room, so nothing can be written over its stored data.
      this.log.error('room-load', `room ${roomId} could not be loaded`, error);
      throw new RoomUnavailableError('the room could not be loaded');
    } finally {
      this.loading.delete(roomId);
    }
  }

  private teamCount(teamId: string): number {
    return this.perTeam.get(teamId) ?? 0;
  }

  private forget(room: Room): void {
    this.rooms.delete(room.id);
    const left = this.teamCount(room.teamId) - 1;
    if (left > 0) this.perTeam.set(room.teamId, left);
    else this.perTeam.delete(room.teamId);
  }

  /** A room whose storage failed: forget it without compacting or storing anything. */
  private drop(room: Room): void {
    if (this.rooms.get(room.id) === room) this.forget(room);
    room.close().catch(() => {});
  }

  private unload(room: Room): Promise<void> {
    if (this.rooms.get(room.id) !== room) return Promise.resolve();
    this.forget(room);
    const done = room
      .close()
      .catch((error) => this.log.error('room-unload', `room ${room.id}`, error))
      .finally(() => this.unloading.delete(room.id));
    this.unloading.set(room.id, done);
    return done;
  }

  /** Unloads rooms unused for `idleMs` (of one team, or all); returns how many. */
  async unloadIdle(idleMs: number, teamId?: string): Promise<number> {
    const now = Date.now();
    const idle = [...this.rooms.values()].filter(
      (room) => !room.inUse && now - room.lastActiveAt >= idleMs && (teamId === undefined || room.teamId === teamId),
    );
    await Promise.all(idle.map((room) => this.unload(room)));
    return idle.length;
  }

  /** Housekeeping: unload idle rooms, drop idle documents, expire presence. */
  async sweep(): Promise<void> {
    const { roomIdleMs, docIdleMs, presenceTimeoutMs } = this.deps.config.timings;
    await this.unloadIdle(roomIdleMs);
    const now = Date.now();
    for (const room of this.rooms.values()) {
      room.sweepPresence(presenceTimeoutMs);
      if (room.isMaterialised && now - Math.max(room.lastWriteAt, 0) >= docIdleMs) {
        await room.dematerialise().catch((error) => this.log.error('room-idle', `room ${room.id}`, error));
      }
    }
  }

  /**
   * Several instances: asks the store which rooms changed since the last check (one query per team with rooms
   * here) and lets each loaded one compare with what it holds. A room whose last updates never came through
   * the fan-out (their stream entries were lost, and nothing later revealed the gap) reads them from the store.
   * A call while a check runs joins it rather than starting another.
   */
  checkHeads(): Promise<void> {
    this.checkingHeads ??= this.checkHeadsOnce().finally(() => {
      this.checkingHeads = null;
    });
    return this.checkingHeads;
  }

  private async checkHeadsOnce(): Promise<void> {
    const since = this.headsCheckedThrough;
    if (since === null) return;
    if (this.rooms.size === 0) {
      this.headsCheckedThrough = null; // taken again at the next load
      return;
    }
    const through = await this.deps.store.currentCursor();
    for (const head of await this.deps.store.changedRooms([...this.perTeam.keys()], since)) {
      this.rooms.get(head.roomId)?.storedThrough(head.lastSeq);
    }
    this.headsCheckedThrough = through;
  }

  /**
   * Memory is short: releases the decoded documents not written to lately, least recently written first, until
   * the decoded rooms fit their budget again. Runs once at a time; writes refused meanwhile are retried by their
   * clients.
   */
  releaseIdleDocuments(): void {
    if (this.releasing) return;
    this.releasing = (async () => {
      const now = Date.now();
      const candidates = [...this.rooms.values()]
        .filter((room) => room.isMaterialised && now - room.lastWriteAt >= RECENT_WRITE_MS)
        .sort((a, b) => a.lastWriteAt - b.lastWriteAt);
      for (const room of candidates) {
        if (!this.memory.decodedFull() && !this.memory.overCeiling()) break;
        await room.dematerialise().catch((error) => this.log.error('room-idle', `room ${room.id}`, error));
      }
    })().finally(() => {
      this.releasing = null;
    });
  }

  forEach(visit: (room: Room) => void): void {
    for (const room of this.rooms.values()) visit(room);
  }

  /** Stops everything: rooms finish their appends and compact. Sockets must have been closed before. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loading.values()]);
    await Promise.all([...this.rooms.values()].map((room) => this.unload(room)));
    await Promise.all([...this.unloading.values()]);
  }
}
