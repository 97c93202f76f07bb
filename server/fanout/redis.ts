/**
 * Fan-out between server instances through Redis: accepted updates on Redis Streams, presence on Pub/Sub.
 *
 * Updates: after an instance has committed an update (it has its per-room sequence number), it appends
 * {seq, from, update} to the room's stream, `XADD <namespace>:room:<roomId> MAXLEN ~ <n>`. One stream per room, not a
 * few sharded streams: an instance reads only the rooms it holds (`XREAD BLOCK` over their streams, on connections
 * of its own with at most `roomsPerReader` rooms each: server/fanout/stream-reader.ts), so an instance with a
 * handful of a large deployment's rooms never downloads and discards the traffic of the others, and trimming
 * bounds each room's backlog separately (a busy room cannot push a quiet room's entries out). An idle room's
 * stream expires after STREAM_TTL_MS.
 *
 * The stream is a fast path, not the record: PostgreSQL is. Entries may be trimmed before a slow reader gets
 * them, lost in a Redis failover, or never written (the instance died between commit and XADD); the room finds
 * the hole by sequence number and reads it from the store (server/sync/remote-updates.ts).
 *
 * Presence is not stored anywhere: it goes through Pub/Sub (`<namespace>:presence:<roomId>`), and an instance that
 * starts holding a room asks the others to announce who is there.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../log.ts';
import { StreamReader } from './stream-reader.ts';
import type { Fanout, FanoutMessage, FanoutSubscriber } from './types.ts';

/** A room's stream unused this long is deleted by Redis; anything needed later comes from the store. */
const STREAM_TTL_MS = 10 * 60_000;
/** How often an instance writing to a room's stream renews its expiry. */
const EXPIRY_RENEW_MS = 60_000;
/**
 * A room starts reading its stream this far in the past: an entry appended between the room's load from the
 * store and its subscription is read from the stream instead of waiting for a repair. Older entries are
 * skipped by sequence number.
 */
const BACKLOG_MS = 2_000;
/** Rooms one reader connection reads: a wake costs Redis and this process work in proportion to these. */
const ROOMS_PER_READER = 256;

const PRESENCE = 1;
const PRESENCE_QUERY = 2;

export type RedisFanoutOptions = {
  url: string;
  /** Prefix of every key and channel: one per deployment (its database), so deployments may share a Redis. */
  namespace: string;
  /** Entries kept per room stream (approximate trimming: Redis trims whole nodes, so a little more). */
  streamMaxLength: number;
  /**
   * Fault injection for the tests of gap repair (PIZHU_FANOUT_DROP_RATIO): this share of updates is not
   * appended to the stream, as if Redis had lost the entry. 0 in production.
   */
  dropRatio: number;
  /** Rooms per reader connection (ROOMS_PER_READER; smaller in tests). */
  roomsPerReader?: number;
  log: Logger;
};

export class RedisFanout implements Fanout {
  /** This instance on the streams: its own entries are not delivered back to it. */
  readonly instanceId = randomUUID();
  private readonly commands: Redis;
  private readonly presence: Redis;
  /** The readers, the first always there; each room is read by one of them. */
  private readonly readers: StreamReader[];
  private readonly readerOf = new Map<string, StreamReader>();
  private readonly roomsPerReader: number;
  private readonly connection: RedisOptions = {
    maxRetriesPerRequest: null,
    enableAutoPipelining: false,
    lazyConnect: true,
  };
  /** When this instance last renewed the expiry of a room's stream. */
  private readonly expiryRenewedAt = new Map<string, number>();
  private closed = false;

  private constructor(private readonly options: RedisFanoutOptions) {
    this.commands = new Redis(options.url, { ...this.connection, connectionName: 'pizhu-commands' });
    this.presence = new Redis(options.url, { ...this.connection, connectionName: 'pizhu-presence' });
    for (const client of [this.commands, this.presence]) {
      // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
      client.on('error', (error) => options.log.error('fanout', 'Redis connection', error));
    }
    this.presence.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onPresence(channel, message));
    this.roomsPerReader = options.roomsPerReader ?? ROOMS_PER_READER;
    this.readers = [this.newReader()];
  }

  /** Connects (refusing to start when Redis cannot be reached) and starts reading. */
  static async connect(options: RedisFanoutOptions): Promise<RedisFanout> {
    const fanout = new RedisFanout(options);
    try {
      await Promise.all([fanout.commands.connect(), fanout.presence.connect(), fanout.readers[0]!.start()]);
    } catch (error) {
      fanout.commands.disconnect();
      fanout.presence.disconnect();
      await fanout.readers[0]!.close();
      throw new Error(`Redis at ${redactUrl(options.url)} cannot be reached: ${(error as Error).message}`);
    }
    return fanout;
  }

  private newReader(): StreamReader {
    return new StreamReader(
      {
        url: this.options.url,
        connection: this.connection,
        streamKey: (roomId) => this.streamKey(roomId),
        unblock: (clientId) => this.commands.client('UNBLOCK', clientId) as Promise<number>,
        deliver: (roomId, subscriber, entries) => this.deliver(roomId, subscriber, entries),
        log: this.options.log,
      },
      'pizhu-reader',
    );
  }

  get reachable(): boolean {
    return this.commands.status === 'ready';
  }

  publish(roomId: string, message: FanoutMessage, _source: symbol): void {
    if (message.kind === 'update') {
      if (this.options.dropRatio > 0 && Math.random() < this.options.dropRatio) return;
      this.append(roomId, message.seq, message.update);
      return;
    }
    const kind = message.kind === 'presence' ? PRESENCE : PRESENCE_QUERY;
    const update = message.kind === 'presence' ? message.update : new Uint8Array(0);
    this.commands
      .publish(this.presenceChannel(roomId), this.encodePresence(kind, update))
      .catch((error) => this.options.log.error('fanout', `room ${roomId}: publishing presence`, error));
  }

  /**
   * XADD, and the stream's expiry renewed when this instance last renewed it more than EXPIRY_RENEW_MS ago: an
   * expiry with every update cost Redis three commands more (MULTI, PEXPIRE, EXEC) for a deadline that moves by
   * milliseconds. A stream that expired and was created again by another instance's XADD gets its expiry from
   * that instance's next renewal: no instance renewed it within STREAM_TTL_MS, so each renews on its next XADD.
   */
  private append(roomId: string, seq: number, update: Uint8Array): void {
    const key = this.streamKey(roomId);
    const now = Date.now();
    const renewed = this.expiryRenewedAt.get(roomId);
    const pipeline = this.commands
      .pipeline()
      .xadd(
        key,
        'MAXLEN',
        '~',
        this.options.streamMaxLength,
        '*',
        'seq',
        seq,
        'from',
        this.instanceId,
        'update',
        Buffer.from(update.buffer, update.byteOffset, update.byteLength),
      );
    if (renewed === undefined || now - renewed > EXPIRY_RENEW_MS) {
      pipeline.pexpire(key, STREAM_TTL_MS);
      // Remembered for held rooms only (unsubscribe forgets it): a room written after it was let go renews
      // with each XADD rather than leave an entry behind.
      if (this.readerOf.has(roomId)) this.expiryRenewedAt.set(roomId, now);
    }
    pipeline
      .exec()
      .then((results) => {
        const failed = results?.find(([error]) => error)?.[0];
        if (failed) throw failed;
      })
      .catch((error) => {
        this.expiryRenewedAt.delete(roomId);
        this.options.log.error('fanout', `room ${roomId}: appending to its stream`, error);
      });
  }

  subscribe(roomId: string, _source: symbol, subscriber: FanoutSubscriber): void {
    if (this.closed) return;
    const known = this.readerOf.get(roomId);
    const reader = known ?? this.readerWithRoom();
    reader.add(roomId, subscriber, `${Date.now() - BACKLOG_MS}-0`);
    if (known) return;
    this.readerOf.set(roomId, reader);
    this.presence
      .subscribe(this.presenceChannel(roomId))
      .then(() => this.publish(roomId, { kind: 'presence-query' }, PRESENCE_SOURCE))
      .catch((error) => this.options.log.error('fanout', `room ${roomId}: subscribing to presence`, error));
  }

  unsubscribe(roomId: string, subscriber: FanoutSubscriber): void {
    const reader = this.readerOf.get(roomId);
    if (reader?.subscriberOf(roomId) !== subscriber) return;
    reader.remove(roomId);
    this.readerOf.delete(roomId);
    this.expiryRenewedAt.delete(roomId);
    if (this.closed) return;
    this.presence.unsubscribe(this.presenceChannel(roomId)).catch(() => {});
    // A reader other than the first that holds nothing more is closed (its connection released).
    if (reader.size === 0 && reader !== this.readers[0]) {
      this.readers.splice(this.readers.indexOf(reader), 1);
      void reader.close();
    }
  }

  /** Reader connections open (tests). */
  get readerCount(): number {
    return this.readers.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readerOf.clear();
    // Pending XADDs go out before QUIT; the blocked readers are simply cut.
    await Promise.all(this.readers.map((reader) => reader.close()));
    await Promise.allSettled([this.commands.quit(), this.presence.quit()]);
  }

  /** A reader with room for one more room: the first that has, or a new one. */
  private readerWithRoom(): StreamReader {
    const open = this.readers.find((reader) => reader.size < this.roomsPerReader);
    if (open) return open;
    const reader = this.newReader();
    reader.startInBackground();
    this.readers.push(reader);
    return reader;
  }

  private deliver(roomId: string, subscriber: FanoutSubscriber, entries: [Buffer, Buffer[]][]): void {
    for (const [, fields] of entries) {
      // Applying an entry may let the room go (its subscriber then no longer wants the rest).
      if (this.readerOf.get(roomId)?.subscriberOf(roomId) !== subscriber) return;
      const entry = parseEntry(fields);
      if (!entry) {
        this.options.log.warn('fanout', `room ${roomId}: a stream entry without seq or update was skipped`);
        continue;
      }
      if (entry.from === this.instanceId) continue;
      try {
        subscriber.onFanout({ kind: 'update', seq: entry.seq, update: entry.update });
      } catch (error) {
        this.options.log.error('fanout', `room ${roomId}: applying an update from the stream`, error);
      }
    }
  }

  /** The stream of a room's updates. */
  streamKey(roomId: string): string {
    return `${this.options.namespace}:room:${roomId}`;
  }

  private presenceChannel(roomId: string): string {
    return `${this.options.namespace}:presence:${roomId}`;
  }

  private encodePresence(kind: number, update: Uint8Array): Buffer {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, this.instanceId);
    encoding.writeVarUint(encoder, kind);
    encoding.writeVarUint8Array(encoder, update);
    return Buffer.from(encoding.toUint8Array(encoder));
  }

  private onPresence(channel: Buffer, message: Buffer): void {
    const roomId = channel.toString().slice(this.presenceChannel('').length);
    const subscriber = this.readerOf.get(roomId)?.subscriberOf(roomId);
    if (!subscriber) return;
    try {
      const decoder = decoding.createDecoder(message);
      if (decoding.readVarString(decoder) === this.instanceId) return;
      const kind = decoding.readVarUint(decoder);
      const update = decoding.readVarUint8Array(decoder);
      subscriber.onFanout(kind === PRESENCE ? { kind: 'presence', update } : { kind: 'presence-query' });
    } catch (error) {
      this.options.log.error('fanout', `room ${roomId}: a presence message could not be read`, error);
    }
  }
}

const PRESENCE_SOURCE = Symbol('presence');

function parseEntry(fields: Buffer[]): { seq: number; from: string; update: Uint8Array } | null {
  let seq = Number.NaN;
  let from = '';
  let update: Uint8Array | null = null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    const value = fields[i + 1]!;
    if (name === 'seq') seq = Number(value.toString());
    else if (name === 'from') from = value.toString();
    else if (name === 'update') update = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return Number.isSafeInteger(seq) && seq > 0 && update ? { seq, from, update } : null;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
