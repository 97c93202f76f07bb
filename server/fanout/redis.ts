/**
 * Fan-out between server instances through Redis: accepted updates on Redis Streams, presence on Pub/Sub.
 *
 * Updates: after an instance has committed an update (it has its per-room sequence number), it appends
 * {seq, from, update} to the room's stream, `XADD <namespace>:room:<roomId> MAXLEN ~ <n>`. One stream per room, not a
 * few sharded streams: an instance reads only the rooms it holds (one `XREAD BLOCK` over all their streams on a
 * connection of its own), so an instance with a handful of a large deployment's rooms never downloads and
 * discards the traffic of the others, and trimming bounds each room's backlog separately (a busy room cannot
 * push a quiet room's entries out). An idle room's stream expires after STREAM_TTL_MS.
 *
 * The stream is a fast path, not the record: PostgreSQL is. Entries may be trimmed before a slow reader gets
 * them, lost in a Redis failover, or never written (the instance died between commit and XADD); the room finds
 * the hole by sequence number and reads it from the store (server/sync/remote-updates.ts).
 *
 * Presence is not stored anywhere: it goes through Pub/Sub (`<namespace>:presence:<roomId>`), and an instance that
 * starts holding a room asks the others to announce who is there.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../log.ts';
import type { Fanout, FanoutMessage, FanoutSubscriber } from './types.ts';

/** Entries a reader takes per room in one read. */
const READ_COUNT = 256;
/** The reader blocks this long when nothing arrives, then reads again (and notices closing). */
const BLOCK_MS = 5_000;
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
const RETRY_MS = 500;

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
  log: Logger;
};

type Subscription = { subscriber: FanoutSubscriber; lastId: string };

export class RedisFanout implements Fanout {
  /** This instance on the streams: its own entries are not delivered back to it. */
  readonly instanceId = randomUUID();
  private readonly commands: Redis;
  private readonly reader: Redis;
  private readonly presence: Redis;
  private readonly rooms = new Map<string, Subscription>();
  /** When this instance last renewed the expiry of a room's stream. */
  private readonly expiryRenewedAt = new Map<string, number>();
  private readerClientId: number | null = null;
  private reading: Promise<void> | null = null;
  private wakeReader: (() => void) | null = null;
  private unblockQueued = false;
  /** Changes of the room set, and the change the XREAD in flight (if any) was issued with. */
  private generation = 0;
  private readingGeneration: number | null = null;
  private closed = false;

  private constructor(private readonly options: RedisFanoutOptions) {
    const connection = { maxRetriesPerRequest: null, enableAutoPipelining: false, lazyConnect: true };
    this.commands = new Redis(options.url, { ...connection, connectionName: 'pizhu-commands' });
    this.reader = new Redis(options.url, { ...connection, connectionName: 'pizhu-reader' });
    this.presence = new Redis(options.url, { ...connection, connectionName: 'pizhu-presence' });
    for (const client of [this.commands, this.reader, this.presence]) {
      // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
      client.on('error', (error) => options.log.error('fanout', 'Redis connection', error));
    }
    this.presence.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onPresence(channel, message));
    // After a reconnect the reader is another Redis client: CLIENT UNBLOCK needs its new id.
    this.reader.on('ready', () => {
      this.reader
        .client('ID')
        .then((id) => (this.readerClientId = id))
        .catch(() => {});
    });
  }

  /** Connects (refusing to start when Redis cannot be reached) and starts reading. */
  static async connect(options: RedisFanoutOptions): Promise<RedisFanout> {
    const fanout = new RedisFanout(options);
    try {
      await Promise.all([fanout.commands.connect(), fanout.reader.connect(), fanout.presence.connect()]);
      fanout.readerClientId = await fanout.reader.client('ID');
    } catch (error) {
      fanout.commands.disconnect();
      fanout.reader.disconnect();
      fanout.presence.disconnect();
      throw new Error(`Redis at ${redactUrl(options.url)} cannot be reached: ${(error as Error).message}`);
    }
    fanout.reading = fanout.readLoop();
    return fanout;
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
      if (this.rooms.has(roomId)) this.expiryRenewedAt.set(roomId, now);
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
    const known = this.rooms.get(roomId);
    this.rooms.set(roomId, { subscriber, lastId: known?.lastId ?? `${Date.now() - BACKLOG_MS}-0` });
    if (known) return;
    this.presence
      .subscribe(this.presenceChannel(roomId))
      .then(() => this.publish(roomId, { kind: 'presence-query' }, PRESENCE_SOURCE))
      .catch((error) => this.options.log.error('fanout', `room ${roomId}: subscribing to presence`, error));
    this.readAgain();
  }

  unsubscribe(roomId: string, subscriber: FanoutSubscriber): void {
    if (this.rooms.get(roomId)?.subscriber !== subscriber) return;
    this.rooms.delete(roomId);
    this.expiryRenewedAt.delete(roomId);
    if (this.closed) return;
    this.presence.unsubscribe(this.presenceChannel(roomId)).catch(() => {});
    this.readAgain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rooms.clear();
    this.wakeReader?.();
    // Pending XADDs go out before QUIT; the blocked reader is simply cut.
    this.reader.disconnect();
    await this.reading?.catch(() => {});
    await Promise.allSettled([this.commands.quit(), this.presence.quit()]);
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
      if (this.readerClientId === null) return;
      const unblocked = await this.commands.client('UNBLOCK', this.readerClientId).catch(() => 0);
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
        reply = (await this.reader.xreadBuffer(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...roomIds.map((roomId) => this.streamKey(roomId)),
          ...ids,
        )) as [Buffer, [Buffer, Buffer[]][]][] | null;
      } catch (error) {
        if (this.closed) return;
        this.options.log.error('fanout', 'reading the room streams', error);
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      } finally {
        this.readingGeneration = null;
      }
      for (const [key, entries] of reply ?? []) this.deliver(key.toString().slice(this.streamKey('').length), entries);
    }
  }

  private deliver(roomId: string, entries: [Buffer, Buffer[]][]): void {
    for (const [id, fields] of entries) {
      const subscription = this.rooms.get(roomId);
      if (!subscription) return;
      subscription.lastId = id.toString();
      const entry = parseEntry(fields);
      if (!entry) {
        this.options.log.warn('fanout', `room ${roomId}: a stream entry without seq or update was skipped`);
        continue;
      }
      if (entry.from === this.instanceId) continue;
      try {
        subscription.subscriber.onFanout({ kind: 'update', seq: entry.seq, update: entry.update });
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
    const subscription = this.rooms.get(roomId);
    if (!subscription) return;
    try {
      const decoder = decoding.createDecoder(message);
      if (decoding.readVarString(decoder) === this.instanceId) return;
      const kind = decoding.readVarUint(decoder);
      const update = decoding.readVarUint8Array(decoder);
      subscription.subscriber.onFanout(kind === PRESENCE ? { kind: 'presence', update } : { kind: 'presence-query' });
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
