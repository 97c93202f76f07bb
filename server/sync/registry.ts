/**
 * The rooms in memory: each loaded once (concurrent requests share one load), unloaded after a while without
 * sockets or requests, and dropped without storing anything when its load or its storage failed.
 */
import type { Logger } from '../log.ts';
import { Room, type RoomDeps } from './room.ts';

export class RoomUnavailableError extends Error {
  override name = 'RoomUnavailableError';
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private closed = false;
  /** One object shared by every room. */
  private readonly deps: RoomDeps;

  constructor(
    deps: Omit<RoomDeps, 'onFailed'>,
    private readonly log: Logger,
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
    try {
      if (this.rooms.size >= this.deps.config.limits.maxLoadedRooms) await this.unloadIdle(0);
      if (this.rooms.size >= this.deps.config.limits.maxLoadedRooms) {
        throw new RoomUnavailableError('too many rooms are open; try again later');
      }
      const room = await Room.load(roomId, this.deps);
      if (this.closed) {
        await room.close();
        throw new RoomUnavailableError('the server is shutting down');
      }
      this.rooms.set(roomId, room);
      return room;
    } catch (error) {
      if (error instanceof RoomUnavailableError) throw error;
      this.deps.metrics.roomReadsRefused++;
      // Nothing was created for this room, so nothing can be written over its stored data.
      this.log.error('room-load', `room ${roomId} could not be loaded`, error);
      throw new RoomUnavailableError('the room could not be loaded');
    } finally {
      this.loading.delete(roomId);
    }
  }

  /** A room whose storage failed: forget it without compacting or storing anything. */
  private drop(room: Room): void {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    room.close().catch(() => {});
  }

  private unload(room: Room): Promise<void> {
    if (this.rooms.get(room.id) !== room) return Promise.resolve();
    this.rooms.delete(room.id);
    const done = room
      .close()
      .catch((error) => this.log.error('room-unload', `room ${room.id}`, error))
      .finally(() => this.unloading.delete(room.id));
    this.unloading.set(room.id, done);
    return done;
  }

  /** Unloads rooms unused for `idleMs`; returns how many. */
  async unloadIdle(idleMs: number): Promise<number> {
    const now = Date.now();
    const idle = [...this.rooms.values()].filter((room) => !room.inUse && now - room.lastActiveAt >= idleMs);
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
