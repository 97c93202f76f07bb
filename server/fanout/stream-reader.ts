/**
 * One Redis connection blocked in `XREAD` over the streams of a bounded set of rooms (server/fanout/redis.ts
 * gives each reader at most `roomsPerReader`). Every wake re-issues the XREAD over all of the reader's rooms, and
 * Redis registers the blocked client on each of their keys again, so one reader over all of an instance's rooms
 * would cost Redis and the instance work in proportion to the rooms held for every update received: at 20,000
 * held rooms and 200 updates/s, a whole core of the instance (bench/README.md, "Rooms held by one instance").
 * Bounded readers keep that work per update constant.
 *
 * A room joins with a backlog start (see BACKLOG_MS in redis.ts) and is read from there; changing the room set
 * interrupts the blocked XREAD (CLIENT UNBLOCK, sent on another connection) so the new set is read at once.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';
import type { FanoutSubscriber } from './types.ts';

/** Entries a reader takes per room in one read. */
const READ_COUNT = 256;
/** The reader blocks this long when nothing arrives, then reads again (and notices closing). */
const BLOCK_MS = 5_000;
const RETRY_MS = 500;

export type ReaderDeps = {
  url: string;
  connection: RedisOptions;
  /** The stream key of a room. */
  streamKey(roomId: string): string;
  /** Sends CLIENT UNBLOCK for a reader's connection (on a connection that is not blocked). */
  unblock(clientId: number): Promise<number>;
  /** Entries read from a room's stream, in order. */
  deliver(roomId: string, subscriber: FanoutSubscriber, entries: [Buffer, Buffer[]][]): void;
  log: Logger;
};

type Subscription = { subscriber: FanoutSubscriber; lastId: string };

export class StreamReader {
  private readonly redis: Redis;
  private readonly rooms = new Map<string, Subscription>();
  private clientId: number | null = null;
  private reading: Promise<void> | null = null;
  private wakeReader: (() => void) | null = null;
  private unblockQueued = false;
  /** Changes of the room set, and the change the XREAD in flight (if any) was issued with. */
  private generation = 0;
  private readingGeneration: number | null = null;
  private closed = false;
  /** Length of the stream keys' common prefix: the room id follows it. */
  private readonly keyPrefixLength: number;

  constructor(
    private readonly deps: ReaderDeps,
    name: string,
  ) {
    this.redis = new Redis(deps.url, { ...deps.connection, connectionName: name });
    this.keyPrefixLength = deps.streamKey('').length;
    // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
    this.redis.on('error', (error) => deps.log.error('fanout', 'Redis connection', error));
    // After a reconnect the reader is another Redis client: CLIENT UNBLOCK needs its new id. Rooms added while
    // there was none are read at once rather than after a whole block.
    this.redis.on('ready', () => {
      this.redis
        .client('ID')
        .then((id) => {
          this.clientId = id;
          return this.unblockStaleRead();
        })
        .catch(() => {});
    });
  }

  /** Connects (throws when Redis cannot be reached) and starts reading. */
  async start(): Promise<void> {
    if (this.redis.status === 'wait') await this.redis.connect();
    this.clientId = await this.redis.client('ID');
    this.reading = this.readLoop();
  }

  /** Starts without waiting for the connection (Redis may be down; ioredis connects when it can). */
  startInBackground(): void {
    if (this.redis.status === 'wait') this.redis.connect().catch(() => {});
    this.reading = this.readLoop();
  }

  get size(): number {
    return this.rooms.size;
  }

  subscriberOf(roomId: string): FanoutSubscriber | undefined {
    return this.rooms.get(roomId)?.subscriber;
  }

  /** Reads the room from `fromId` on; a room already read keeps its place and takes the new subscriber. */
  add(roomId: string, subscriber: FanoutSubscriber, fromId: string): void {
    const known = this.rooms.get(roomId);
    this.rooms.set(roomId, { subscriber, lastId: known?.lastId ?? fromId });
    if (!known) this.readAgain();
  }

  remove(roomId: string): void {
    if (this.rooms.delete(roomId)) this.readAgain();
  }

  /** Cuts the blocked read; resolves once the loop has ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rooms.clear();
    this.wakeReader?.();
    this.redis.disconnect();
    await this.reading?.catch(() => {});
  }

  /** The set of rooms changed: the blocked XREAD is interrupted (once per turn) to read the new set. */
  private readAgain(): void {
    this.generation++;
    if (this.wakeReader) {
      this.wakeReader();
      return;
    }
    if (this.unblockQueued) return;
    this.unblockQueued = true;
    queueMicrotask(() => {
      this.unblockQueued = false;
      void this.unblockStaleRead();
    });
  }

  /**
   * Interrupts an XREAD issued with an older room set. The UNBLOCK may reach Redis before the XREAD does (two
   * connections): then nothing was blocked yet, and it is tried again shortly.
   */
  private async unblockStaleRead(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (this.closed || this.readingGeneration === null || this.readingGeneration === this.generation) return;
      if (this.clientId === null) return;
      const unblocked = await this.deps.unblock(this.clientId).catch(() => 0);
      if (unblocked === 1) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      if (this.rooms.size === 0) {
        await new Promise<void>((resolve) => (this.wakeReader = resolve));
        this.wakeReader = null;
        continue;
      }
      const roomIds = [...this.rooms.keys()];
      const ids = roomIds.map((roomId) => this.rooms.get(roomId)!.lastId);
      let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
      this.readingGeneration = this.generation;
      try {
        reply = (await this.redis.xreadBuffer(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...roomIds.map((roomId) => this.deps.streamKey(roomId)),
          ...ids,
        )) as [Buffer, [Buffer, Buffer[]][]][] | null;
      } catch (error) {
        if (this.closed) return;
        this.deps.log.error('fanout', 'reading the room streams', error);
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      } finally {
        this.readingGeneration = null;
      }
      for (const [key, entries] of reply ?? []) {
        const roomId = key.toString().slice(this.keyPrefixLength);
        const subscription = this.rooms.get(roomId);
        const last = entries.at(-1);
        if (!subscription || !last) continue;
        subscription.lastId = last[0].toString();
        this.deps.deliver(roomId, subscription.subscriber, entries);
      }
    }
  }
}
